// SSH public key parsing against keys made by ssh2, and Azure's rules for a VM admin's key.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  azureAdminKeyProblem,
  parseSshPublicKey,
} from '../../../../../src/core/azure/template/pool-template-ssh-key';
import { publicKey } from './pool-fixtures';

function parsed(line: string) {
  const key = parseSshPublicKey(line);
  assert.ok(key.ok, key.ok ? '' : key.reason);
  return key;
}

function reason(line: string): string {
  const key = parseSshPublicKey(line);
  assert.ok(!key.ok, `expected ${line.slice(0, 40)}… to be refused`);
  return key.reason;
}

/** A wire-format blob: each part as uint32 length + bytes. */
function blob(...parts: Array<string | Buffer>): string {
  return Buffer.concat(
    parts.flatMap((p) => {
      const data = typeof p === 'string' ? Buffer.from(p, 'latin1') : p;
      const length = Buffer.alloc(4);
      length.writeUInt32BE(data.length);
      return [length, data];
    }),
  ).toString('base64');
}

describe('parseSshPublicKey', () => {
  test('reads each key type with its size and comment', () => {
    const cases = [
      ['ed25519', 'ssh-ed25519', 256],
      ['rsa-2048', 'ssh-rsa', 2048],
      ['rsa-3072', 'ssh-rsa', 3072],
      ['rsa-1024', 'ssh-rsa', 1024],
      ['ecdsa-256', 'ecdsa-sha2-nistp256', 256],
      ['ecdsa-384', 'ecdsa-sha2-nistp384', 384],
      ['ecdsa-521', 'ecdsa-sha2-nistp521', 521],
    ] as const;
    for (const [kind, type, bits] of cases) {
      const key = parsed(publicKey(kind, "ana's laptop (work)"));
      assert.equal(key.type, type, kind);
      assert.equal(key.bits, bits, kind);
      assert.equal(key.comment, "ana's laptop (work)");
    }
  });

  test('normalizes whitespace and keeps a key without a comment', () => {
    const bare = publicKey('ed25519', '');
    assert.equal(parsed(`  ${bare.replace(' ', '\t ')}   \n`).line, bare);
    assert.equal(parsed(bare).comment, '');
  });

  test('refuses a type in front that differs from the one inside', () => {
    const [, data] = publicKey('ed25519').split(' ');
    assert.match(reason(`ssh-rsa ${data}`), /says ssh-rsa in front but holds a ssh-ed25519 key/);
  });

  test('refuses damaged base64 and truncated or padded key material', () => {
    const [type, data] = publicKey('ed25519').split(' ');
    assert.match(reason(`${type} ${data.slice(0, -4)}`), /not a valid ssh-ed25519 key|damaged/);
    assert.match(reason(`${type} ${data.slice(1)}`), /damaged base64/);
    assert.match(reason(`${type} ${data}!!`), /damaged base64/);
    assert.match(reason(`${type} ${blob('ssh-ed25519', Buffer.alloc(31))}`), /not a valid/);
    assert.match(reason(`${type} ${blob('ssh-ed25519', Buffer.alloc(32), 'x')}`), /not a valid/);
    const point = Buffer.alloc(65, 1);
    assert.match(
      reason(`ecdsa-sha2-nistp384 ${blob('ecdsa-sha2-nistp384', 'nistp256', point)}`),
      /not a valid/,
    );
  });

  test('says what to do with a private key, an SSH2-format key, options or a certificate', () => {
    assert.match(reason('-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n'), /PRIVATE key/);
    assert.match(reason('---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\n'), /ssh-keygen -i/);
    assert.match(reason(`from="10.0.0.1" ${publicKey('ed25519')}`), /must start with ssh-ed25519/);
    assert.match(reason('sk-ssh-ed25519@openssh.com AAAA x'), /security key or certificate/);
    assert.match(reason(''), /empty/);
    assert.match(reason(`${publicKey('ed25519')}\n${publicKey('rsa-2048')}`), /single line/);
  });
});

describe('azureAdminKeyProblem', () => {
  test('accepts ed25519 and RSA of 2048 bits or more', () => {
    for (const kind of ['ed25519', 'rsa-2048', 'rsa-3072'] as const) {
      assert.equal(azureAdminKeyProblem(parsed(publicKey(kind))), undefined, kind);
    }
  });

  test('refuses short RSA keys and ECDSA keys, saying what to use instead', () => {
    assert.match(azureAdminKeyProblem(parsed(publicKey('rsa-1024'))) ?? '', /1024-bit.*2048/);
    assert.match(
      azureAdminKeyProblem(parsed(publicKey('ecdsa-256'))) ?? '',
      /ECDSA.*ssh-keygen -t ed25519/,
    );
  });
});
