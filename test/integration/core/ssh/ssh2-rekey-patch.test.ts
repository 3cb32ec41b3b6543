// Our ssh2 patch's key-exchange fix: with the app's async host-key check, the server's NEWKEYS can
// arrive before ours is sent, and stock ssh2 then sent a channel's window adjust ahead of its own
// NEWKEYS (RFC 4253 7.1 allows only transport and key exchange messages there); sshd dropped the
// connection after ~30 re-keys of a busy channel ("Bad packet length"). Against Debian's sshd
// with each cipher the app offers, re-keying every 64 KiB, a 2.4 MB answer and a 1 MiB upload
// arrive intact.
// The same runs hold the patch's `transientReads`: SshConnection reads every chunk into one
// reused buffer, ssh2 reads AES-GCM packets in place and copies for the identification line, the
// cleartext key exchange and the other ciphers, and NEWKEYS lands between packets of one read,
// where the decipher changes (reading those in place failed the handshake itself).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Client } from 'ssh2';
import { preferredCiphers } from '../../../../src/core/ssh/ssh-algorithms';
import { startOpenSshServer } from '../../../helpers/openssh-server';
import { connectToSshd } from '../../../helpers/sshd-connection';

const LINES = 360_000;
const expected = Array.from({ length: LINES }, (_, i) => `${i + 1}\n`).join('');

describe('re-keying during a busy channel', () => {
  for (const cipher of preferredCiphers()) {
    it(`${cipher}: a re-keyed stream arrives intact both ways`, async () => {
      const sshd = await startOpenSshServer({
        extraConfig: [`Ciphers ${cipher}`, 'RekeyLimit 64K'],
      });
      try {
        const connection = await connectToSshd(sshd);
        try {
          assert.equal(connection.negotiated?.sc.cipher, cipher);
          // The connection's ssh2 client: every key exchange after the first emits 'handshake' again (a test-only look inside).
          const client = (connection as unknown as { client: Client }).client;
          let rekeys = 0;
          client.on('handshake', () => rekeys++);

          const down = await connection.exec(`seq 1 ${LINES}`);
          assert.equal(down.code, 0);
          assert.equal(down.stdout.length, expected.length);
          assert.ok(down.stdout === expected, 'the answer differs from `seq` (corrupted reads)');

          const input = Buffer.alloc(1024 * 1024);
          for (let i = 0; i < input.length; i++) input[i] = (i * 7919) & 0xff;
          const up = await connection.exec('sha256sum', { input });
          assert.equal(up.stdout.split(' ')[0], createHash('sha256').update(input).digest('hex'));

          assert.ok(rekeys >= 10, `expected sshd to re-key every 64 KiB, saw ${rekeys} re-keys`);
        } finally {
          connection.dispose();
        }
      } finally {
        await sshd.stop();
      }
    });
  }
});
