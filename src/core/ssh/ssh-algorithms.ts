// Which ciphers the app offers, fastest first by measurement in ssh2's path, and whether ssh2's
// optional native crypto binding is in use (it is used where it loads; the app works without).
import { createRequire } from 'node:module';
import type { CipherAlgorithm } from 'ssh2';

// Not named `require`: the bundled host declares its own.
const requireCjs = createRequire(import.meta.url);

/**
 * True when ssh2 loaded its native binding (`sshcrypto.node`, built by node-gyp; Electron needs
 * it rebuilt, so a packaged app may not have it). ssh2 falls back to Node's crypto by itself.
 */
export const nativeCryptoLoaded: boolean = (() => {
  try {
    return (requireCjs('ssh2/lib/protocol/crypto.js') as { bindingAvailable: boolean })
      .bindingAvailable;
  } catch {
    return false;
  }
})();

/**
 * Ciphers to offer, fastest first; the client's order decides (RFC 4253 §7.1: the first one on
 * our list that the server also has). Measured per packet and per GiB on ssh2's path (README,
 * "Benchmarks"): AES-GCM needs no separate MAC and Node's OpenSSL runs it with AES-NI and
 * carry-less multiply, about twice CTR + HMAC-SHA-256 for bulk; chacha20-poly1305 is slowest
 * without the binding (its Poly1305 then runs in WebAssembly) and second with it. No weak
 * algorithm is offered (no CBC, no arcfour, no 3DES); MACs stay ssh2's defaults (SHA-2 ETM first).
 */
export function preferredCiphers(nativeCrypto = nativeCryptoLoaded): CipherAlgorithm[] {
  const gcm: CipherAlgorithm[] = ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com'];
  const ctr: CipherAlgorithm[] = ['aes128-ctr', 'aes192-ctr', 'aes256-ctr'];
  const chacha: CipherAlgorithm = 'chacha20-poly1305@openssh.com';
  return nativeCrypto ? [...gcm, chacha, ...ctr] : [...gcm, ...ctr, chacha];
}

/** What a connection negotiated, as ssh2's `handshake` event reports it. */
export interface Negotiated {
  kex: string;
  serverHostKey: string;
  cs: { cipher: string; mac: string };
  sc: { cipher: string; mac: string };
}

/** e.g. "aes128-gcm@openssh.com, Node crypto" or "aes128-ctr + hmac-sha2-256-etm@openssh.com, native crypto". */
export function describeCipher(negotiated: Negotiated | undefined): string {
  const backend = nativeCryptoLoaded ? 'ssh2 native crypto' : 'Node crypto';
  if (!negotiated) return backend;
  const { cipher, mac } = negotiated.sc;
  // AEAD ciphers carry their own MAC; ssh2 reports it as empty or "<implicit>".
  const withMac = mac && !mac.startsWith('<') ? `${cipher} + ${mac}` : cipher;
  return `${withMac}, ${backend}`;
}
