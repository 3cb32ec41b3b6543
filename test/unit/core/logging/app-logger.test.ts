// The app's log file: secrets logged in many shapes (a storage key, a SAS signature, tokens, a
// typed passphrase, a private key) never reach <dataDir>/logs/main.log, which stays owner-only
// and rotates by size, keeping a few files.
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createAppLogger } from '../../../../src/core/logging/app-logger';

describe('app logger: <dataDir>/logs/main.log', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'app-logger-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('a storage key, a SAS signature, tokens, a passphrase and a private key never reach the file, in any shape', async () => {
    const dataDir = join(root, 'secrets');
    const logger = createAppLogger({ dataDir });
    const storageKey = randomBytes(64).toString('base64');
    const sig = randomBytes(32).toString('base64');
    const jwt = [
      Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url'),
      Buffer.from(`{"upn":"ada@contoso.example","n":"${randomBytes(8).toString('hex')}"}`).toString(
        'base64url',
      ),
      randomBytes(32).toString('base64url'),
    ].join('.');
    const jupyterToken = randomBytes(24).toString('hex');
    const hostToken = randomBytes(24).toString('base64url');
    const passphrase = `horse battery ${randomBytes(4).toString('hex')} staple`;
    const privateKey = generateKeyPairSync('ed25519').privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    logger.addSecret(passphrase);
    logger.addSecret(hostToken);

    const sas = `sv=2022-11-02&ss=f&srt=sco&sp=rwdlc&se=2030-01-01T00:00:00Z&st=2024-01-01T00:00:00Z&spr=https&sig=${encodeURIComponent(sig)}`;
    logger.log(`storage: listKeys answered ${storageKey}`);
    logger.info({ keys: [{ keyName: 'key1', value: storageKey, permissions: 'FULL' }] });
    logger.log(`DefaultEndpointsProtocol=https;AccountName=team;AccountKey=${storageKey};`);
    logger.log(`GET https://team.file.core.windows.net/share/.pool/users.json?${sas} -> 200`);
    logger.log(`FileEndpoint=https://team.file.core.windows.net/;SharedAccessSignature=${sas}`);
    logger.warn(`raw signature sig=${sig}, not URL-encoded`);
    logger.log(`request headers: { authorization: 'Bearer ${jwt}' }`);
    logger.info({ token_type: 'Bearer', access_token: jwt, refresh_token: 'rt-0.AAAA-secret' });
    logger.log(`id token ${jwt} in prose`);
    logger.log(`jupyter: http://127.0.0.1:8888/lab?token=${jupyterToken}`);
    logger.log(`{"token": "${jupyterToken}", "port": 8888}`);
    logger.log(`headless host at http://dsvm-x.localhost:1234/?token=${hostToken}`);
    logger.log(`the host's token is ${hostToken} (said out loud)`);
    logger.log(`key passphrase typed: ${passphrase}`);
    logger.log(
      `as a URL: https://x/?p=${encodeURIComponent(passphrase)} and JSON ${JSON.stringify({ p: passphrase })}`,
    );
    logger.error(new Error(`could not decrypt the key with "${passphrase}"`));
    logger.error(`key file content:\n${privateKey}`);
    logger.log(`truncated: ${privateKey.slice(0, 60)}`);

    const text = await readFile(join(dataDir, 'logs', 'main.log'), 'utf8');
    const secrets = {
      storageKey,
      sig,
      sigEncoded: encodeURIComponent(sig),
      jwt,
      refreshToken: 'rt-0.AAAA-secret',
      jupyterToken,
      hostToken,
      passphrase,
      passphraseEncoded: encodeURIComponent(passphrase),
      keyBody: privateKey.split('\n')[1]!,
    };
    for (const [name, value] of Object.entries(secrets)) {
      assert.ok(!text.includes(value), `${name} reached the log file:\n${text}`);
    }
    // What was around the secrets is still there, so the log stays useful.
    assert.match(text, /listKeys answered \[redacted storage key\]/);
    assert.match(text, /users\.json\?\[redacted SAS\] -> 200/);
    assert.match(text, /Bearer \[redacted\]/);
    assert.match(text, /lab\?token=\[redacted\]/);
    assert.match(text, /\[redacted private key\]/);
    assert.match(text, /\[error\] Error: could not decrypt the key with "\[redacted\]"/);
    assert.equal(text.split('\n').filter(Boolean).length >= 19, true);
  });

  test('the log folder and file are owner-only, also when an older file was wider', async () => {
    const dataDir = join(root, 'modes');
    await mkdir(join(dataDir, 'logs'), { recursive: true });
    await writeFile(join(dataDir, 'logs', 'main.log'), 'old line\n');
    await chmod(join(dataDir, 'logs', 'main.log'), 0o644);
    const logger = createAppLogger({ dataDir });
    logger.log('a line');
    assert.equal((await stat(join(dataDir, 'logs', 'main.log'))).mode & 0o777, 0o600);
    assert.equal(logger.filePath, join(dataDir, 'logs', 'main.log'));
    const fresh = join(root, 'fresh');
    createAppLogger({ dataDir: fresh }).log('first');
    assert.equal((await stat(join(fresh, 'logs'))).mode & 0o777, 0o700);
    assert.equal((await stat(join(fresh, 'logs', 'main.log'))).mode & 0o777, 0o600);
  });

  test('rotates by size: main.log, then main.1.log (newest) … main.<keep>.log; older ones go', async () => {
    const dataDir = join(root, 'rotation');
    const logger = createAppLogger({ dataDir, maxBytes: 400, keep: 2 });
    for (let i = 0; i < 60; i++) logger.log(`line ${String(i).padStart(3, '0')} ${'x'.repeat(40)}`);
    const logs = join(dataDir, 'logs');
    assert.deepEqual((await readdir(logs)).sort(), ['main.1.log', 'main.2.log', 'main.log']);
    const current = await readFile(join(logs, 'main.log'), 'utf8');
    const newest = await readFile(join(logs, 'main.1.log'), 'utf8');
    const older = await readFile(join(logs, 'main.2.log'), 'utf8');
    assert.match(current, /line 059/);
    const first = (text: string) => Number(/line (\d+)/.exec(text)![1]);
    assert.ok(first(older) < first(newest) && first(newest) < first(current), 'oldest last');
    assert.doesNotMatch(older + newest + current, /line 000 /, 'the oldest lines were dropped');
    for (const name of ['main.log', 'main.1.log', 'main.2.log']) {
      assert.equal((await stat(join(logs, name))).mode & 0o777, 0o600, name);
    }
  });

  test('without a data folder nothing is written; two loggers do not share secrets', async () => {
    const bare = createAppLogger();
    assert.equal(bare.filePath, undefined);
    bare.log('nowhere');
    const a = createAppLogger({ dataDir: join(root, 'a') });
    const b = createAppLogger({ dataDir: join(root, 'b') });
    a.addSecret('only-a-knows-this');
    a.log('a: only-a-knows-this');
    b.log('b: only-a-knows-this');
    assert.match(await readFile(join(root, 'a', 'logs', 'main.log'), 'utf8'), /a: \[redacted\]/);
    assert.match(
      await readFile(join(root, 'b', 'logs', 'main.log'), 'utf8'),
      /b: only-a-knows-this/,
    );
  });
});
