// The certificate trust of emulator tests: a process started without NODE_EXTRA_CA_CERTS runs
// itself again trusting the emulator (and still trusting what it trusted before), and exits with
// the re-run's exit code.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { loadEmulatorCertificate } from '../../emulators/azure/emulator-certificate';
import { createSelfSignedCertificate } from '../../emulators/azure/self-signed-certificate';

const trustModule = pathToFileURL(
  join(import.meta.dirname, '../../emulators/azure/emulator-trust.ts'),
).href;
const certificateModule = pathToFileURL(
  join(import.meta.dirname, '../../emulators/azure/emulator-certificate.ts'),
).href;

describe('trustEmulatorCertificate', () => {
  let dir: string;
  const other = createSelfSignedCertificate();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emulator-trust-'));
    await writeFile(join(dir, 'other-ca.pem'), other.cert);
    await writeFile(join(dir, 'other-key.pem'), other.key);
    // Serves HTTPS with one certificate and fetches it with the default trust store.
    await writeFile(
      join(dir, 'probe.mts'),
      `import https from 'node:https';
import { readFileSync } from 'node:fs';
import { trustEmulatorCertificate } from ${JSON.stringify(trustModule)};
import { loadEmulatorCertificate } from ${JSON.stringify(certificateModule)};
process.stdout.write('start ' + process.pid + '\\n');
await trustEmulatorCertificate();
const emulator = await loadEmulatorCertificate();
const pairs = [[emulator.cert, emulator.key]];
if (process.argv[2] === 'other') pairs.push([readFileSync(${JSON.stringify(join(dir, 'other-ca.pem'))}, 'utf8'), readFileSync(${JSON.stringify(join(dir, 'other-key.pem'))}, 'utf8')]);
for (const [cert, key] of pairs) {
  const server = https.createServer({ cert, key }, (_q, s) => s.end('ok'));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;
  const body = await new Promise((resolve, reject) => https.get('https://127.0.0.1:' + port + '/', (res) => { let b = ''; res.on('data', (d) => (b += d)); res.on('end', () => resolve(b)); }).on('error', reject));
  server.close();
  process.stdout.write('fetched ' + body + '\\n');
}
process.exit(7);
`,
    );
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function probe(env: NodeJS.ProcessEnv, arg = '') {
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', join(dir, 'probe.mts'), arg],
        { env, cwd: join(import.meta.dirname, '../../..') },
        (err, stdout, stderr) => resolve({ code: err ? (err.code as number) : 0, stdout, stderr }),
      );
    });
  }

  it('re-runs a process that does not trust the emulator, and passes its exit code on', async () => {
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    delete env.DSVM_POOL_AZURE_EMULATOR_TRUST;
    const result = await probe(env);
    assert.equal(result.code, 7, result.stderr);
    const starts = result.stdout.match(/^start \d+$/gm) ?? [];
    assert.equal(starts.length, 2, 'the process ran twice');
    assert.match(result.stdout, /fetched ok/);
  });

  it('keeps trusting the CAs NODE_EXTRA_CA_CERTS already named', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_EXTRA_CA_CERTS: join(dir, 'other-ca.pem'),
    };
    delete env.DSVM_POOL_AZURE_EMULATOR_TRUST;
    const result = await probe(env, 'other');
    assert.equal(result.code, 7, result.stderr);
    assert.equal(result.stdout.match(/fetched ok/g)?.length, 2, result.stdout);
  });

  it('does not re-run a process that already trusts it', async () => {
    const { certPath } = await loadEmulatorCertificate();
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_EXTRA_CA_CERTS: certPath };
    delete env.DSVM_POOL_AZURE_EMULATOR_TRUST;
    const result = await probe(env);
    assert.equal(result.code, 7, result.stderr);
    assert.equal(result.stdout.match(/^start \d+$/gm)?.length, 1);
  });
});
