// The host key decision without a network: trusted keys pass, new keys are asked about, changed
// keys are refused with an explanation, and a cancelled connect withdraws its question.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ErrorCode, isRpcError } from '../../../../src/common/errors';
import type { Prompt } from '../../../../src/common/models';
import { PromptService } from '../../../../src/core/prompts/prompt-service';
import { fingerprintOf } from '../../../../src/core/ssh/host-key';
import { createHostKeyVerifier } from '../../../../src/core/ssh/host-key-verifier';
import { KnownHostsStore } from '../../../../src/core/ssh/known-hosts-store';

function fakeKey(): Buffer {
  const name = Buffer.from('ssh-ed25519');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(name.length);
  return Buffer.concat([length, name, randomBytes(36)]);
}

describe('createHostKeyVerifier', () => {
  let dir: string;
  let store: KnownHostsStore;
  let prompts: PromptService;
  let asked: Prompt[];
  let answer: boolean | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'verifier-test-'));
    store = new KnownHostsStore(join(dir, 'known-hosts.json'));
    prompts = new PromptService();
    asked = [];
    answer = true;
    prompts.onDidOpen((prompt) => {
      asked.push(prompt);
      // Answer later, as a UI would; `undefined` leaves the question open.
      if (answer !== undefined) setTimeout(() => prompts.answer(prompt.id, answer!), 5);
    });
  });
  afterEach(async () => {
    prompts.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  const verifier = (signal?: AbortSignal) =>
    createHostKeyVerifier({
      store,
      prompts,
      poolId: 'pool-a',
      instanceName: 'dsvm-1',
      host: '10.0.0.4',
      port: 50001,
      signal,
    });

  it('asks about a new key, and remembers it when accepted', async () => {
    const key = fakeKey();
    await verifier()(key);
    assert.equal(asked.length, 1);
    const { id, ...question } = asked[0]!;
    assert.match(id, /^prompt-/);
    assert.deepEqual(question, {
      kind: 'host-key',
      poolId: 'pool-a',
      instanceName: 'dsvm-1',
      host: '10.0.0.4',
      port: 50001,
      algorithm: 'ssh-ed25519',
      fingerprint: fingerprintOf(key),
    });
    assert.equal(store.check('pool-a', '10.0.0.4', 50001, key).status, 'trusted');
    await verifier()(key);
    assert.equal(asked.length, 1, 'a trusted key is not asked about again');
  });

  it('refuses a declined key and does not remember it', async () => {
    answer = false;
    const key = fakeKey();
    await assert.rejects(
      verifier()(key),
      (err) =>
        isRpcError(err, ErrorCode.HostKeyRejected) && err.message.includes(fingerprintOf(key)),
    );
    assert.equal(store.check('pool-a', '10.0.0.4', 50001, key).status, 'unknown');
  });

  it('refuses a changed key without asking, and says why and what to do', async () => {
    const oldKey = fakeKey();
    const newKey = fakeKey();
    store.trust('pool-a', '10.0.0.4', 50001, oldKey);
    await assert.rejects(verifier()(newKey), (err) => {
      assert.ok(isRpcError(err, ErrorCode.HostKeyMismatch));
      for (const part of [
        'dsvm-1 (10.0.0.4:50001)',
        fingerprintOf(oldKey),
        fingerprintOf(newKey),
        'recreated',
        'intercepting',
        store.filePath,
      ]) {
        assert.ok(err.message.includes(part), `message mentions ${part}: ${err.message}`);
      }
      return true;
    });
    assert.equal(asked.length, 0);
    assert.equal(store.check('pool-a', '10.0.0.4', 50001, oldKey).status, 'trusted');
  });

  it('withdraws the question when connecting is cancelled', async () => {
    answer = undefined;
    const controller = new AbortController();
    const verifying = verifier(controller.signal)(fakeKey());
    assert.equal(prompts.list().length, 1);
    controller.abort();
    await assert.rejects(verifying, (err) => isRpcError(err, ErrorCode.Cancelled));
    assert.equal(prompts.list().length, 0);
  });
});
