// A fake machine under a temporary root for the agent's unit tests: it records every argv and
// plays useradd/usermod/gpasswd/getent on <root>/etc/{passwd,group,shadow}, mount/umount on a
// fake <root>/proc/self/mountinfo; home operations run in-process.
import {
  chmod,
  lchown,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  AgentSystem,
  CommandResult,
  Logger,
  PasswdEntry,
  RunOptions,
} from '../../../src/agent/agent-system';
import { hostPath } from '../../../src/agent/agent-system';
import type { HomeOp, HomeOpsResult } from '../../../src/agent/home-ops';
import { runHomeOps, timestampSuffix } from '../../../src/agent/home-ops';
import { processStartTime } from '../../../src/agent/real-system';

export const isRoot = process.getuid?.() === 0;

export interface FakeSystemOptions {
  root: string;
  /** Make `mount` fail with this stderr (exit 32). */
  failMount?: string;
  /** The machine's host name; `vm-test-0` unless given. */
  hostname?: string;
}

export class FakeSystem implements AgentSystem {
  readonly root: string;
  readonly calls: string[][] = [];
  readonly stdinOf: Array<{ argv: string[]; input: string }> = [];
  readonly asUserCalls: Array<{ user: string; ops: HomeOp[] }> = [];
  readonly logs: string[] = [];
  readonly log: Logger;
  readonly ownershipEnforced = isRoot;
  readonly pid = process.pid;
  readonly nodePath = '/usr/bin/node';
  nodeVersion = '20.19.0';
  failMount: string | undefined;
  readonly host: string;
  clock = new Date('2026-11-28T10:00:00.000Z');
  self: string | undefined;
  /** Per uid, the tmux clients `tmux list-clients` answers with (none: no tmux server). */
  readonly tmuxClients = new Map<number, string[]>();
  /** Commands run as a member (RunOptions.as), with that member's uid. */
  readonly runAs: Array<{ uid: number; argv: string[] }> = [];

  constructor(options: FakeSystemOptions) {
    this.root = options.root;
    this.failMount = options.failMount;
    this.host = options.hostname ?? 'vm-test-0';
    this.log = {
      info: (message) => this.logs.push(`info: ${message}`),
      warn: (message) => this.logs.push(`warn: ${message}`),
      error: (message) => this.logs.push(`error: ${message}`),
    };
  }

  path(p: string): string {
    return hostPath(this, p);
  }

  now(): Date {
    return new Date(this.clock);
  }
  hostname(): string {
    return this.host;
  }
  loadavg(): [number, number, number] {
    return [0.5, 0.25, 0.125];
  }
  cpuCount(): number {
    return 4;
  }
  processStartTime(pid: number): string | undefined {
    return processStartTime(pid);
  }
  selfPath(): string | undefined {
    return this.self;
  }
  uid(): number {
    return process.getuid?.() ?? 0;
  }

  async lchown(path: string, uid: number, gid: number): Promise<void> {
    if (isRoot) await lchown(path, uid, gid);
  }

  async asUser(user: PasswdEntry, ops: HomeOp[]): Promise<HomeOpsResult> {
    this.asUserCalls.push({ user: user.name, ops });
    const home = this.path(user.home);
    const result = await runHomeOps({ home, stamp: timestampSuffix(this.now()), ops });
    // What the real helper creates belongs to the user: give it to them (never following links).
    if (isRoot) await chownTree(home, user.uid, user.gid);
    return result;
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    this.calls.push([...argv]);
    if (options.as) this.runAs.push({ uid: options.as.uid, argv: [...argv] });
    if (options.input !== undefined) this.stdinOf.push({ argv: [...argv], input: options.input });
    const [command, ...args] = argv;
    switch (command) {
      case 'getent':
        return this.getent(args);
      case 'useradd':
        return this.useradd(args);
      case 'usermod':
        return this.usermod(args);
      case 'gpasswd':
        return this.gpasswd(args);
      case 'mount':
        return this.mount(args);
      case 'umount':
        return this.umount(args);
      case 'systemctl':
      case 'wall':
        return ok();
      case 'tmux': {
        const clients = options.as ? this.tmuxClients.get(options.as.uid) : undefined;
        if (!clients) return { code: 1, stdout: '', stderr: 'no server running' };
        return args[0] === 'list-clients'
          ? { code: 0, stdout: clients.map((c) => `${c}\n`).join(''), stderr: '' }
          : ok();
      }
      default:
        return { code: 127, stdout: '', stderr: `${command}: not faked` };
    }
  }

