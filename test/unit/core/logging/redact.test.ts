// The redaction rules one by one, and the ordinary text they must leave alone (a log that redacts
// error codes, fingerprints or public keys would be useless for support).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { SecretRedactor, redactShapes } from '../../../../src/core/logging/redact';

describe('redaction', () => {
  test('each secret shape is replaced by a marker naming what it was', () => {
    const key = randomBytes(64).toString('base64');
    const cases: Array<[string, string]> = [
      [`key ${key} end`, 'key [redacted storage key] end'],
      [`AccountKey=${key};EndpointSuffix=x`, 'AccountKey=[redacted];EndpointSuffix=x'],
      ['https://a.blob/x?sp=r&sig=ab%2Bc&se=1 next', 'https://a.blob/x?[redacted SAS] next'],
      ['SharedAccessSignature=sv=1&sig=ab%2Bc;x', 'SharedAccessSignature=[redacted SAS];x'],
      ['Authorization: Bearer abc.def-ghi', 'Authorization: Bearer [redacted]'],
      ['x-ms: SharedKey team:c2lnbmF0dXJl', 'x-ms: SharedKey [redacted]'],
      ['t eyJhbGci.eyJzdWIi.c2ln done', 't [redacted token] done'],
      ['http://localhost:1/?code=0.AQ-x&state=s', 'http://localhost:1/?code=[redacted]&state=s'],
      ['{"client_secret":"a\\"b","x":1}', '{"client_secret":"[redacted]","x":1}'],
      ["{ password: 'p w' }", "{ password: '[redacted]' }"],
      ['passphrase: hunter22 typed', 'passphrase: [redacted] typed'],
      ['lab?token=abc123&x', 'lab?token=[redacted]&x'],
      [
        '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----!',
        '[redacted private key]!',
      ],
      ['-----BEGIN RSA PRIVATE KEY-----\nMIIEow (cut', '[redacted private key]'],
    ];
    for (const [input, expected] of cases) assert.equal(redactShapes(input), expected, input);
  });

  test('ordinary log text stays as it is', () => {
    const plain = [
      'azure: the token cache /x/token-cache.nocae.bin could not be decrypted; starting afresh',
      'rpc: azure.scale failed: {"code":"InvalidParameter","message":"sku.capacity"}',
      'Basic SKU public IPs are refused (BasicSkuRetired); exit code=255',
      'host key ssh-ed25519 SHA256:9p1fhpMBhJp0M2ZAbcDeFgHiJkLmNoPqRsTuVwXyZ12 trusted',
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF3dwm8kVx0u1mNqS4ZcPpWZ9j3e8b2Yh7zQm1gS3mQ7 alice@laptop',
      'connected conn-1 to local-0 (127.0.0.1:40123) of local',
      'team: added alice on share team of coreteamstore',
    ];
    for (const line of plain) assert.equal(redactShapes(line), line);
  });

  test('registered values go in every encoding; short ones are ignored; shapes still apply', () => {
    const r = new SecretRedactor();
    r.add('p@ss word/1');
    r.add('abc');
    r.add(undefined);
    assert.equal(r.redact('typed p@ss word/1.'), 'typed [redacted].');
    assert.equal(r.redact(`url ?p=${encodeURIComponent('p@ss word/1')}`), 'url ?p=[redacted]');
    assert.equal(r.redact(JSON.stringify({ v: 'p@ss word/1' })), '{"v":"[redacted]"}');
    assert.equal(r.redact('abc stays'), 'abc stays');
    assert.equal(
      r.redactValue(new Error('with p@ss word/1')).split('\n')[0],
      'Error: with [redacted]',
    );
    assert.equal(r.redactValue({ token: 'x' }), "{ token: '[redacted]' }");
  });
});
