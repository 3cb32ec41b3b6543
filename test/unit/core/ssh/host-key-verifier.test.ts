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
import {
  createHostKeyVerifier,
  type RefusedHostKey,
} from '../../../../src/core/ssh/host-key-verifier';
import { RefusedHostKeys } from '../../../../src/core/ssh/refused-host-keys';
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
        'at the same address',
        'intercepting',
        'Replace key…',
        store.filePath,
      ]) {
        assert.ok(err.message.includes(part), `message mentions ${part}: ${err.message}`);
      }
      return true;
    });
    assert.equal(asked.length, 0);
    assert.equal(store.check('pool-a', '10.0.0.4', 50001, oldKey).status, 'trusted');
  });

  const vmVerifier = (identity: string, onRefused?: (r: RefusedHostKey) => void) =>
    createHostKeyVerifier({
      store,
      prompts,
      poolId: 'pool-a',
      instanceId: '3',
      instanceName: 'teampool_3',
      host: '20.0.0.1',
      port: 50003,
      identity,
      ...(onRefused ? { onRefused } : {}),
    });

  it('asks about a VM recreated behind the same address as a new machine, saying what it replaced', async () => {
    const oldKey = fakeKey();
    await vmVerifier('vm/old-vm')(oldKey);
    const newKey = fakeKey();
    await vmVerifier('vm/new-vm')(newKey);
    assert.equal(asked.length, 2);
    const second = asked[1]!;
    assert.equal(second.kind, 'host-key');
    assert.ok(second.kind === 'host-key' && second.replaces);
    assert.equal(second.replaces.instanceName, 'teampool_3');
    assert.equal(second.replaces.fingerprint, fingerprintOf(oldKey));
    // The old VM is gone from that address: its key no longer counts anywhere.
    const newCheck = store.checkMachine(
      { poolId: 'pool-a', identity: 'vm/new-vm', host: '20.0.0.1', port: 50003 },
      newKey,
    );
    assert.equal(newCheck.status, 'trusted');
    const oldCheck = store.checkMachine(
      { poolId: 'pool-a', identity: 'vm/old-vm', host: '20.0.0.1', port: 50003 },
      oldKey,
    );
    assert.equal(oldCheck.status, 'unknown');
  });

  it('refuses a changed key on the same VM and hands the refusal over for a confirmed replace', async () => {
    const oldKey = fakeKey();
    await vmVerifier('vm/same')(oldKey);
    const refusals: RefusedHostKey[] = [];
    const newKey = fakeKey();
    await assert.rejects(vmVerifier('vm/same', (r) => refusals.push(r))(newKey), (err) => {
      assert.ok(isRpcError(err, ErrorCode.HostKeyMismatch));
      assert.equal((err.details as { instanceId?: string }).instanceId, '3');
      return true;
    });
    assert.equal(asked.length, 1, 'only the first use was asked');
    assert.equal(refusals.length, 1);
    const refused = new RefusedHostKeys(store);
    refused.remember(refusals[0]!);
    assert.throws(
      () =>
        refused.replace({ poolId: 'pool-a', instanceId: '3', fingerprint: fingerprintOf(oldKey) }),
      (err) =>
        isRpcError(err, ErrorCode.BadInput) && /not the one the instance sent/.test(err.message),
    );
    assert.deepEqual(
      refused.replace({ poolId: 'pool-a', instanceId: '3', fingerprint: fingerprintOf(newKey) }),
      { fingerprint: fingerprintOf(newKey), previousFingerprint: fingerprintOf(oldKey) },
    );
    await vmVerifier('vm/same')(newKey);
    assert.equal(asked.length, 1, 'the replaced key is trusted without a question');
    assert.throws(
      () =>
        refused.replace({ poolId: 'pool-a', instanceId: '3', fingerprint: fingerprintOf(newKey) }),
      (err) => isRpcError(err, ErrorCode.NotFound),
    );
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