  /** Calls whose argv[0] is `command`. */
  callsOf(command: string): string[][] {
    return this.calls.filter((argv) => argv[0] === command);
  }

  private async lines(file: string): Promise<string[]> {
    const text = await readFile(this.path(file), 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean);
  }

  private async writeLines(file: string, lines: string[]): Promise<void> {
    await writeFile(this.path(file), `${lines.join('\n')}\n`);
  }

  private async getent(args: string[]): Promise<CommandResult> {
    const [database, ...keys] = args;
    const lines = await this.lines(database === 'group' ? '/etc/group' : '/etc/passwd');
    const found: string[] = [];
    let missing = false;
    for (const key of keys) {
      const line = lines.find((l) => {
        const fields = l.split(':');
        return fields[0] === key || fields[2] === key;
      });
      if (line) found.push(line);
      else missing = true;
    }
    return { code: missing ? 2 : 0, stdout: found.map((l) => `${l}\n`).join(''), stderr: '' };
  }

  private async useradd(args: string[]): Promise<CommandResult> {
    const name = args[args.length - 1];
    const passwd = await this.lines('/etc/passwd');
    const groups = await this.lines('/etc/group');
    if (passwd.some((l) => l.split(':')[0] === name)) {
      return { code: 9, stdout: '', stderr: `useradd: user '${name}' already exists` };
    }
    if (groups.some((l) => l.split(':')[0] === name)) {
      return { code: 9, stdout: '', stderr: `useradd: group ${name} exists` };
    }
    const uidIndex = args.indexOf('--uid');
    const usedUids = new Set(passwd.map((l) => Number(l.split(':')[2])));
    const usedGids = new Set(groups.map((l) => Number(l.split(':')[2])));
    let uid = uidIndex >= 0 ? Number(args[uidIndex + 1]) : 1000;
    if (uidIndex < 0) while (usedUids.has(uid)) uid++;
    else if (usedUids.has(uid))
      return { code: 4, stdout: '', stderr: `useradd: UID ${uid} is not unique` };
    let gid = uid;
    while (usedGids.has(gid)) gid++;
    const home = `/home/${name}`;
    await this.writeLines('/etc/passwd', [
      ...passwd,
      `${name}:x:${uid}:${gid}:dsvm-pool member:${home}:/bin/bash`,
    ]);
    await this.writeLines('/etc/group', [...groups, `${name}:x:${gid}:`]);
    await this.writeLines('/etc/shadow', [
      ...(await this.lines('/etc/shadow')),
      `${name}:!:20000:0:99999:7:::`,
    ]);
    await mkdir(this.path(home), { recursive: true, mode: 0o750 });
    await chmod(this.path(home), 0o750);
    if (isRoot) await lchown(this.path(home), uid, gid);
    return ok();
  }

  private async usermod(args: string[]): Promise<CommandResult> {
    const name = args[args.length - 1];
    const shadow = await this.lines('/etc/shadow');
    const index = shadow.findIndex((l) => l.split(':')[0] === name);
    if (index < 0) return { code: 6, stdout: '', stderr: `usermod: user '${name}' does not exist` };
    const fields = shadow[index].split(':');
    if (args.includes('--lock') && !fields[1].startsWith('!')) fields[1] = `!${fields[1]}`;
    const expire = args.indexOf('--expiredate');
    if (expire >= 0) fields[7] = args[expire + 1];
    shadow[index] = fields.join(':');
    await this.writeLines('/etc/shadow', shadow);
    const groupsIndex = args.indexOf('--groups');
    if (groupsIndex >= 0) {
      const group = args[groupsIndex + 1];
      const groups = await this.lines('/etc/group');
      const g = groups.findIndex((l) => l.split(':')[0] === group);
      if (g < 0) return { code: 6, stdout: '', stderr: `usermod: group '${group}' does not exist` };
      const gf = groups[g].split(':');
      gf[3] = [...(gf[3] ? gf[3].split(',') : []), name].join(',');
      groups[g] = gf.join(':');
      await this.writeLines('/etc/group', groups);
    }
    return ok();
  }

  private async gpasswd(args: string[]): Promise<CommandResult> {
    const [flag, name, group] = args;
    if (flag !== '--delete') return { code: 2, stdout: '', stderr: 'gpasswd: not faked' };
    const groups = await this.lines('/etc/group');
    const g = groups.findIndex((l) => l.split(':')[0] === group);
    const gf = groups[g].split(':');
    gf[3] = (gf[3] ?? '')
      .split(',')
      .filter((member) => member && member !== name)
      .join(',');
    groups[g] = gf.join(':');
    await this.writeLines('/etc/group', groups);
    return ok();
  }

