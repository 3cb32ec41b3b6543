// Which Node.js runs the agent on a machine reached over SSH: the app's own pinned runtime for
// the machine's arch (uploaded by SFTP, checked against its pinned sha512 on the machine, unpacked
// to /usr/local/lib/dsvm-pool/node), or, only when the app has no runtime for that arch, a
// Node.js 18+ the machine already has. The image's Node.js is never needed otherwise.
import { posix } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { ErrorCode, RpcError } from '../../common/errors';
import {
  AGENT_RUNTIME_DIR,
  findAgentRuntime,
  runtimeArchOf,
  type AgentRuntime,
  type AgentRuntimeArch,
} from '../agent-runtime';
import type { InstallerConnection } from './agent-installer';

export const MIN_NODE_MAJOR = 18;

/** Where Node.js usually is on the images we meet (the Data Science VM: /usr/bin, conda). */
const NODE_CANDIDATES = [
  '/usr/bin/node',
  '/usr/local/bin/node',
  '/opt/conda/bin/node',
  '/anaconda/bin/node',
];

/** POSIX-sh single quoting. */
export const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export interface AgentNode {
  path: string;
  version: string;
  /** `bundled`: the app's pinned runtime; `machine`: a Node.js the machine had. */
  source: 'bundled' | 'machine';
}

/** How the agent's Node.js gets onto the machine, decided before anything changes there. */
export interface NodePlan {
  node: AgentNode;
  /** The runtime tarball to upload and unpack (absent when it is there already, or not used). */
  upload?: AgentRuntime;
  /** What `uname -m` said. */
  machine: string;
}

/** Finds the runtime of an arch in this build (default: out/agent/runtime, checked). */
export type RuntimeLookup = (arch: AgentRuntimeArch) => Promise<AgentRuntime | undefined>;

/**
 * The runtime's installer, run as root: checks the tarball's sha512 against the pinned one, then
 * unpacks `bin/node` (and its licence) into a new folder beside the old and swaps them, so a
 * running agent keeps its binary. `$1` tarball, `$2` sha512 (hex), `$3` version.
 */
export const RUNTIME_INSTALL_SCRIPT = `set -eu
tgz=$1 sum=$2 version=$3 dir=${AGENT_RUNTIME_DIR}
got=$(sha512sum < "$tgz" | cut -d' ' -f1)
if test "$got" != "$sum"; then
  echo "the Node.js runtime's sha512 is $got, not the pinned $sum: refusing to unpack it" >&2
  exit 4
fi
install -d -m 0755 "$(dirname "$dir")"
new=$(mktemp -d "$dir.new.XXXXXX")
trap 'rm -rf "$new"' EXIT
tar -xzf "$tgz" -C "$new" --strip-components=1 --no-same-owner package/bin/node package/LICENSE
# tar makes bin/ itself (only its files are named) under the caller's umask: members run node too.
chmod 0755 "$new" "$new/bin"
actual=$("$new/bin/node" --version)
if test "$actual" != "v$version"; then
  echo "the unpacked runtime says $actual, not v$version" >&2
  exit 4
fi
printf '%s\\n' "$sum" > "$new/.sha512"
old=
if test -e "$dir"; then old="$dir.old.$$"; mv "$dir" "$old"; fi
mv "$new" "$dir"
trap - EXIT
if test -n "$old"; then rm -rf "$old"; fi
`;

/**
 * Looks at the machine (arch, an installed runtime) and decides which Node.js the agent gets:
 * the app's runtime when it has one for the arch (uploaded only when the machine's differs),
 * else a Node.js 18+ of the machine's own, else a sentence saying what to do.
 */
