// The cipher preference and its description for logs (src/core/ssh/ssh-algorithms.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeCipher, preferredCiphers } from '../../../../src/core/ssh/ssh-algorithms';

describe('preferredCiphers', () => {
  it('puts AES-GCM first and chacha20-poly1305 last without the native binding', () => {
    const ciphers = preferredCiphers(false);
    assert.equal(ciphers[0], 'aes128-gcm@openssh.com');
    assert.equal(ciphers.at(-1), 'chacha20-poly1305@openssh.com');
  });

  it('puts chacha20-poly1305 right after AES-GCM with the binding', () => {
    const ciphers = preferredCiphers(true);
    assert.deepEqual(ciphers.slice(0, 3), [
      'aes128-gcm@openssh.com',
      'aes256-gcm@openssh.com',
      'chacha20-poly1305@openssh.com',
    ]);
  });
});

describe('describeCipher', () => {
  const negotiated = (cipher: string, mac: string) => ({
    kex: 'curve25519-sha256',
    serverHostKey: 'ssh-ed25519',
    cs: { cipher, mac },
    sc: { cipher, mac },
  });

  it('names an AEAD cipher alone', () => {
    assert.match(
      describeCipher(negotiated('aes128-gcm@openssh.com', '')),
      /^aes128-gcm@openssh\.com, /,
    );
  });

  it('names the MAC of a non-AEAD cipher', () => {
    assert.match(
      describeCipher(negotiated('aes128-ctr', 'hmac-sha2-256-etm@openssh.com')),
      /^aes128-ctr \+ hmac-sha2-256-etm@openssh\.com, /,
    );
  });

  it('names the crypto backend', () => {
    assert.match(describeCipher(undefined), /^(ssh2 native crypto|Node crypto)$/);
  });
});
