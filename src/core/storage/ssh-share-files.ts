// ShareFiles over SSH: the share as one host of a pool mounts it (the agent's mount point from the
// host's /etc/dsvm-pool/agent.json), for pools whose share the app cannot reach directly (ssh-hosts
// pools: NFS, a bind folder, SMB). Every file operation runs as root with `sudo -n`, because the
// registry is root-owned 0644 in a root 0755 `.pool/`, as the agent keeps them. The registry lock
// is `flock` on `<mount>/.pool/<name>.lock`, held by a process whose life is an SSH channel: when
// the work ends, or the app or its link dies, the channel closes and the lock goes with it, so a
// crashed writer never leaves a stale lock behind.
import { StringDecoder } from 'node:string_decoder';
import type { ClientChannel } from 'ssh2';
import { AgentConfigSchema, SHARE_LAYOUT } from '../../common/agent-protocol';
import { ErrorCode, RpcError } from '../../common/errors';
import { sudoProblem } from '../agent-install/sudo-problem';
import type { ExecResult } from '../ssh/ssh-connection';
import type { ShareEntry, ShareFiles, ShareUsage } from './share-files';

/** What SshShareFiles needs from a connection (SshConnection). */
export interface ShareConnection {
  readonly where: string;
  exec(
    command: string,
    options?: { signal?: AbortSignal; input?: string | Buffer },
  ): Promise<ExecResult>;
  /** A command in a pty whose life the caller holds (the lock's holder). */
  shell(options: {
    cols: number;
    rows: number;
    term?: string;
    command?: string;
  }): Promise<ClientChannel>;
}

export interface SshShareFilesOptions {
  /** The host's name in the pool, for messages. */
  hostName: string;
  /** The login user (sudo messages). */
  user: string;
  /** How long withLock waits for another writer (default 15 s). */
  lockWaitSeconds?: number;
  /** How long `du` may walk the share for usage (default 60 s; then sizes are approximate). */
  usageTimeoutSeconds?: number;
}

const AGENT_CONFIG = '/etc/dsvm-pool/agent.json';
const LOCKED = '@@dsvm-pool:locked';
/** Exit code of the read script when the file does not exist. */
const MISSING = 44;

/** POSIX-sh single quoting. */
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A share-relative path the commands can carry: plain segments, no `..`. */
function checkPath(path: string): string {
  const parts = path.split('/').filter(Boolean);
  if (
    parts.length === 0 ||
    parts.some((p) => p === '.' || p === '..' || !/^[A-Za-z0-9._-]+$/.test(p))
  ) {
    throw new RpcError(ErrorCode.BadInput, `"${path}" is not a path on the share.`);
  }
  return parts.join('/');
}

export class SshShareFiles implements ShareFiles {
  private mountPoint: Promise<string> | undefined;
  private knownMount: string | undefined;

  constructor(
    private readonly conn: ShareConnection,
    private readonly options: SshShareFilesOptions,
  ) {}

  /** "share /mnt/dsvm-pool on lab-1" (the host it is reached through). */
  get label(): string {
    return this.knownMount
      ? `share ${this.knownMount} on ${this.options.hostName}`
      : `the share of ${this.options.hostName}`;
  }

  /**
   * The agent's mount point on the host, once proven mounted: without this check a write would
   * land in the empty mount-point folder of the host's own disk and no other host would see it.
   */
  mount(): Promise<string> {
    this.mountPoint ??= this.findMount();
    // A failure (e.g. not mounted yet) is tried again next time.
    this.mountPoint.catch(() => (this.mountPoint = undefined));
    return this.mountPoint;
  }

  async read(path: string): Promise<string | undefined> {
    const full = `${await this.mount()}/${checkPath(path)}`;
    const answer = await this.root(
      `if [ -f "$1" ]; then exec cat -- "$1"; else exit ${MISSING}; fi`,
      [full],
      `read ${path}`,
    );
    if (answer.code === MISSING) return undefined;
    this.check(answer, `read ${path}`);
    return answer.stdout;
  }

