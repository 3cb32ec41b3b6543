// Jupyter servers and busy kernels per user (best effort): the users running a Jupyter server
// come from /proc; each server's runtime file (`~/.local/share/jupyter/runtime/jpserver-*.json`,
// `nbserver-*.json` for Notebook 6) gives its port and token for GET /api/kernels on loopback.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readdir } from 'node:fs/promises';
import type { JupyterUsage } from '../common/agent-protocol';
import type { AgentSystem } from './agent-system';
import { hostPath } from './agent-system';
import { readSmallFile } from './safe-fs';
import type { ProcessInfo } from './sessions';
import { processUid } from './sessions';
import { lookupUsers } from './user-db';

const SERVER_SCRIPT = /^(jupyter-(lab|notebook|server)|jupyterhub-singleuser|jupyter-labhub)$/;

/** Whether argv is a Jupyter server (not a kernel, not the `jupyter` launcher's other tools). */
export function isJupyterServer(argv: readonly string[]): boolean {
  for (let i = 0; i < Math.min(argv.length, 4); i++) {
    const base = argv[i].split('/').pop() ?? '';
    if (SERVER_SCRIPT.test(base)) return true;
    if (base === 'jupyter' && /^(lab|notebook|server)$/.test(argv[i + 1] ?? '')) return true;
    if (base === '-m' && /^(jupyter|jupyterlab|notebook|jupyter_server)$/.test(argv[i + 1] ?? '')) {
      return true;
    }
  }
  return false;
}

interface RuntimeInfo {
  port: number;
  token: string;
  baseUrl: string;
  pid: number;
  secure: boolean;
}

function parseRuntime(text: string): RuntimeInfo | undefined {
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    const port = Number(json.port);
    const pid = Number(json.pid);
    if (!Number.isInteger(port) || port <= 0 || port > 65535 || !Number.isInteger(pid))
      return undefined;
    let baseUrl = typeof json.base_url === 'string' ? json.base_url : '/';
    if (!baseUrl.startsWith('/')) baseUrl = `/${baseUrl}`;
    if (!baseUrl.endsWith('/')) baseUrl = `${baseUrl}/`;
    return {
      port,
      pid,
      token: typeof json.token === 'string' ? json.token : '',
      baseUrl,
      secure: typeof json.url === 'string' && json.url.startsWith('https:'),
    };
  } catch {
    return undefined;
  }
}

/** What /api/kernels says of one kernel (Jupyter Server REST API; other fields ignored). */
export interface KernelInfo {
  id?: string;
  execution_state?: string;
  /** ISO, the kernel's last message (Jupyter Server 1.x+, Notebook 6 too). */
  last_activity?: string;
}

/** GET /api/kernels on 127.0.0.1 with the server's token; undefined when it does not answer. */
export function fetchKernels(
  server: Pick<RuntimeInfo, 'port' | 'token' | 'baseUrl' | 'secure'>,
  timeoutMs = 1500,
): Promise<KernelInfo[] | undefined> {
  return new Promise((resolve) => {
    const request = (server.secure ? httpsRequest : httpRequest)(
      {
        host: '127.0.0.1',
        port: server.port,
        path: `${server.baseUrl}api/kernels`,
        method: 'GET',
        headers: server.token ? { Authorization: `token ${server.token}` } : {},
        timeout: timeoutMs,
        // Loopback to a server with a self-signed certificate.
        rejectUnauthorized: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > 4 * 1024 * 1024) request.destroy();
          else chunks.push(chunk);
        });
        response.on('end', () => {
          if (response.statusCode !== 200) return resolve(undefined);
          try {
            const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
            resolve(Array.isArray(body) ? (body as KernelInfo[]) : undefined);
          } catch {
            resolve(undefined);
          }
        });
        response.on('error', () => resolve(undefined));
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
    request.end();
  });
}

/** Per user: their servers (counted) and every kernel those servers answered with. */
export interface UserKernels {
  servers: number;
  kernels: KernelInfo[];
}

/** Each user's Jupyter servers and their kernels (one /api/kernels per server, best effort). */
export async function jupyterKernels(
  system: AgentSystem,
  processes: readonly ProcessInfo[],
): Promise<Map<string, UserKernels>> {
  const servers = processes.filter((info) => isJupyterServer(info.argv));
  const result = new Map<string, UserKernels>();
  if (servers.length === 0) return result;
  const byUid = new Map<number, number[]>();
  for (const server of servers) {
    const uid = await processUid(system, server.pid);
    if (uid === undefined) continue;
    byUid.set(uid, [...(byUid.get(uid) ?? []), server.pid]);
  }
  const users = await lookupUsers(system, [...byUid.keys()]).catch(() => undefined);
  await Promise.all(
    [...byUid].map(async ([uid, pids]) => {
      const user = users?.byUid.get(uid);
      const entry: UserKernels = { servers: 0, kernels: [] };
      result.set(user?.name ?? String(uid), entry);
      const runtimes = user ? await readRuntimes(system, user.home, new Set(pids)) : [];
      // Servers without a readable runtime file (custom JUPYTER_RUNTIME_DIR) still count.
      entry.servers = runtimes.length > 0 ? runtimes.length : pids.length;
      const answers = await Promise.all(runtimes.map((runtime) => fetchKernels(runtime)));
      for (const kernels of answers) if (kernels) entry.kernels.push(...kernels);
    }),
  );
  return result;
}

/** Jupyter servers, kernels and busy kernels per user (the heartbeat's counts). */
export function jupyterUsageOf(kernels: Map<string, UserKernels>): Record<string, JupyterUsage> {
  const usage: Record<string, JupyterUsage> = {};
  for (const [name, entry] of [...kernels].sort(([a], [b]) => a.localeCompare(b))) {
    usage[name] = {
      servers: entry.servers,
      kernels: entry.kernels.length,
      busyKernels: entry.kernels.filter((kernel) => kernel.execution_state === 'busy').length,
    };
  }
  return usage;
}

/** Jupyter servers, kernels and busy kernels per user. */
export async function jupyterUsage(
  system: AgentSystem,
  processes: readonly ProcessInfo[],
): Promise<Record<string, JupyterUsage>> {
  return jupyterUsageOf(await jupyterKernels(system, processes));
}

/** Runtime files of the user's live servers (read without following symlinks, size-capped). */
async function readRuntimes(
  system: AgentSystem,
  home: string,
  livePids: Set<number>,
): Promise<RuntimeInfo[]> {
  const dir = hostPath(system, `${home}/.local/share/jupyter/runtime`);
  const names = await readdir(dir).catch(() => [] as string[]);
  const found: RuntimeInfo[] = [];
  for (const name of names) {
    if (!/^(jpserver|nbserver)-\d+\.json$/.test(name)) continue;
    const text = await readSmallFile(`${dir}/${name}`, 64 * 1024).catch(() => undefined);
    const runtime = text === undefined ? undefined : parseRuntime(text);
    if (runtime && livePids.has(runtime.pid)) found.push(runtime);
  }
  return found;
}
