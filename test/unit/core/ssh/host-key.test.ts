// Checks host key fingerprints and algorithm names against what OpenSSH's own ssh-keygen prints.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ErrorCode, isRpcError } from '../../../../src/common/errors';
import { algorithmOf, fingerprintOf } from '../../../../src/core/ssh/host-key';

const run = promisify(execFile);

describe('host-key', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'host-key-test-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  let keys = 0;
  /** Makes a key with ssh-keygen; returns its blob and what `ssh-keygen -l` says about it. */
  async function keygen(type: string, bits?: string) {
    // A fresh name each time: on an existing file ssh-keygen would ask whether to overwrite.
    const file = join(dir, `key-${keys++}`);
    await run('ssh-keygen', [
      '-q',
      '-t',
      type,
      ...(bits ? ['-b', bits] : []),
      '-N',
      '',
      '-f',
      file,
    ]);
    const [algorithm, base64] = (await readFile(`${file}.pub`, 'utf8')).split(' ');
    const { stdout } = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`]);
    return {
      blob: Buffer.from(base64!, 'base64'),
      algorithm: algorithm!,
      fingerprint: stdout.split(' ')[1]!,
    };
  }

  for (const [type, bits] of [['ed25519'], ['ecdsa', '256'], ['rsa', '2048']] as const) {
    it(`matches ssh-keygen for an ${type} key`, async () => {
      const key = await keygen(type, bits);
      assert.match(key.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
      assert.equal(fingerprintOf(key.blob), key.fingerprint);
      assert.equal(algorithmOf(key.blob), key.algorithm);
    });
  }

  it('gives different fingerprints for different keys', async () => {
    const a = await keygen('ed25519');
    const b = await keygen('ed25519');
    assert.notEqual(fingerprintOf(a.blob), fingerprintOf(b.blob));
  });

  it('refuses blobs that are not SSH keys, with an RpcError', () => {
    const lengthOnly = Buffer.from([0, 0, 0, 11]);
    const tooLong = Buffer.concat([Buffer.from([0, 0, 1, 0]), Buffer.from('ssh-ed25519')]);
    const binary = Buffer.concat([Buffer.from([0, 0, 0, 3]), Buffer.from([0, 10, 255])]);
    for (const blob of [Buffer.alloc(0), Buffer.from([0, 0]), lengthOnly, tooLong, binary]) {
      assert.throws(
        () => algorithmOf(blob),
        (err) =>
          isRpcError(err, ErrorCode.Internal) && /host key that cannot be read/.test(err.message),
      );
    }
  });
});
