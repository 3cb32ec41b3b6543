// The ciphers the app offers (src/core/ssh/ssh-algorithms.ts) against Debian's OpenSSH sshd: the
// fastest one when the server has it, and every other one we offer when the server allows only
// that one, with data flowing both ways (a wrong MAC or key would end the connection).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { preferredCiphers } from '../../../../src/core/ssh/ssh-algorithms';
import { startOpenSshServer } from '../../../helpers/openssh-server';
import { connectToSshd } from '../../../helpers/sshd-connection';

async function negotiate(serverCiphers?: string): Promise<{ cipher: string; mac: string }> {
  const sshd = await startOpenSshServer({
    extraConfig: serverCiphers ? [`Ciphers ${serverCiphers}`] : [],
  });
  try {
    const connection = await connectToSshd(sshd);
    try {
      // 40 KiB in, its digest out: more than one packet each way through the cipher and MAC.
      const input = Buffer.alloc(40 * 1024, 'x');
      const result = await connection.exec('sha256sum', { input });
      assert.equal(result.code, 0);
      assert.match(result.stdout, /^672f5349216f25c1/);
      const { cipher, mac } = connection.negotiated!.sc;
      return { cipher, mac };
    } finally {
      connection.dispose();
    }
  } finally {
    await sshd.stop();
  }
}

describe('cipher negotiation with OpenSSH', () => {
  it('uses the first cipher we offer when the server has it', async () => {
    const { cipher } = await negotiate();
    assert.equal(cipher, preferredCiphers()[0]);
    assert.equal(cipher, 'aes128-gcm@openssh.com');
  });

  it('falls back to AES-CTR with a SHA-2 encrypt-then-MAC', async () => {
    const { cipher, mac } = await negotiate('aes128-ctr');
    assert.equal(cipher, 'aes128-ctr');
    assert.equal(mac, 'hmac-sha2-256-etm@openssh.com');
  });

  it('falls back to chacha20-poly1305', async () => {
    const { cipher } = await negotiate('chacha20-poly1305@openssh.com');
    assert.equal(cipher, 'chacha20-poly1305@openssh.com');
  });

  it('offers no CBC, arcfour or 3DES cipher', () => {
    for (const native of [false, true]) {
      for (const cipher of preferredCiphers(native)) {
        assert.doesNotMatch(cipher, /cbc|arcfour|3des|blowfish|cast/);
      }
    }
  });
});