  async writeAtomic(path: string, text: string): Promise<void> {
    const full = `${await this.mount()}/${checkPath(path)}`;
    // A temp file in the same folder (same file system), then rename: readers see old or new.
    const script = [
      'set -e',
      'umask 022',
      'd=${1%/*}',
      'mkdir -p -- "$d"',
      't=$(mktemp "$d/.dsvm-pool-write.XXXXXXXX")',
      'if cat > "$t" && chmod 0644 "$t" && mv -f -- "$t" "$1"; then exit 0; fi',
      'rm -f -- "$t"',
      'exit 1',
    ].join('\n');
    this.check(await this.root(script, [full], `write ${path}`, text), `write ${path}`);
  }

  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    if (!/^[A-Za-z0-9_-]+$/.test(name))
      throw new RpcError(ErrorCode.BadInput, `Bad lock name ${name}.`);
    const dir = `${await this.mount()}/${SHARE_LAYOUT.poolDir}`;
    const wait = this.options.lockWaitSeconds ?? 15;
    // The holder prints the mark once it has the lock, then waits for our newline (or its end).
    const holder = `echo ${LOCKED}; read _ || true`;
    const script = `mkdir -p -- "$1" && exec flock -x -w ${wait} "$1/${name}.lock" sh -c ${q(holder)}`;
    const channel = await this.conn.shell({
      cols: 200,
      rows: 24,
      term: 'dumb',
      command: `sudo -n sh -c ${q(script)} sh ${q(dir)}`,
    });
    const closed = new Promise<number | null>((resolve) => {
      let code: number | null = null;
      channel.on('exit', (c: unknown) => {
        if (typeof c === 'number') code = c;
      });
      channel.on('close', () => resolve(code));
    });
    channel.on('error', () => {});
    try {
      await new Promise<void>((resolve, reject) => {
        const decoder = new StringDecoder('utf8');
        let output = '';
        const onData = (chunk: Buffer) => {
          output += decoder.write(chunk);
          if (output.includes(LOCKED)) {
            channel.off('data', onData);
            resolve();
          }
        };
        channel.on('data', onData);
        void closed.then((code) => {
          if (output.includes(LOCKED)) return;
          const said = output.replace(/\r/g, '').trim();
          reject(
            sudoProblem(code, said, {
              user: this.options.user,
              where: this.conn.where,
              purpose: 'change the team on the share',
            }) ??
              (code === 1 && !said
                ? new RpcError(
                    ErrorCode.Unreachable,
                    `Another app is changing the team on ${this.label} and did not finish within ${wait} s; try again in a minute.`,
                  )
                : new RpcError(
                    ErrorCode.Internal,
                    `Could not lock the team registry on ${this.label}: ${said || `exit ${code}`}`,
                  )),
          );
        });
      });
      return await fn();
    } finally {
      // Let the holder end (its newline), and make sure the channel goes in any case.
      if (channel.writable) channel.write('\n');
      const timer = setTimeout(() => channel.close(), 5_000);
      await closed;
      clearTimeout(timer);
    }
  }

  async list(dir: string): Promise<ShareEntry[]> {
    const full = `${await this.mount()}/${checkPath(dir)}`;
    const answer = await this.root(
      '[ -d "$1" ] || exit 0; exec find "$1" -mindepth 1 -maxdepth 1 -printf "%y %s %f\\0"',
      [full],
      `list ${dir}`,
    );
    this.check(answer, `list ${dir}`);
    const entries: ShareEntry[] = [];
    for (const record of answer.stdout.split('\0')) {
      const match = /^(\S) (\d+) (.+)$/s.exec(record);
      if (!match) continue;
      const [, type, size, name] = match;
      entries.push(
        type === 'd'
          ? { name: name!, isDirectory: true, size: 0 }
          : { name: name!, isDirectory: false, size: Number(size) },
      );
    }
    return entries;
  }

  async usage(): Promise<ShareUsage> {
    const mount = await this.mount();
    const seconds = this.options.usageTimeoutSeconds ?? 60;
    // Apparent sizes in bytes, as Azure Files counts them; a walk that runs out of time says so.
    const script = [
      'cd -- "$1" || exit 1',
      `timeout ${seconds} du -s -b . || echo "timeout"`,
      'echo "@@"',
      'for d in notebooks/*/; do',
      '  [ -d "$d" ] || continue',
      `  timeout ${seconds} du -s -b "$d" || echo "timeout"`,
      'done',
      'exit 0',
    ].join('\n');
    const answer = await this.root(script, [mount], 'read usage');
    this.check(answer, 'read usage');
    const [total = '', users = ''] = answer.stdout.split('@@\n');
    let approximate = /timeout/.test(answer.stdout);
    const usedBytes = Number(/^(\d+)\s/m.exec(total)?.[1] ?? 0);
    const perUser: Record<string, number> = {};
    for (const line of users.split('\n')) {
      const match = /^(\d+)\s+notebooks\/([^/]+)\/?$/.exec(line.trim());
      if (match) perUser[match[2]!] = Number(match[1]);
    }
    if (answer.stderr.includes('Permission denied')) approximate = true;
    return { usedBytes, perUser, approximate };
  }

  setQuota(): Promise<void> {
    return Promise.reject(
      new RpcError(
        ErrorCode.BadInput,
        `The app cannot set a quota on ${this.label}: an SSH-hosts pool's share is served elsewhere (an NFS server, a folder, an SMB share). Set its quota there.`,
      ),
    );
  }

  private async findMount(): Promise<string> {
    const config = await this.conn.exec(`cat ${AGENT_CONFIG} 2>/dev/null`);
    const parsed =
      config.code === 0 ? AgentConfigSchema.safeParse(safeJson(config.stdout)) : undefined;
    if (!parsed?.success) {
      throw new RpcError(
        ErrorCode.NotFound,
        `${this.options.hostName} has ${parsed ? 'an invalid' : 'no'} pool agent configuration (${AGENT_CONFIG}), so its share is unknown: use Install agent… on the pool first.`,
      );
    }
    const mount = parsed.data.share.mountPoint;
    const check = await this.conn.exec(`mountpoint -q ${q(mount)} && echo mounted`);
    if (check.stdout.trim() !== 'mounted') {
      throw new RpcError(
        ErrorCode.Unreachable,
        `The share is not mounted on ${this.options.hostName} (${mount}), so the team cannot be read or changed through it. Use Install agent… on the pool, or check "sudo dsvm-pool-agent status" there.`,
      );
    }
    this.knownMount = mount;
    return mount;
  }

  /** `script` as root (sudo -n sh -c), with `args` as $1…; refusals by sudo become sentences. */
  private async root(
    script: string,
    args: string[],
    action: string,
    input?: string,
  ): Promise<ExecResult> {
    const command = `sudo -n sh -c ${q(script)} sh ${args.map(q).join(' ')}`;
    const answer = await this.conn.exec(command, { input: input ?? '' });
    const refused = sudoProblem(answer.code, `${answer.stderr}\n${answer.stdout}`, {
      user: this.options.user,
      where: this.conn.where,
      purpose: `${action} on the share`,
    });
    if (refused) throw refused;
    return answer;
  }

  private check(answer: ExecResult, action: string): void {
    if (answer.code === 0) return;
    const said = answer.stderr.trim().split('\n').slice(-2).join(' ');
    throw new RpcError(
      ErrorCode.Internal,
      `Could not ${action} on ${this.label}: ${said || `exit ${answer.code}`}`,
    );
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
