// A person's Azure sign-in (device code, browser) survives a restart of the app's core: sign in
// over RPC against the emulator's Entra ID, stop the core, start a new one on the same data
// folder, and ARM answers without a new sign-in. Tokens on disk: encrypted with a protector (the
// desktop app's safeStorage), else in owner-only files (the headless host, no keyring).
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { AzureSignInStatus } from '../../../../../src/common/models';
import { RpcClient } from '../../../../../src/common/rpc';
import { createMemoryTransportPair } from '../../../../../src/common/transports/memory';
import { createAppCore, type AppCore } from '../../../../../src/core/app-core';
import {
  tokenCacheFiles,
  type TokenCacheProtector,
} from '../../../../../src/core/azure/identity/index';
import { startAzureEmulator, type AzureEmulator } from '../../../../emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../../../../emulators/azure/emulator-trust';
import { until } from '../../../../helpers/until';

await trustEmulatorCertificate();

/** AES-256-GCM with a key in memory: what Electron's safeStorage does with the OS keyring. */
function testProtector(): TokenCacheProtector {
  const key = randomBytes(32);
  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decrypt(data) {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

describe('Azure sign-in survives a restart of the core', () => {
  let emulator: AzureEmulator;
  let root: string;
  const running: AppCore[] = [];

  before(async () => {
    emulator = await startAzureEmulator({ deviceCodeIntervalSeconds: 1 });
    process.env.DSVM_POOL_ARM_ENDPOINT = emulator.url;
    process.env.DSVM_POOL_AUTHORITY_HOST = emulator.url;
    root = await mkdtemp(join(tmpdir(), 'sign-in-restart-'));
  });
  after(async () => {
    for (const core of running) await core.dispose();
    await emulator?.close();
    await rm(root, { recursive: true, force: true });
  });

  /** A core on `dataDir` and a UI talking to it over RPC, as either shell runs it. */
  async function start(dataDir: string, tokenProtector?: TokenCacheProtector) {
    const lines: string[] = [];
    const core = await createAppCore({
      dataDir,
      shell: tokenProtector ? 'electron' : 'headless',
      version: '9.9.9',
      log: (line) => lines.push(line),
      localInstances: 0,
      ...(tokenProtector ? { tokenProtector } : {}),
    });
    running.push(core);
    const [a, b] = createMemoryTransportPair();
    core.rpc.connect(b);
    const ui = new RpcClient(a);
    let status: AzureSignInStatus | undefined;
    ui.on('azure.onDidChangeSignIn', (s) => (status = s));
    // The device code is "entered" at the emulator's verification page, as the user would.
    ui.on('azure.onDeviceCode', (p) => void emulator.users.approveDeviceCode(p.userCode));
    return { core, ui, lines, signedIn: () => status?.signedIn === true && status };
  }

  const stop = async (core: AppCore) => {
    await core.dispose();
    running.splice(running.indexOf(core), 1);
  };

  /** Token requests, device code requests and authorize visits so far. */
  const signIns = () => ({
    token: emulator.requestsMatching(`POST /${emulator.tenantId}/oauth2/v2.0/token`).length,
    deviceCode: emulator.requestsMatching(`POST /${emulator.tenantId}/oauth2/v2.0/devicecode`)
      .length,
    authorize: emulator.requestsMatching(`GET /${emulator.tenantId}/oauth2/v2.0/authorize`).length,
  });

  test('device code, headless (no keyring): after a restart ARM answers without a new sign-in; the cache is an owner-only file', async () => {
    const dataDir = join(root, 'headless');
    const first = await start(dataDir);
    const status = await first.ui.call('azure.signIn', {
      kind: 'device-code',
      tenantId: emulator.tenantId,
    });
    assert.equal(status.signedIn, true);
    assert.equal(status.tokenStorage, 'owner-only-file');
    assert.equal(status.account?.userName, emulator.users.user.userName);
    assert.equal(status.account?.isServicePrincipal, false);
    assert.ok(
      first.lines.some((l) => /no OS keyring here/.test(l) && /0600/.test(l)),
      'the headless host says where its tokens are kept',
    );
    assert.equal((await first.ui.call('azure.listSubscriptions', {})).length, 1);
    await stop(first.core);

    // The signed-in account (its home account id) is remembered, with no token or secret.
    const account = JSON.parse(
      await readFile(join(dataDir, 'azure', 'azure-account.json'), 'utf8'),
    );
    assert.equal(account.kind, 'device-code');
    const record = JSON.parse(account.record) as { homeAccountId: string };
    assert.equal(record.homeAccountId, `${emulator.users.user.objectId}.${emulator.tenantId}`);
    assert.doesNotMatch(JSON.stringify(account), /eyJ|refresh|rt-/);
    // The cache: owner-only files, which hold the tokens (no keyring to encrypt them with).
    const cacheFiles = await existing(tokenCacheFiles(join(dataDir, 'azure'), false));
    assert.ok(cacheFiles.length > 0, 'an owner-only cache file');
    for (const file of cacheFiles) assert.equal((await stat(file)).mode & 0o777, 0o600, file);
    assert.deepEqual(await existing(tokenCacheFiles(join(dataDir, 'azure'), true)), []);

    const before = signIns();
    const second = await start(dataDir);
    const restored = await until(
      'the restarted core to sign in as before',
      second.signedIn,
      15_000,
    );
    assert.equal(restored.account?.userName, emulator.users.user.userName);
    const groups = await second.ui.call('azure.listSubscriptions', {});
    assert.equal(groups[0]?.subscriptionId, emulator.subscriptionId);
    assert.deepEqual(
      signIns(),
      before,
      'no new sign-in: no token, device code or authorize request',
    );
  });

  test('owner-only cache widened by hand is made 0600 again on the next restart', async () => {
    const dataDir = join(root, 'headless');
    const [file] = await existing(tokenCacheFiles(join(dataDir, 'azure'), false));
    for (const core of [...running]) await stop(core);
    await chmod(file!, 0o644);
    const third = await start(dataDir);
    await until('the restarted core to sign in', third.signedIn, 15_000);
    assert.equal((await stat(file!)).mode & 0o777, 0o600);
    assert.ok(third.lines.some((l) => /readable by others/.test(l)));
    await stop(third.core);
  });

  test('browser, with a protector (the desktop app): the cache never holds a token in clear text; a restart needs no new sign-in', async () => {
    const dataDir = join(root, 'desktop');
    const protector = testProtector();
    // The stand-in browser `open` launches (xdg-open runs $BROWSER without a desktop session).
    const browser = join(root, 'browser.sh');
    const script = fileURLToPath(new URL('../../../../helpers/fake-browser.mjs', import.meta.url));
    await writeFile(browser, `#!/bin/sh\nexec "${process.execPath}" "${script}" "$1"\n`);
    await chmod(browser, 0o755);
    const saved = { BROWSER: process.env.BROWSER, DISPLAY: process.env.DISPLAY };
    process.env.BROWSER = browser;
    delete process.env.DISPLAY;
    try {
      const first = await start(dataDir, protector);
      const status = await first.ui.call('azure.signIn', {
        kind: 'browser',
        tenantId: emulator.tenantId,
      });
      assert.equal(status.signedIn, true);
      assert.equal(status.tokenStorage, 'keyring');
      assert.equal(status.account?.userName, emulator.users.user.userName);
      await first.ui.call('azure.listSubscriptions', {});
      await stop(first.core);
    } finally {
      process.env.BROWSER = saved.BROWSER;
      if (saved.DISPLAY !== undefined) process.env.DISPLAY = saved.DISPLAY;
      if (saved.BROWSER === undefined) delete process.env.BROWSER;
    }

    const files = await existing(tokenCacheFiles(join(dataDir, 'azure'), true));
    assert.ok(files.length > 0, 'encrypted cache files');
    assert.deepEqual(await existing(tokenCacheFiles(join(dataDir, 'azure'), false)), []);
    for (const file of files) {
      const raw = await readFile(file);
      assert.ok(!raw.includes('eyJ'), `no JWT in clear text in ${file}`);
      assert.ok(!raw.includes('rt-'), `no refresh token in clear text in ${file}`);
      assert.ok(!raw.includes('AccessToken'), `no MSAL cache JSON in clear text in ${file}`);
    }

    const before = signIns();
    const second = await start(dataDir, protector);
    await until('the restarted desktop core to sign in as before', second.signedIn, 15_000);
    assert.equal((await second.ui.call('azure.listSubscriptions', {})).length, 1);
    assert.deepEqual(signIns(), before, 'no new sign-in after the restart');

    // Another keyring (another OS account, a reset keyring) cannot read it: signed out, no crash.
    await stop(second.core);
    const third = await start(dataDir, testProtector());
    await until(
      'the silent sign-in to give up',
      () => third.lines.some((l) => /silent sign-in as before did not work/.test(l)),
      15_000,
    );
    assert.equal((await third.ui.call('azure.status', {})).signedIn, false);
    await third.ui.call('azure.signOut', {});
    assert.deepEqual(await existing(tokenCacheFiles(join(dataDir, 'azure'), true)), []);
  });
});

async function existing(files: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const file of files) {
    const dir = join(file, '..');
    if ((await readdir(dir).catch(() => [] as string[])).includes(file.split('/').pop()!)) {
      out.push(file);
    }
  }
  return out;
}