  private async mount(args: string[]): Promise<CommandResult> {
    if (this.failMount) return { code: 32, stdout: '', stderr: this.failMount };
    let type = 'none';
    const positional: string[] = [];
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '-t') type = args[++i];
      else if (args[i] === '-o') i++;
      else if (args[i] === '--bind') type = 'bind';
      else positional.push(args[i]);
    }
    const [source, mountPoint] = positional;
    const fsType = type === 'bind' ? 'ext4' : type === 'nfs' ? 'nfs4' : type;
    const lines = await this.lines('/proc/self/mountinfo');
    lines.push(`${100 + lines.length} 1 0:99 / ${mountPoint} rw,relatime - ${fsType} ${source} rw`);
    await this.writeLines('/proc/self/mountinfo', lines);
    return ok();
  }

  private async umount(args: string[]): Promise<CommandResult> {
    const mountPoint = args[args.length - 1];
    const lines = await this.lines('/proc/self/mountinfo');
    await this.writeLines(
      '/proc/self/mountinfo',
      lines.filter((line) => line.split(' ')[4] !== mountPoint),
    );
    return ok();
  }
}

const ok = (): CommandResult => ({ code: 0, stdout: '', stderr: '' });

async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  const info = await lstat(path).catch(() => undefined);
  if (!info) return;
  await lchown(path, uid, gid);
  if (info.isDirectory()) {
    for (const name of await readdir(path)) await chownTree(join(path, name), uid, gid);
  }
}

export interface TestMachine {
  root: string;
  system: FakeSystem;
  /** `<root>` + the share's mount point: the "share" itself in unit tests. */
  share: string;
  cleanup(): Promise<void>;
}

export const ADMIN_UID = 1000;

/**
 * A temporary root with /etc (root, a system user, the admin azureuser 1000, groups incl. sudo),
 * the admin's home, an empty mount table and a bind agent.json (`mountPoint` /mnt/pool).
 */
export async function makeMachine(
  config: Record<string, unknown> = {},
  options: Partial<FakeSystemOptions> = {},
): Promise<TestMachine> {
  const root = await mkdtemp(join(tmpdir(), 'dsvm-agent-'));
  // The real helper runs as the user; keep the temp root traversable like a real `/`.
  await chmod(root, 0o755);
  const write = async (path: string, content: string, mode = 0o644) => {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content, { mode });
  };
  await write(
    '/etc/passwd',
    [
      'root:x:0:0:root:/root:/bin/bash',
      'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
      `azureuser:x:${ADMIN_UID}:${ADMIN_UID}::/home/azureuser:/bin/bash`,
      '',
    ].join('\n'),
  );
  await write(
    '/etc/group',
    ['root:x:0:', 'daemon:x:1:', 'sudo:x:27:azureuser', `azureuser:x:${ADMIN_UID}:`, ''].join('\n'),
  );
  await write(
    '/etc/shadow',
    ['root:*:20000:0:99999:7:::', `azureuser:!:20000:0:99999:7:::`, ''].join('\n'),
    0o640,
  );
  await write(
    '/etc/fstab',
    '# /etc/fstab: static file system information.\nUUID=abcd / ext4 errors=remount-ro 0 1\n',
  );
  await write('/proc/self/mountinfo', '1 0 254:0 / / rw,relatime - ext4 /dev/vda rw\n');
  await mkdir(join(root, '/home/azureuser'), { recursive: true, mode: 0o750 });
  if (isRoot) await lchown(join(root, '/home/azureuser'), ADMIN_UID, ADMIN_UID);
  await mkdir(join(root, '/srv/share'), { recursive: true });
  const agentConfig = {
    version: 1,
    share: { protocol: 'bind', source: '/srv/share', mountPoint: '/mnt/pool' },
    shareName: 'pool',
    adminUser: 'azureuser',
    ...config,
  };
  await write('/etc/dsvm-pool/agent.json', JSON.stringify(agentConfig, null, 2));
  const share = join(root, (agentConfig.share as { mountPoint: string }).mountPoint);
  const system = new FakeSystem({ root, ...options });
  return { root, system, share, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Writes `<share>/.pool/users.json`. */
export async function writeRegistry(machine: TestMachine, registry: unknown): Promise<void> {
  await mkdir(join(machine.share, '.pool'), { recursive: true });
  await writeFile(
    join(machine.share, '.pool/users.json'),
    typeof registry === 'string' ? registry : JSON.stringify(registry, null, 2),
  );
}
