// Loading users' key files: every type and format ssh-keygen writes, the passphrase question (right,
// wrong then right, three times wrong, declined, withdrawn), and no passphrase in any message.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import ssh2 from 'ssh2';
import { ErrorCode, isRpcError, type RpcError } from '../../../../src/common/errors';
import type { PassphrasePrompt, Prompt } from '../../../../src/common/models';
import { PrivateKeyLoader } from '../../../../src/core/keys/private-key-loader';
import { PromptService } from '../../../../src/core/prompts/prompt-service';
import { makeTestKey, type KeyFormat, type KeyType } from './make-test-key';

const { utils } = ssh2;
const PASSPHRASE = 'tr0ub4dor & 3';
const WRONG = ['wrong-one-1', 'wrong-two-2', 'wrong-three-3'];

/** Answers passphrase questions from a script; records what was asked. */
function scriptedPrompts(answers: (string | false)[]) {
  const prompts = new PromptService();
  const asked: PassphrasePrompt[] = [];
  prompts.onDidOpen((p: Prompt) => {
    assert.equal(p.kind, 'passphrase');
    asked.push(p as PassphrasePrompt);
    const answer = answers.shift();
    assert.ok(answer !== undefined, `unexpected extra question ${JSON.stringify(p)}`);
    setTimeout(() => prompts.answer(p.id, answer !== false, answer || undefined), 1);
  });
  return { prompts, asked };
}

function usable(key: { privateKey?: string; passphrase?: string }): boolean {
  assert.ok(key.privateKey, 'a private key is returned');
  const parsed = utils.parseKey(key.privateKey, key.passphrase);
  return !(parsed instanceof Error) && !Array.isArray(parsed) && parsed.isPrivateKey();
}

