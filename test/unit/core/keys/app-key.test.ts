// The app key: made once with the right modes, then the same key on every later call.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import ssh2 from 'ssh2';
import { ErrorCode, isRpcError } from '../../../../src/common/errors';
import { ensureAppKey } from '../../../../src/core/keys/app-key';
import { ssh2Ed25519 } from '../../../helpers/ssh-keys';

const { utils } = ssh2;

async function mode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe('ensureAppKey', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'dsvm-pool-app-key-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  test('generates an ed25519 key with the right files and modes', async () => {
    const key = await ensureAppKey(dataDir);
    assert.equal(key.path, join(dataDir, 'keys', 'id_ed25519'));
    assert.match(key.publicKey, /^ssh-ed25519 AAAA[A-Za-z0-9+/=]+ dsvm-pool$/);
    assert.equal(await readFile(key.path, 'utf8'), key.privateKey);
    assert.equal((await readFile(`${key.path}.pub`, 'utf8')).trim(), key.publicKey);
    assert.equal(await mode(join(dataDir, 'keys')), 0o700);
    assert.equal(await mode(key.path), 0o600);
    assert.equal(await mode(`${key.path}.pub`), 0o644);

    const parsed = utils.parseKey(key.privateKey);
    assert.ok(!(parsed instanceof Error));
    assert.equal(parsed.type, 'ssh-ed25519');
    assert.ok(parsed.isPrivateKey());
    const pub = utils.parseKey(key.publicKey);
    assert.ok(!(pub instanceof Error));
    assert.ok(pub.getPublicSSH().equals(parsed.getPublicSSH()), 'the .pub matches the private key');
  });

  test('is idempotent: later calls, even concurrent ones, return the same key', async () => {
    const first = await ensureAppKey(dataDir);
    const again = await Promise.all([ensureAppKey(dataDir), ensureAppKey(dataDir)]);
    for (const key of again) assert.deepEqual(key, first);
  });

  test('concurrent first calls agree on one key', async () => {
    const fresh = join(dataDir, 'fresh');
    const keys = await Promise.all([1, 2, 3, 4].map(() => ensureAppKey(fresh)));
    for (const key of keys) assert.deepEqual(key, keys[0]);
    assert.equal(await readFile(keys[0].path, 'utf8'), keys[0].privateKey);
  });

  test('repairs a missing or stale .pub and loose modes from the private key', async () => {
    const first = await ensureAppKey(dataDir);
    await unlink(`${first.path}.pub`);
    await chmod(first.path, 0o644);
    assert.deepEqual(await ensureAppKey(dataDir), first);
    assert.equal(await mode(first.path), 0o600);
    assert.equal((await readFile(`${first.path}.pub`, 'utf8')).trim(), first.publicKey);

    const other = ssh2Ed25519({ comment: 'other' });
    await writeFile(`${first.path}.pub`, other.public);
    assert.deepEqual(await ensureAppKey(dataDir), first);
    assert.equal((await readFile(`${first.path}.pub`, 'utf8')).trim(), first.publicKey);
  });

  test('refuses, without overwriting, a private key file it cannot read', async () => {
    const broken = join(dataDir, 'broken');
    await ensureAppKey(broken);
    const path = join(broken, 'keys', 'id_ed25519');
    await writeFile(path, 'not a key\n');
    await assert.rejects(ensureAppKey(broken), (err: unknown) => {
      assert.ok(isRpcError(err, ErrorCode.Internal));
      assert.match(err.message, /cannot be read.*Move that file away/);
      return true;
    });
    assert.equal(await readFile(path, 'utf8'), 'not a key\n');
  });
});
