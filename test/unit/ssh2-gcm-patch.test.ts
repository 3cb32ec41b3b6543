// Our ssh2 patch also changes its pure-JS AES-GCM path (the one the app runs: ssh2's native
// binding is not built for Electron): a small packet leaves in one write, padding comes from a
// pooled random buffer, and a packet is decrypted whole once its bytes are in. These tests hold
// the security-relevant part: every split of the stream decrypts to the same payloads, and a
// changed byte anywhere (length, body, tag) is refused. Interop with OpenSSH is covered by every
// integration test that talks to the real sshd.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

interface CipherInfo {
  sslName: string;
  keyLen: number;
  ivLen: number;
}
interface Ssh2Cipher {
  allocPacket(payloadLen: number): Buffer;
  encrypt(packet: Buffer): void;
}
interface Ssh2Decipher {
  decrypt(data: Buffer, p: number, dataLen: number): number | undefined;
}
const require = createRequire(import.meta.url);
const crypto = require('ssh2/lib/protocol/crypto.js') as {
  CIPHER_INFO: Record<string, CipherInfo>;
  createCipher(config: unknown): Ssh2Cipher;
  createDecipher(config: unknown): Ssh2Decipher;
};

const info = crypto.CIPHER_INFO['aes128-gcm@openssh.com'];
const key = randomBytes(info.keyLen);
const iv = randomBytes(info.ivLen);

/** Encrypts each payload as one SSH packet; returns the socket writes of each. */
function seal(payloads: Buffer[]): Buffer[][] {
  let writes: Buffer[] = [];
  const cipher = crypto.createCipher({
    outbound: {
      onWrite: (data: Buffer) => writes.push(Buffer.from(data)),
      cipherInfo: info,
      cipherKey: key,
      cipherIV: Buffer.from(iv),
      seqno: 0,
      forceNative: true,
    },
  });
  return payloads.map((payload) => {
    writes = [];
    const packet = cipher.allocPacket(payload.length);
    payload.copy(packet, 5);
    cipher.encrypt(packet);
    return writes;
  });
}

/**
 * Feeds `stream` to a decipher in pieces of the given sizes (cycled); returns the payloads. With
 * `reuse`, every piece lands in one buffer that is scribbled over after each call, as the app's
 * SSH socket reads do (`onread` + our patch's `transientReads`).
 */
function open(stream: Buffer, pieces: number[], reuse = false): Buffer[] {
  const payloads: Buffer[] = [];
  const decipher = crypto.createDecipher({
    inbound: {
      onPayload: (payload: Buffer) => void payloads.push(Buffer.from(payload)),
      decipherInfo: info,
      decipherKey: key,
      decipherIV: Buffer.from(iv),
      seqno: 0,
      forceNative: true,
    },
  });
  const shared = Buffer.alloc(3 + Math.max(...pieces));
  for (let at = 0, i = 0; at < stream.length; i++) {
    const size = Math.min(pieces[i % pieces.length], stream.length - at);
    if (reuse) {
      stream.copy(shared, 3, at, at + size);
      decipher.decrypt(shared, 3, 3 + size);
      shared.fill(0xee);
    } else {
      // A fresh buffer per piece, at an offset, as socket reads hand them over.
      const piece = Buffer.concat([Buffer.alloc(3), stream.subarray(at, at + size)]);
      decipher.decrypt(piece, 3, piece.length);
    }
    at += size;
  }
  return payloads;
}

describe('ssh2 AES-GCM patch (pure-JS path)', () => {
  const payloads = [0, 1, 15, 100, 4_000, 32 * 1024, 64 * 1024 + 3, 256 * 1024].map((n) =>
    randomBytes(n),
  );

  it('writes a small packet once and a large one in pieces', () => {
    const writes = seal(payloads);
    payloads.forEach((payload, i) => {
      if (payload.length < 32 * 1024 - 64) assert.equal(writes[i].length, 1, `${payload.length} B`);
      else assert.ok(writes[i].length >= 3, `${payload.length} B`);
    });
  });

  it('decrypts the same payloads however the stream is split', () => {
    const stream = Buffer.concat(seal(payloads).flat());
    for (const pieces of [[stream.length], [1], [7, 1, 3], [65_536], [16, 300_000], [4, 12, 999]]) {
      const opened = open(stream, pieces);
      assert.equal(opened.length, payloads.length, `pieces ${pieces.join(',')}`);
      opened.forEach((payload, i) => assert.ok(payload.equals(payloads[i]), `packet ${i}`));
    }
  });

  it('reads in place: one buffer overwritten after every piece decrypts alike', () => {
    // ssh2's Protocol#parseTransient hands a reused read buffer only to a decipher that says so.
    const decipher = crypto.createDecipher({
      inbound: {
        onPayload: () => {},
        decipherInfo: info,
        decipherKey: key,
        decipherIV: Buffer.from(iv),
        seqno: 0,
        forceNative: true,
      },
    }) as Ssh2Decipher & { readsInPlace?: boolean };
    assert.equal(decipher.readsInPlace, true);
    const stream = Buffer.concat(seal(payloads).flat());
    for (const pieces of [[1], [7, 1, 3], [65_536], [262_144], [16, 300_000], [4, 12, 999]]) {
      const opened = open(stream, pieces, true);
      assert.equal(opened.length, payloads.length, `pieces ${pieces.join(',')}`);
      opened.forEach((payload, i) => assert.ok(payload.equals(payloads[i]), `packet ${i}`));
    }
  });

  it('refuses a changed byte in the length, the body or the tag', () => {
    const [packet] = seal([Buffer.from('exec rm -rf ~')]);
    const sealed = Buffer.concat(packet);
    for (const at of [3, 4, 10, sealed.length - 16, sealed.length - 1]) {
      const forged = Buffer.from(sealed);
      forged[at] ^= 0x01;
      assert.throws(
        () => open(forged, [forged.length]),
        /Unsupported state or unable to authenticate data|Bad packet length/,
        `byte ${at}`,
      );
    }
  });
});