function failsWith(code: RpcError['code'], pattern: RegExp, secrets: string[] = []) {
  return (err: unknown) => {
    assert.ok(isRpcError(err), `expected an RpcError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.match(err.message, pattern);
    for (const secret of secrets) {
      assert.ok(!err.message.includes(secret), 'the message never holds a passphrase');
      assert.ok(!JSON.stringify(err.details ?? null).includes(secret));
    }
    return true;
  };
}

describe('PrivateKeyLoader', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dsvm-pool-keys-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const cases: [KeyType, KeyFormat][] = [
    ['ed25519', 'openssh'],
    ['rsa', 'openssh'],
    ['ecdsa', 'openssh'],
    ['rsa', 'pem'],
    ['ecdsa', 'pem'],
    ['rsa', 'pkcs8'],
    ['ecdsa', 'pkcs8'],
  ];
  for (const [type, format] of cases) {
    test(`${type} in ${format} format: plain loads without a question, encrypted after one`, async () => {
      const plain = await makeTestKey(dir, `plain-${type}-${format}`, type, '', format);
      const encrypted = await makeTestKey(dir, `enc-${type}-${format}`, type, PASSPHRASE, format);
      const { prompts, asked } = scriptedPrompts([PASSPHRASE]);
      const loader = new PrivateKeyLoader(prompts);

      const loadedPlain = await loader.load(plain.path, { poolId: 'pool-a' });
      assert.ok(usable(loadedPlain));
      assert.equal(loadedPlain.passphrase, undefined);
      assert.equal(asked.length, 0);

      const loaded = await loader.load(encrypted.path, { poolId: 'pool-a' });
      assert.ok(usable(loaded));
      assert.deepEqual(
        asked.map(({ poolId, keyPath, retry, kind }) => ({ poolId, keyPath, retry, kind })),
        [{ poolId: 'pool-a', keyPath: encrypted.path, retry: false, kind: 'passphrase' }],
      );
      // The same public key as ssh-keygen's .pub: it is the key the user meant.
      const parsed = utils.parseKey(loaded.privateKey!, loaded.passphrase);
      assert.ok(!(parsed instanceof Error) && !Array.isArray(parsed));
      assert.equal(parsed.getPublicSSH().toString('base64'), encrypted.publicKey.split(' ')[1]);

      // Remembered for the app's lifetime: no second question.
      assert.ok(usable(await loader.load(encrypted.path, { poolId: 'pool-b' })));
      assert.equal(asked.length, 1);
      prompts.dispose();
    });
  }

  test('wrong, then right: asked again with retry, and the wrong answer is in no message', async () => {
    const key = await makeTestKey(dir, 'wrong-then-right', 'ed25519', PASSPHRASE);
    const { prompts, asked } = scriptedPrompts([WRONG[0], PASSPHRASE]);
    const loaded = await new PrivateKeyLoader(prompts).load(key.path, { poolId: 'p' });
    assert.ok(usable(loaded));
    assert.deepEqual(
      asked.map((p) => p.retry),
      [false, true],
    );
    prompts.dispose();
  });

  test('three wrong answers: AuthFailed naming the file, never the passphrases', async () => {
    const key = await makeTestKey(dir, 'three-wrong', 'rsa', PASSPHRASE, 'pem');
    const { prompts, asked } = scriptedPrompts([...WRONG]);
    await assert.rejects(
      new PrivateKeyLoader(prompts).load(key.path, { poolId: 'p' }),
      failsWith(ErrorCode.AuthFailed, new RegExp(`passphrase for ${key.path} was wrong 3 times`), [
        ...WRONG,
        PASSPHRASE,
      ]),
    );
    assert.deepEqual(
      asked.map((p) => p.retry),
      [false, true, true],
    );
    prompts.dispose();
  });

  test('declined: Cancelled, and nothing is remembered', async () => {
    const key = await makeTestKey(dir, 'declined', 'ecdsa', PASSPHRASE);
    const { prompts, asked } = scriptedPrompts([false, PASSPHRASE]);
    const loader = new PrivateKeyLoader(prompts);
    await assert.rejects(
      loader.load(key.path, { poolId: 'p' }),
      failsWith(ErrorCode.Cancelled, /No passphrase was given/),
    );
    assert.ok(usable(await loader.load(key.path, { poolId: 'p' })));
    assert.equal(asked.length, 2);
    prompts.dispose();
  });

  test('an aborted signal withdraws the question: Cancelled', async () => {
    const key = await makeTestKey(dir, 'aborted', 'ed25519', PASSPHRASE);
    const prompts = new PromptService();
    const controller = new AbortController();
    const closed: string[] = [];
    prompts.onDidClose(({ promptId }) => closed.push(promptId));
    prompts.onDidOpen(() => setTimeout(() => controller.abort(), 1));
    await assert.rejects(
      new PrivateKeyLoader(prompts).load(key.path, { poolId: 'p', signal: controller.signal }),
      failsWith(ErrorCode.Cancelled, /cancelled/),
    );
    assert.equal(closed.length, 1);
    assert.deepEqual(prompts.list(), []);
    prompts.dispose();
  });

  test('two loads of one key at once share one question', async () => {
    const key = await makeTestKey(dir, 'shared', 'ed25519', PASSPHRASE);
    const { prompts, asked } = scriptedPrompts([PASSPHRASE]);
    const loader = new PrivateKeyLoader(prompts);
    const both = await Promise.all([
      loader.load(key.path, { poolId: 'p' }),
      loader.load(key.path, { poolId: 'p' }),
    ]);
    assert.ok(both.every(usable));
    assert.equal(asked.length, 1);
    prompts.dispose();
  });

  test('a waiting load goes on asking when the first asker cancels', async () => {
    const key = await makeTestKey(dir, 'first-cancels', 'ed25519', PASSPHRASE);
    const prompts = new PromptService();
    const asked: Prompt[] = [];
    let opened: () => void = () => {};
    prompts.onDidOpen((p) => {
      asked.push(p);
      if (asked.length === 1) opened();
      else setTimeout(() => prompts.answer(p.id, true, PASSPHRASE), 1);
    });
    const loader = new PrivateKeyLoader(prompts);
    const first = new AbortController();
    const firstOpened = new Promise<void>((resolve) => (opened = resolve));
    const a = loader.load(key.path, { poolId: 'p', signal: first.signal });
    await firstOpened;
    // The second load joins the open question, then its asker gives up.
    const b = loader.load(key.path, { poolId: 'p' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(asked.length, 1, 'the second load waits for the first question');
    first.abort();
    await assert.rejects(a, failsWith(ErrorCode.Cancelled, /cancelled/));
    assert.ok(usable(await b));
    assert.equal(asked.length, 2);
    prompts.dispose();
  });

  test('a key file replaced by another one is asked about again', async () => {
    const sub = join(dir, 'replaced');
    await mkdir(sub);
    const { prompts, asked } = scriptedPrompts([PASSPHRASE, 'second secret']);
    const loader = new PrivateKeyLoader(prompts);
    const key = await makeTestKey(sub, 'id', 'ed25519', PASSPHRASE);
    assert.ok(usable(await loader.load(key.path, { poolId: 'p' })));
    await rm(key.path);
    await rm(`${key.path}.pub`);
    await makeTestKey(sub, 'id', 'ed25519', 'second secret');
    assert.ok(usable(await loader.load(key.path, { poolId: 'p' })));
    assert.equal(asked.length, 2);
    prompts.dispose();
  });

  test('an agent that holds the encrypted key: no question, the agent is used', async () => {
    const openssh = await makeTestKey(dir, 'agent-openssh', 'ed25519', PASSPHRASE);
    const pem = await makeTestKey(dir, 'agent-pem', 'rsa', PASSPHRASE, 'pem');
    const offered: string[] = [];
    const { prompts, asked } = scriptedPrompts([PASSPHRASE]);
    const loader = new PrivateKeyLoader(prompts, {
      agentHasKey: async (agent, publicKey) => {
        offered.push(publicKey.toString('base64'));
        return agent === '/agent.sock';
      },
    });
    // OpenSSH keys show their public half in the clear; PEM keys through the .pub beside them.
    assert.deepEqual(await loader.load(openssh.path, { poolId: 'p', agent: '/agent.sock' }), {
      inAgent: true,
    });
    assert.deepEqual(await loader.load(pem.path, { poolId: 'p', agent: '/agent.sock' }), {
      inAgent: true,
    });
    assert.deepEqual(offered, [openssh.publicKey.split(' ')[1], pem.publicKey.split(' ')[1]]);
    assert.equal(asked.length, 0);
    // An agent without it: the passphrase is asked after all.
    assert.ok(usable(await loader.load(openssh.path, { poolId: 'p', agent: '/other.sock' })));
    assert.equal(asked.length, 1);
    prompts.dispose();
  });

  test('files that are no usable private key say what they are and what to do', async () => {
    const loader = new PrivateKeyLoader(new PromptService());
    const pub = await makeTestKey(dir, 'only-pub', 'ed25519', '');
    await assert.rejects(
      loader.load(`${pub.path}.pub`, { poolId: 'p' }),
      failsWith(ErrorCode.AuthFailed, /is a public key.*without "\.pub"/),
    );
    const garbage = join(dir, 'garbage');
    await writeFile(garbage, 'hello, I am not a key\n');
    await assert.rejects(
      loader.load(garbage, { poolId: 'p' }),
      failsWith(ErrorCode.AuthFailed, /is not a private key the app can use/),
    );
    await assert.rejects(
      loader.load(join(dir, 'missing'), { poolId: 'p' }),
      failsWith(ErrorCode.AuthFailed, /does not exist/),
    );
    await assert.rejects(
      loader.load(dir, { poolId: 'p' }),
      failsWith(ErrorCode.AuthFailed, /is not a file/),
    );
    const ed25519Pkcs8 = join(dir, 'ed25519.p8');
    const made = generateKeyPairSync('ed25519', {
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    await writeFile(ed25519Pkcs8, made.privateKey);
    await assert.rejects(
      loader.load(ed25519Pkcs8, { poolId: 'p' }),
      failsWith(ErrorCode.AuthFailed, /ssh-keygen -p -f/),
    );
  });
});
