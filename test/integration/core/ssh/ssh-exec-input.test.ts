// SshConnection.exec's `input` (written to the command's stdin, then EOF) and sftp(), against a real
// OpenSSH server on loopback: how the agent installer hands a command a secret without argv.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SshConnection } from '../../../../src/core/ssh/ssh-connection';
import { startOpenSshServer, type OpenSshServer } from '../../../helpers/openssh-server';
import { connectToSshd } from '../../../helpers/sshd-connection';

describe('SshConnection.exec input and sftp (OpenSSH)', () => {
  let server: OpenSshServer;
  let conn: SshConnection;

  before(async () => {
    server = await startOpenSshServer();
    conn = await connectToSshd(server);
  });

  after(async () => {
    conn?.dispose();
    await server?.stop();
  });

  it('writes a string to stdin and ends it, so the command sees EOF', async () => {
    const result = await conn.exec('cat; echo "[eof]"', { input: 'a secret\nsecond line' });
    assert.equal(result.code, 0);
    assert.equal(result.stdout, 'a secret\nsecond line[eof]\n');
  });

  it('an empty input is an immediate EOF (read gets nothing and fails)', async () => {
    const result = await conn.exec('if read -r line; then echo "got $line"; else echo eof; fi', {
      input: '',
    });
    assert.equal(result.stdout.trim(), 'eof');
  });

  it('carries a Buffer larger than the channel window intact', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
    const result = await conn.exec('wc -c; ', { input: big });
    assert.equal(Number(result.stdout.trim()), big.length);
    const sum = await conn.exec('sha256sum | cut -d" " -f1', { input: big });
    const { createHash } = await import('node:crypto');
    assert.equal(sum.stdout.trim(), createHash('sha256').update(big).digest('hex'));
  });

  it('without input, behaves as before (stdin stays open; the command need not read it)', async () => {
    const result = await conn.exec('echo out; echo err >&2; exit 3');
    assert.deepEqual(
      { code: result.code, stdout: result.stdout, stderr: result.stderr },
      { code: 3, stdout: 'out\n', stderr: 'err\n' },
    );
  });

  it('opens an SFTP session that writes a private file', async () => {
    const sftp = await conn.sftp();
    const home = (await conn.exec('printf %s "$HOME"')).stdout;
    const path = `${home}/.sftp-input-test-${process.pid}`;
    try {
      await new Promise<void>((resolve, reject) =>
        sftp.writeFile(path, 'hello', { mode: 0o600 }, (err) => (err ? reject(err) : resolve())),
      );
    } finally {
      sftp.end();
    }
    const seen = await conn.exec(`stat -c %a ${path} && cat ${path} && rm -f ${path}`);
    assert.equal(seen.stdout, '600\nhello');
  });
});
