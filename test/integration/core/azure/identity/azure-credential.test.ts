// Signing in to Azure with the real @azure/identity credentials against the emulator's Entra ID
// (service principal, environment, a stand-in `az`, device code); who am I, subscriptions,
// resource groups, and the encrypted persistent token cache.
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ErrorCode, type RpcError } from '../../../../../src/common/errors';
import {
  AzureCredential,
  type DeviceCodePrompt,
  type TokenCacheProtector,
} from '../../../../../src/core/azure/identity/index';
import { resolveAzureEnvironment } from '../../../../../src/core/azure/arm/index';
import { startAzureEmulator, type AzureEmulator } from '../../../../emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../../../../emulators/azure/emulator-trust';

// Node reads NODE_EXTRA_CA_CERTS only at start: this re-runs the file with it set if needed.
await trustEmulatorCertificate();

const CLIENT_ID = 'dsvm-pool-tests';
const CLIENT_SECRET = 'emulator-secret-for-credential-tests';

/** AES-256-GCM with a key in memory: what Electron's safeStorage does with the OS keyring. */
function testProtector(): TokenCacheProtector & { key: Buffer } {
  const key = randomBytes(32);
  return {
    key,
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

describe('Azure sign-in against the emulator (real @azure/identity)', () => {
  let emulator: AzureEmulator;
  let dir: string;
  const envBefore = { ...process.env };
  /** Sets environment variables (undefined deletes) until the returned function restores them. */
  const setEnv = (vars: Record<string, string | undefined>) => {
    const old = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    const apply = (values: Record<string, string | undefined>) => {
      for (const [k, v] of Object.entries(values)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    };
    apply(vars);
    return () => apply(old);
  };

  before(async () => {
    emulator = await startAzureEmulator({
      clientSecrets: { [CLIENT_ID]: CLIENT_SECRET },
      deviceCodeIntervalSeconds: 1,
    });
    emulator.createResourceGroup('zeta-rg', 'westeurope');
    emulator.createResourceGroup('alpha-rg', 'northeurope');
    dir = await mkdtemp(join(tmpdir(), 'azure-credential-'));
  });
  after(async () => {
    await emulator?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const environment = () =>
    resolveAzureEnvironment({ resourceManagerEndpoint: emulator.url, authorityHost: emulator.url });
  const tokenRequests = () =>
    emulator.requestsMatching(`POST /${emulator.tenantId}/oauth2/v2.0/token`).length;

  test('signed out: a clear message, no request', async () => {
    const credential = new AzureCredential({ environment: environment() });
    assert.equal(credential.status.signedIn, false);
    await assert.rejects(credential.listSubscriptions(), (err: RpcError) => {
      assert.equal(err.code, ErrorCode.NotSignedIn);
      assert.match(err.message, /^Sign in to Azure first: the app is not signed in/);
      return true;
    });
    await assert.rejects(credential.getToken(environment().scopes), {
      name: 'CredentialUnavailableError',
    });
  });

  test('environment credential, pointed at the emulator by DSVM_POOL_* variables: who am I, subscriptions, resource groups', async () => {
    const restore = setEnv({
      DSVM_POOL_ARM_ENDPOINT: emulator.url,
      DSVM_POOL_AUTHORITY_HOST: emulator.url,
      AZURE_TENANT_ID: emulator.tenantId,
      AZURE_CLIENT_ID: CLIENT_ID,
      AZURE_CLIENT_SECRET: CLIENT_SECRET,
    });
    try {
      const credential = new AzureCredential({ dataDir: join(dir, 'env') });
      assert.equal(credential.environment.resourceManagerEndpoint, emulator.url);
      assert.equal(credential.environment.disableInstanceDiscovery, true);
      const statuses: boolean[] = [];
      credential.onDidChange((s) => statuses.push(s.signedIn));

      const account = await credential.signIn({ kind: 'environment' });
      assert.deepEqual(
        {
          kind: account.kind,
          tenantId: account.tenantId,
          userName: account.userName,
          sp: account.isServicePrincipal,
        },
        { kind: 'environment', tenantId: emulator.tenantId, userName: CLIENT_ID, sp: true },
      );
      assert.deepEqual(statuses, [true]);
      assert.equal((await credential.whoAmI()).userName, CLIENT_ID);
      const subscriptions = await credential.listSubscriptions();
      assert.deepEqual(subscriptions, [
        {
          subscriptionId: emulator.subscriptionId,
          displayName: 'Azure emulator subscription',
          state: 'Enabled',
          tenantId: emulator.tenantId,
        },
      ]);
      const groups = await credential.listResourceGroups(emulator.subscriptionId);
      assert.deepEqual(
        groups.map((g) => `${g.name} ${g.location}`),
        ['alpha-rg northeurope', 'zeta-rg westeurope'],
      );

      // The next start signs in silently as before; the account file holds no secret.
      const saved = await readFile(join(dir, 'env', 'azure-account.json'), 'utf8');
      assert.doesNotMatch(saved, new RegExp(CLIENT_SECRET));
      const restarted = new AzureCredential({ dataDir: join(dir, 'env') });
      assert.equal((await restarted.restore())?.kind, 'environment');
      assert.equal(restarted.status.signedIn, true);
      await restarted.signOut();
      assert.equal(restarted.status.signedIn, false);
      assert.equal(await new AzureCredential({ dataDir: join(dir, 'env') }).restore(), undefined);

      setEnv({ AZURE_CLIENT_SECRET: undefined });
      await assert.rejects(credential.signIn({ kind: 'environment' }), (err: RpcError) => {
        assert.equal(err.code, ErrorCode.AuthFailed);
        assert.match(err.message, /AZURE_CLIENT_SECRET/);
        return true;
      });
      assert.equal(
        credential.status.signedIn,
        true,
        'a failed sign-in keeps the account that works',
      );
    } finally {
      restore();
    }
  });

  test('Azure CLI: a clear message when az is not signed in, its token when it is', async () => {
    const bin = join(dir, 'bin');
    await rm(bin, { recursive: true, force: true });
    await mkdir(bin, { recursive: true });
    const tokenFile = join(dir, 'cli-token');
    // A stand-in `az`: `account get-access-token` as the real one answers it.
    await writeFile(
      join(bin, 'az'),
      `#!/bin/sh
if [ "$1 $2" = "account get-access-token" ]; then
  if [ -f '${tokenFile}' ]; then
    printf '{"accessToken":"%s","expires_on":%s,"tokenType":"Bearer"}' "$(cat '${tokenFile}')" $(( $(date +%s) + 3600 ))
    exit 0
  fi
  echo "ERROR: Please run 'az login' to setup account." >&2
  exit 1
fi
exit 2
`,
    );
    await chmod(join(bin, 'az'), 0o755);
    const restore = setEnv({ PATH: `${bin}:${envBefore.PATH ?? ''}` });
    try {
      const credential = new AzureCredential({ environment: environment() });
      assert.equal(await credential.isAzureCliSignedIn(), false);
      await assert.rejects(credential.signIn({ kind: 'cli' }), (err: RpcError) => {
        assert.equal(err.code, ErrorCode.AuthFailed);
        assert.match(
          err.message,
          /^Could not sign in to Azure with the Azure CLI: .*az login.*Install the Azure CLI and run `az login`/,
        );
        return true;
      });
      await writeFile(tokenFile, emulator.issueToken('az-user'));
      assert.equal(await credential.isAzureCliSignedIn(), true);
      const account = await credential.signIn({ kind: 'cli' });
      assert.equal(account.kind, 'cli');
      assert.equal(account.userName, 'az-user');
      assert.equal((await credential.listSubscriptions()).length, 1, "ARM accepts az's token");
    } finally {
      restore();
    }
  });

  test('persistent token cache: encrypted at rest, used by the next start, cleared at sign-out', async () => {
    const cacheDir = join(dir, 'cache');
    const protector = testProtector();
    const method = {
      kind: 'service-principal' as const,
      tenantId: emulator.tenantId,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
    };
    const first = new AzureCredential({ environment: environment(), dataDir: cacheDir, protector });
    assert.equal(first.status.persistentCache, true);
    const before = tokenRequests();
    await first.signIn(method);
    assert.equal(tokenRequests() - before, 1);
    const token = (await first.getToken(environment().scopes, { enableCae: true }))!.token;

    const files = (await readdir(cacheDir)).filter((f) => f.endsWith('.bin'));
    assert.ok(files.length > 0, `cache files in ${cacheDir}`);
    for (const file of files) {
      const raw = await readFile(join(cacheDir, file));
      assert.ok(!raw.includes(token.slice(0, 40)), 'no token in clear text');
      assert.ok(!raw.includes('AccessToken'), 'no MSAL cache JSON in clear text');
    }

    // "Next start": a new credential with the same folder and key finds the token.
    const second = new AzureCredential({
      environment: environment(),
      dataDir: cacheDir,
      protector,
    });
    await second.signIn(method);
    assert.equal(tokenRequests() - before, 1, 'no new token request: the cache answered');

    // Another key (a reset keyring) cannot read it: the app just gets a new token.
    const third = new AzureCredential({
      environment: environment(),
      dataDir: cacheDir,
      protector: testProtector(),
    });
    await third.signIn(method);
    assert.equal(tokenRequests() - before, 2);

    await third.signOut();
    assert.deepEqual(
      (await readdir(cacheDir)).filter((f) => f.endsWith('.bin')),
      [],
    );
  });

  test('device code with the sign-in service out of reach: a sentence naming it, not a bare network_error', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const lines: string[] = [];
    const credential = new AzureCredential({
      environment: resolveAzureEnvironment({
        resourceManagerEndpoint: emulator.url,
        authorityHost: `https://127.0.0.1:${port}`,
      }),
      tenantId: emulator.tenantId,
      log: (line) => lines.push(line),
    });
    await assert.rejects(
      credential.signIn({ kind: 'device-code', onPrompt: () => {} }),
      (err: RpcError) => {
        assert.equal(err.code, ErrorCode.Unreachable);
        assert.match(
          err.message,
          new RegExp(
            `^Could not sign in to Azure with a device code: the app cannot reach the Microsoft sign-in service at 127\\.0\\.0\\.1:${port} \\(.+\\)\\. Check the network connection, proxy or VPN`,
          ),
        );
        return true;
      },
    );
    assert.deepEqual(
      lines.map((l) => l.replace(/ended: .*/, 'ended: …')),
      ['azure: sign-in with device code started', 'azure: sign-in with device code ended: …'],
    );
  });

  test('browser sign-in: refused in the headless host; elsewhere it times out or cancels, saying so', async () => {
    const headless = new AzureCredential({ environment: environment(), interactiveBrowser: false });
    await assert.rejects(headless.signIn({ kind: 'browser' }), (err: RpcError) => {
      assert.equal(err.code, ErrorCode.BadInput);
      assert.match(err.message, /desktop app only.*Use Device code/);
      return true;
    });

    // An authority that takes the connection and never answers: the browser never gets its page.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const lines: string[] = [];
      const credential = new AzureCredential({
        environment: resolveAzureEnvironment({
          resourceManagerEndpoint: emulator.url,
          authorityHost: `https://127.0.0.1:${port}`,
        }),
        tenantId: emulator.tenantId,
        browserTimeoutMs: 300,
        log: (line) => lines.push(line),
      });
      await assert.rejects(credential.signIn({ kind: 'browser' }), (err: RpcError) => {
        assert.equal(err.code, ErrorCode.AuthFailed);
        assert.match(
          err.message,
          /^Sign-in in the browser did not finish within 1 s: .*use Device code/,
        );
        return true;
      });
      assert.equal(lines[0], 'azure: sign-in with browser started');
      assert.match(
        lines[1] ?? '',
        /^azure: sign-in with browser ended: Sign-in in the browser did not finish/,
      );

      const cancel = new AbortController();
      setTimeout(() => cancel.abort(), 50);
      await assert.rejects(
        new AzureCredential({
          environment: resolveAzureEnvironment({
            resourceManagerEndpoint: emulator.url,
            authorityHost: `https://127.0.0.1:${port}`,
          }),
          tenantId: emulator.tenantId,
        }).signIn({ kind: 'browser' }, cancel.signal),
        (err: RpcError) => err.code === ErrorCode.Cancelled && err.message === 'Sign-in cancelled.',
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test('device code: the message reaches the callback; the account and its cache survive a restart', async () => {
    const env = environment();
    const protector = testProtector();
    const dataDir = join(dir, 'device');
    const prompts: DeviceCodePrompt[] = [];
    const polls = () =>
      emulator
        .requestsMatching(`POST /${emulator.tenantId}/oauth2/v2.0/token`)
        .filter((r) => r.at >= started);
    const started = new Date();
    const credential = new AzureCredential({
      environment: env,
      dataDir,
      protector,
      tenantId: emulator.tenantId,
    });
    const account = await credential.signIn({
      kind: 'device-code',
      onPrompt: (p) => {
        prompts.push(p);
        // The user enters the code once the app has polled (and heard "pending") once.
        const wait = setInterval(() => {
          if (polls().some((r) => r.status === 400)) {
            clearInterval(wait);
            emulator.users.approveDeviceCode(p.userCode);
          }
        }, 20);
      },
    });
    assert.equal(prompts.length, 1);
    assert.match(prompts[0].userCode, /^[0-9A-F]{9}$/);
    assert.match(prompts[0].message, new RegExp(`enter the code ${prompts[0].userCode}`));
    assert.equal(prompts[0].verificationUri, `${emulator.url}/devicelogin`);
    assert.equal(account.kind, 'device-code');
    assert.equal(account.isServicePrincipal, false);
    assert.equal(account.userName, emulator.users.user.userName);
    assert.equal((await credential.listSubscriptions()).length, 1);
    assert.deepEqual(
      polls().map((r) => r.status),
      [400, 200],
      'polled through authorization_pending',
    );

    // Restart: silent sign-in from the saved account record and the encrypted cache; no new code.
    const restarted = new AzureCredential({
      environment: env,
      dataDir,
      protector,
      tenantId: emulator.tenantId,
    });
    const again = await restarted.restore();
    assert.equal(again?.kind, 'device-code');
    assert.equal(prompts.length, 1);
    assert.equal(polls().length, 2, 'no token request after the restart');
    assert.equal((await restarted.listResourceGroups(emulator.subscriptionId)).length, 2);
  });
});
