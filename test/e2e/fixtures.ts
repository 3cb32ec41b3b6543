// Starts the real headless host (`node out/main/host.js`, as `npm start` does) with a fresh data
// folder and hands its tokened address to the tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, type Page } from '@playwright/test';
import type { ServedEmulator } from '../emulators/azure/serve';

export interface RunningApp {
  url: string;
  origin: string;
  token: string;
  dataDir: string;
}

export async function startHost(
  env: NodeJS.ProcessEnv = {},
): Promise<{ app: RunningApp; child: ChildProcess }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dsvm-pool-e2e-'));
  const child = spawn(process.execPath, ['out/main/host.js', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/dsvm-[a-z0-9]+\.localhost:\d+\/\?token=[\w-]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`host exited with ${code}:\n${output}`)));
  });
  const parsed = new URL(url);
  return {
    app: { url, origin: parsed.origin, token: parsed.searchParams.get('token')!, dataDir },
    child,
  };
}

/** The Azure emulator (test/emulators/azure/serve.ts) as its own process. */
async function startEmulator(
  options: object,
): Promise<{ emulator: ServedEmulator; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/emulators/azure/serve.ts', JSON.stringify(options)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const emulator = await new Promise<ServedEmulator>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start:\n${output}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.startsWith('{'));
      if (line && output.includes('\n')) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as ServedEmulator);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}:\n${output}`)));
  });
  return { emulator, child };
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export interface AzureApp extends RunningApp {
  emulator: ServedEmulator;
}

/** whyApp's agents: one minute of the idle window lasts this long (a 5-minute window: 40 s). */
export const IDLE_MINUTE_MS = 8000;

const CLIENT_ID = 'dsvm-pool-e2e';
const CLIENT_SECRET = 'e2e-emulator-secret';

async function startAzureApp(
  extra: object,
  hostEnv: NodeJS.ProcessEnv = {},
): Promise<{ app: AzureApp; stop: () => Promise<void> }> {
  const { emulator, child: emulatorChild } = await startEmulator({
    clientSecrets: { [CLIENT_ID]: CLIENT_SECRET },
    delays: { vmCreate: 300, vmStart: 300, vmDeallocate: 300, vmDelete: 200, resource: 100 },
    ...extra,
  });
  const { app, child } = await startHost({
    NODE_EXTRA_CA_CERTS: emulator.caFile,
    DSVM_POOL_ARM_ENDPOINT: emulator.url,
    DSVM_POOL_AUTHORITY_HOST: emulator.url,
    AZURE_TENANT_ID: emulator.tenantId,
    AZURE_CLIENT_ID: CLIENT_ID,
    AZURE_CLIENT_SECRET: CLIENT_SECRET,
    ...hostEnv,
  });
  return {
    app: { ...app, emulator },
    stop: async () => {
      await stop(child);
      await stop(emulatorChild);
      await rm(app.dataDir, { recursive: true, force: true });
    },
  };
}

export const test = base.extend<
  { freshApp: RunningApp },
  { app: RunningApp; azureApp: AzureApp; teamApp: AzureApp; whyApp: AzureApp }
>({
  /** A host of its own for one test: nothing trusted or opened by earlier tests of the worker. */
  // eslint-disable-next-line no-empty-pattern
  freshApp: async ({}, use) => {
    const { app, child } = await startHost();
    await use(app);
    await stop(child);
    await rm(app.dataDir, { recursive: true, force: true });
  },
  /**
   * The host pointed at a fresh Azure emulator, as a signed-in admin would run it: the
   * environment credential (a service principal the emulator knows), the emulator's endpoints,
   * and its certificate trusted through NODE_EXTRA_CA_CERTS. Production code is unchanged.
   */
  azureApp: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const running = await startAzureApp({});
      await use(running.app);
      await running.stop();
    },
    { scope: 'worker' },
  ],
  /** The same, with real Linux VMs: sshd and the agent in private mount namespaces (root). */
  teamApp: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const running = await startAzureApp({ namespaceVms: { agentIntervalMs: 1000 } });
      await use(running.app);
      await running.stop();
    },
    { scope: 'worker' },
  ],
  /**
   * The Azure emulator with an autoscale clock the test moves (its control channel:
   * `emulator.controlUrl`), real Linux VMs whose agent runs its watch as its service would (test
   * knobs: a 1 s cycle and poll, an idle window whose minute lasts 8 s), and a host that reads the
   * agents' heartbeats every 2 s.
   */
  whyApp: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const running = await startAzureApp(
        {
          manualClock: new Date().toISOString(),
          control: true,
          namespaceVms: {
            agentIntervalMs: 2000,
            watch: {
              cycleMs: 1000,
              eventsPollMs: 1000,
              jitterMaxMs: 500,
              idleMinuteMs: IDLE_MINUTE_MS,
              restartMs: 1000,
            },
          },
        },
        { DSVM_POOL_HEARTBEAT_INTERVAL_MS: '2000' },
      );
      await use(running.app);
      await running.stop();
    },
    { scope: 'worker' },
  ],
  app: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const { app, child } = await startHost();
      await use(app);
      await stop(child);
      await rm(app.dataDir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
});

/**
 * The terminal on show. Terminals live in the app, not the page, so a page opened on a host
 * that an earlier test used also lists (hidden) that test's terminals.
 */
export function shownTerminal(page: Page) {
  return page.locator('[data-testid^="terminal-"][data-cols][aria-hidden="false"]');
}

/** The text xterm.js shows, one line per row. */
export async function screenText(page: Page, terminalId: string): Promise<string> {
  const rows = await page
    .getByTestId(`terminal-${terminalId}`)
    .locator('.xterm-rows > div')
    .allTextContents();
  // xterm.js renders spaces as no-break spaces.
  return rows.join('\n').replace(/\u00a0/g, ' ');
}

export { expect } from '@playwright/test';
