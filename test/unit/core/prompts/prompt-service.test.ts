// The prompt service: yes/no questions resolve booleans, passphrase questions resolve the value,
// and neither the events nor the list ever carry a passphrase.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode, isRpcError } from '../../../../src/common/errors';
import type { Prompt } from '../../../../src/common/models';
import { PromptService } from '../../../../src/core/prompts/prompt-service';

const hostKey = {
  kind: 'host-key' as const,
  poolId: 'p',
  instanceName: 'vm-0',
  host: '127.0.0.1',
  port: 22,
  algorithm: 'ssh-ed25519',
  fingerprint: 'SHA256:abc',
};

describe('PromptService', () => {
  test('ask() resolves the yes/no answer and closes the question', async () => {
    const prompts = new PromptService();
    const closed: string[] = [];
    prompts.onDidClose(({ promptId }) => closed.push(promptId));
    const yes = prompts.onDidOpen((p) => prompts.answer(p.id, true));
    assert.equal(await prompts.ask(hostKey), true);
    yes.dispose();
    prompts.onDidOpen((p) => prompts.answer(p.id, false, 'ignored for host keys'));
    assert.equal(await prompts.ask(hostKey), false);
    assert.equal(closed.length, 2);
    assert.deepEqual(prompts.list(), []);
    prompts.dispose();
  });

  test('askPassphrase() resolves the value; the prompt itself never holds it', async () => {
    const prompts = new PromptService();
    const seen: Prompt[] = [];
    prompts.onDidOpen((p) => {
      seen.push(p);
      assert.deepEqual(prompts.list(), [p]);
      prompts.answer(p.id, true, 'correct horse');
    });
    const value = await prompts.askPassphrase({ poolId: 'p', keyPath: '/k', retry: false });
    assert.equal(value, 'correct horse');
    assert.deepEqual(seen, [
      { kind: 'passphrase', poolId: 'p', keyPath: '/k', retry: false, id: seen[0].id },
    ]);
    assert.ok(!JSON.stringify(seen).includes('correct horse'));
    prompts.dispose();
  });

  test('a typed passphrase or secret is handed to onSecret (the logger redacts it), a declined one is not', async () => {
    const secrets: string[] = [];
    const prompts = new PromptService({ onSecret: (value) => secrets.push(value) });
    const answers = ['correct horse', 'storage-key-value'];
    prompts.onDidOpen((p) => prompts.answer(p.id, answers.length > 0, answers.shift()));
    await prompts.askPassphrase({ poolId: 'p', keyPath: '/k', retry: false });
    await prompts.askSecret({ poolId: 'p', title: 'Key', detail: 'For the share.', label: 'Key' });
    await prompts.askPassphrase({ poolId: 'p', keyPath: '/k', retry: true });
    assert.deepEqual(secrets, ['correct horse', 'storage-key-value']);
    prompts.dispose();
  });

  test('a declined passphrase question resolves undefined', async () => {
    const prompts = new PromptService();
    prompts.onDidOpen((p) => prompts.answer(p.id, false, 'typed then cancelled'));
    assert.equal(
      await prompts.askPassphrase({ poolId: 'p', keyPath: '/k', retry: true }),
      undefined,
    );
    prompts.dispose();
  });

  test('accepting a passphrase question without a value is refused and the question stays', async () => {
    const prompts = new PromptService();
    let id = '';
    prompts.onDidOpen((p) => (id = p.id));
    const answer = prompts.askPassphrase({ poolId: 'p', keyPath: '/k', retry: false });
    assert.throws(
      () => prompts.answer(id, true),
      (err: unknown) => isRpcError(err, ErrorCode.BadInput) && /value/.test(err.message),
    );
    assert.throws(
      () => prompts.answer(id, true, ''),
      (err: unknown) => isRpcError(err, ErrorCode.BadInput),
    );
    assert.equal(prompts.list().length, 1);
    prompts.answer(id, true, 'later');
    assert.equal(await answer, 'later');
    prompts.dispose();
  });

  test('an aborted signal withdraws a passphrase question', async () => {
    const prompts = new PromptService();
    const closed: string[] = [];
    prompts.onDidClose(({ promptId }) => closed.push(promptId));
    const controller = new AbortController();
    const answer = prompts.askPassphrase(
      { poolId: 'p', keyPath: '/k', retry: false },
      controller.signal,
    );
    controller.abort();
    assert.equal(await answer, undefined);
    assert.equal(closed.length, 1);
    assert.deepEqual(prompts.list(), []);
    prompts.dispose();
  });

  test('dispose() declines what is still open', async () => {
    const prompts = new PromptService();
    const pending = [
      prompts.ask(hostKey),
      prompts.askPassphrase({ poolId: 'p', keyPath: '/k', retry: false }),
    ];
    prompts.dispose();
    assert.deepEqual(await Promise.all(pending), [false, undefined]);
  });

  test('answering an unknown question is NotFound', () => {
    const prompts = new PromptService();
    assert.throws(
      () => prompts.answer('prompt-99', true),
      (err: unknown) => isRpcError(err, ErrorCode.NotFound),
    );
    prompts.dispose();
  });
});
