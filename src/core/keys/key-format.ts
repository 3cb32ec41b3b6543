// Reads private key text the way ssh2 will use it: OpenSSH or PEM (PKCS#1, SEC1, PKCS#8), plain or
// encrypted, and tells a wrong passphrase from a file that is no key at all.
import { createPrivateKey, type KeyObject } from 'node:crypto';
// ssh2 is CommonJS whose `utils` Node's ESM loader cannot see as a named export.
import ssh2 from 'ssh2';

const { utils } = ssh2;

export type KeyText =
  /** Usable as is. */
  | { kind: 'plain'; privateKey: string; publicKey: Buffer }
  /** Needs a passphrase; `publicKey` when the file shows it without one (OpenSSH format). */
  | { kind: 'encrypted'; publicKey?: Buffer }
  /** A `.pub` file or an `authorized_keys` line, not a private key. */
  | { kind: 'public' }
  /** Not a key ssh2 can use; `reason` names the problem, never key material. */
  | { kind: 'invalid'; reason: string };

export type Decrypted =
  /** `privateKey` and `passphrase` go to ssh2 together (PKCS#8 comes back already decrypted). */
  | { ok: true; privateKey: string; passphrase?: string; publicKey: Buffer }
  | { ok: false; wrongPassphrase: true }
  | { ok: false; wrongPassphrase: false; reason: string };

const PKCS8_ENCRYPTED = /-----BEGIN ENCRYPTED PRIVATE KEY-----/;
const PKCS8_PLAIN = /-----BEGIN PRIVATE KEY-----/;
const OPENSSH =
  /-----BEGIN OPENSSH PRIVATE KEY-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END OPENSSH PRIVATE KEY-----/;

/** What kind of key `text` is, without a passphrase. */
export function inspectKeyText(text: string): KeyText {
  if (PKCS8_ENCRYPTED.test(text)) return { kind: 'encrypted' };
  if (PKCS8_PLAIN.test(text)) {
    const converted = fromPkcs8(text);
    if (converted.ok) {
      return { kind: 'plain', privateKey: converted.privateKey, publicKey: converted.publicKey };
    }
    return { kind: 'invalid', reason: converted.wrongPassphrase ? 'unexpected' : converted.reason };
  }
  const parsed = utils.parseKey(text);
  if (parsed instanceof Error) {
    if (/no passphrase given/i.test(parsed.message)) {
      return { kind: 'encrypted', publicKey: openSshPublicKey(text) };
    }
    return { kind: 'invalid', reason: parsed.message };
  }
  // A file with several keys is something else (e.g. authorized_keys); ssh2 takes only one.
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key) return { kind: 'invalid', reason: 'the file holds no key' };
  if (!key.isPrivateKey()) return { kind: 'public' };
  return { kind: 'plain', privateKey: text, publicKey: key.getPublicSSH() };
}

/** Opens an encrypted key with `passphrase`. */
export function decryptKeyText(text: string, passphrase: string): Decrypted {
  if (PKCS8_ENCRYPTED.test(text)) return fromPkcs8(text, passphrase);
  const parsed = utils.parseKey(text, passphrase);
  if (parsed instanceof Error) {
    // ssh2 says "bad passphrase?" for both OpenSSH and PEM keys that do not decrypt.
    if (/bad passphrase/i.test(parsed.message)) return { ok: false, wrongPassphrase: true };
    return { ok: false, wrongPassphrase: false, reason: parsed.message };
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key?.isPrivateKey()) {
    return { ok: false, wrongPassphrase: false, reason: 'the file holds no private key' };
  }
  return { ok: true, privateKey: text, passphrase, publicKey: key.getPublicSSH() };
}

/**
 * ssh2 reads PKCS#1 and SEC1 PEM but not PKCS#8 (`BEGIN [ENCRYPTED] PRIVATE KEY`, what OpenSSL and
 * `ssh-keygen -m PKCS8` write): Node's crypto opens it and hands ssh2 the PKCS#1/SEC1 form,
 * in memory only.
 */
function fromPkcs8(text: string, passphrase?: string): Decrypted {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: 'pem', passphrase });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (passphrase !== undefined && /BAD_DECRYPT|DECRYPT/i.test(`${code}`)) {
      return { ok: false, wrongPassphrase: true };
    }
    return {
      ok: false,
      wrongPassphrase: false,
      reason: `not a readable PKCS#8 key (${code || 'unknown error'})`,
    };
  }
  const type = key.asymmetricKeyType;
  if (type !== 'rsa' && type !== 'ec') {
    return {
      ok: false,
      wrongPassphrase: false,
      reason:
        `a PKCS#8 ${type ?? 'unknown'} key, which the app cannot use in that format; ` +
        'convert it to the OpenSSH format with `ssh-keygen -p -f <file>`',
    };
  }
  const pem = key.export({ type: type === 'rsa' ? 'pkcs1' : 'sec1', format: 'pem' }).toString();
  const parsed = utils.parseKey(pem);
  if (parsed instanceof Error || Array.isArray(parsed)) {
    return {
      ok: false,
      wrongPassphrase: false,
      reason: parsed instanceof Error ? parsed.message : 'unexpected key format',
    };
  }
  return { ok: true, privateKey: pem, publicKey: parsed.getPublicSSH() };
}

/**
 * The public key an encrypted OpenSSH-format key carries in the clear (PROTOCOL.key: magic,
 * cipher, kdf, kdf options, key count, then the first public key), so an ssh-agent holding the
 * key can be used without asking for the passphrase.
 */
function openSshPublicKey(text: string): Buffer | undefined {
  const match = OPENSSH.exec(text);
  if (!match) return undefined;
  const data = Buffer.from(match[1].replace(/\s+/g, ''), 'base64');
  const magic = Buffer.from('openssh-key-v1\0', 'latin1');
  if (!data.subarray(0, magic.length).equals(magic)) return undefined;
  let offset = magic.length;
  const readString = (): Buffer | undefined => {
    if (offset + 4 > data.length) return undefined;
    const length = data.readUInt32BE(offset);
    offset += 4;
    if (offset + length > data.length) return undefined;
    const value = data.subarray(offset, offset + length);
    offset += length;
    return value;
  };
  for (let i = 0; i < 3; i++) if (!readString()) return undefined; // cipher, kdf, kdf options
  if (offset + 4 > data.length) return undefined;
  offset += 4; // key count
  const publicKey = readString();
  return publicKey && publicKey.length > 0 ? Buffer.from(publicKey) : undefined;
}
