// Starts the app on the demo's emulator: the desktop app when Electron's binary is there, else the
// headless host (out/main/host.js, as `npm start` runs it), with the demo's environment: the
// emulator's endpoints and certificate, the service principal's secret (environment only, never
// argv), the data folder, and DSVM_POOL_DEMO_EMULATOR, the one switch that labels it a demo.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { DEMO_EMULATOR_ENV } from '../src/common/demo-label';
import type { AzureEmulator } from '../test/emulators/azure/azure-emulator';

export const ROOT = join(import.meta.dirname, '..');

/** What the app (and the demo's own seeding, which signs in the same way) needs in its environment. */
export function demoAppEnv(
  emulator: AzureEmulator,
  credential: { clientId: string; clientSecret: string },
  dataDir: string,
): Record<string, string> {
  return {
    NODE_EXTRA_CA_CERTS: emulator.certificate.certPath,
    DSVM_POOL_ARM_ENDPOINT: emulator.url,
    DSVM_POOL_AUTHORITY_HOST: emulator.url,
    AZURE_TENANT_ID: emulator.tenantId,
    AZURE_CLIENT_ID: credential.clientId,
    AZURE_CLIENT_SECRET: credential.clientSecret,
    DSVM_POOL_DATA_DIR: dataDir,
    [DEMO_EMULATOR_ENV]: emulator.url,
    // The demo's app never asks an update feed.
    DSVM_POOL_DISABLE_UPDATES: '1',
  };
}

export interface DemoApp {
  child: ChildProcess;
  /** The headless host's tokened address; undefined for the desktop app. */
  url?: string;
  /** Ends the app (SIGTERM, as Ctrl+C does) and waits for it. */
  stop(): Promise<void>;
}

export interface DemoAppOptions {
  env: Record<string, string>;
  dataDir: string;
  /** Electron's binary: the desktop app. Without it, the headless host. */
  electron?: string;
  /** The host's and the desktop app's own output lines (its log, redacted). */
  log: (line: string) => void;
}

export async function startDemoApp(options: DemoAppOptions): Promise<DemoApp> {
  const env = { ...process.env, ...options.env };
  // Marks of the demo's own start-up, not the app's business.
  delete env.DSVM_POOL_AZURE_EMULATOR_TRUST;
  const child = options.electron
    ? spawn(options.electron, [ROOT], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, [join(ROOT, 'out/main/host.js'), '--data-dir', options.dataDir], {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  /** Kept until the host serves, for the error when it does not. */
  let output = '';
  let serving = false;
  const lines = (chunk: Buffer) => {
    if (!serving) output += chunk.toString();
    for (const line of chunk.toString().split('\n')) if (line.trim()) options.log(line);
  };
  child.stdout!.on('data', lines);
  child.stderr!.on('data', lines);
  if (options.electron) return { child, stop };

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the app did not start in 60 s:\n${output}`)),
      60_000,
    );
    const find = () => {
      const match = /(http:\/\/dsvm-[a-z0-9]+\.localhost:\d+\/\?token=[\w-]+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      serving = true;
      child.stdout!.off('data', find);
      resolve(match[1]!);
    };
    child.stdout!.on('data', find);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the app exited with ${code} before it served:\n${output}`));
    });
  });
  return { child, url, stop };
}
