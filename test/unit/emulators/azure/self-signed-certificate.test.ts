// The emulator's self-signed certificate: a valid X.509 for 127.0.0.1 and localhost that a TLS
// client accepts when it is the trust anchor, and refuses otherwise.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createSelfSignedCertificate } from '../../../emulators/azure/self-signed-certificate';

describe('self-signed certificate', () => {
  const made = createSelfSignedCertificate({ validDays: 30 });

  it('is a self-signed v3 certificate for 127.0.0.1 and localhost', () => {
    const x509 = new X509Certificate(made.cert);
    assert.equal(x509.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(x509.checkHost('localhost'), 'localhost');
    assert.equal(x509.checkHost('example.com'), undefined);
    assert.ok(x509.verify(x509.publicKey), 'signed by its own key');
    assert.equal(x509.subject, x509.issuer);
    assert.ok(x509.ca);
    const days = (new Date(x509.validTo).getTime() - Date.now()) / 86_400_000;
    assert.ok(days > 29 && days < 31);
  });

  for (const host of ['127.0.0.1', 'localhost']) {
    it(`serves HTTPS that a client trusting it accepts (${host})`, async () => {
      const server = https.createServer({ cert: made.cert, key: made.key }, (_req, res) =>
        res.end('ok'),
      );
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      try {
        const get = (ca?: string) =>
          new Promise<string>((resolve, reject) => {
            https
              .get({ host, port, path: '/', ca, agent: false }, (res) => {
                let body = '';
                res.on('data', (d: Buffer) => (body += d));
                res.on('end', () => resolve(body));
              })
              .on('error', reject);
          });
        assert.equal(await get(made.cert), 'ok');
        await assert.rejects(
          get(createSelfSignedCertificate().cert),
          /self.signed|unable to verify/i,
        );
      } finally {
        server.close();
      }
    });
  }
});