export async function planAgentNode(
  conn: InstallerConnection,
  options: {
    runtime?: RuntimeLookup;
    signal?: AbortSignal;
    progress: (text: string) => void;
  },
): Promise<NodePlan> {
  const { signal, progress } = options;
  const probe = await conn.exec(
    [
      'uname -m',
      `cat ${AGENT_RUNTIME_DIR}/.sha512 2>/dev/null || echo none`,
      `${AGENT_RUNTIME_DIR}/bin/node --version 2>/dev/null || echo none`,
    ].join('; '),
    { signal },
  );
  const [machine = '', stamp = '', installed = ''] = probe.stdout.split('\n').map((l) => l.trim());
  const arch = runtimeArchOf(machine);
  const runtime = arch ? await (options.runtime ?? findAgentRuntime)(arch) : undefined;
  if (runtime) {
    const node: AgentNode = {
      path: `${AGENT_RUNTIME_DIR}/bin/node`,
      version: `v${runtime.version}`,
      source: 'bundled',
    };
    if (stamp === runtime.sha512 && installed === `v${runtime.version}`) {
      progress(`The agent's own Node.js ${runtime.version} (${arch}) is there already.`);
      return { node, machine };
    }
    return { node, upload: runtime, machine };
  }
  const why = arch
    ? `this build of the app has no Node.js runtime for ${arch}`
    : `the app brings no Node.js runtime for ${machine || 'this machine'}'s architecture`;
  progress(`Note: ${why}; looking for the machine's own Node.js ${MIN_NODE_MAJOR} or later…`);
  const found = await findMachineNode(conn, signal);
  if (!found.found) {
    const seen = found.seen.length
      ? ` (found only ${found.seen.map((n) => `${n.version || 'an unusable node'} at ${n.path}`).join(', ')})`
      : '';
    throw new RpcError(
      ErrorCode.NotFound,
      `The agent runs on Node.js: ${why}, and ${conn.where} has no Node.js ${MIN_NODE_MAJOR} or later${seen}. ` +
        (arch
          ? 'Build the app with `npm run build` (it fetches the runtime), or install Node.js 18+ on the machine, then install the agent again.'
          : 'Install Node.js 18 or later on the machine (e.g. from NodeSource), then install the agent again.'),
    );
  }
  progress(`Node.js ${found.found.version} at ${found.found.path} (the machine's own).`);
  return { node: { ...found.found, source: 'machine' }, machine };
}

/** Uploads the runtime tarball next to the bundle (0600, the login user's private folder). */
export async function uploadRuntime(
  sftp: SFTPWrapper,
  folder: string,
  runtime: AgentRuntime,
): Promise<string> {
  const remote = posix.join(folder, runtime.fileName);
  await new Promise<void>((resolve, reject) =>
    sftp.fastPut(runtime.path, remote, { mode: 0o600 }, (err) =>
      err
        ? reject(new RpcError(ErrorCode.Internal, `Could not upload ${remote}: ${err.message}`))
        : resolve(),
    ),
  );
  return remote;
}

/** `sudo -n sh -c '<installer>' …`: the runtime checked and unpacked as root. */
export function runtimeInstallCommand(remote: string, runtime: AgentRuntime): string {
  return [
    'sudo',
    '-n',
    'sh',
    '-c',
    shq(RUNTIME_INSTALL_SCRIPT),
    'dsvm-pool-runtime',
    shq(remote),
    runtime.sha512,
    runtime.version,
  ].join(' ');
}

interface NodeFound {
  path: string;
  version: string;
}

/** `command -v node` and the usual places; the first that runs and is new enough wins. */
async function findMachineNode(
  conn: InstallerConnection,
  signal?: AbortSignal,
): Promise<{ found?: NodeFound; seen: NodeFound[] }> {
  const script = [
    `for c in "$(command -v node 2>/dev/null)" ${NODE_CANDIDATES.join(' ')}; do`,
    '  [ -n "$c" ] && [ -x "$c" ] || continue',
    `  printf '%s\\t%s\\n' "$c" "$("$c" --version 2>/dev/null)"`,
    'done',
  ].join('\n');
  const answer = await conn.exec(script, { signal });
  const seen: NodeFound[] = [];
  for (const line of answer.stdout.split('\n')) {
    const [path = '', version = ''] = line.trim().split('\t');
    if (!path || seen.some((s) => s.path === path)) continue;
    seen.push({ path, version: version.trim() });
  }
  // Only a path the commands below can carry safely (it is quoted too).
  const found = seen.find(
    (n) =>
      /^(\/[A-Za-z0-9._+-]+)+$/.test(n.path) &&
      Number(/^v(\d+)\./.exec(n.version)?.[1] ?? 0) >= MIN_NODE_MAJOR,
  );
  return found ? { found, seen } : { seen };
}
