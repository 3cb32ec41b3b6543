// A throwaway "VM" for the agent's integration tests: commands run as root in a private mount
// namespace where /etc, /var and /usr/local are overlays (writes land in a temp folder), /run is
// a fresh tmpfs and /home a temp folder, so real useradd, usermod and mount change nothing on
// the machine. (Bind-mounting single files such as /etc/passwd does NOT isolate: shadow-utils
// writes /etc/passwd+ next to it and renames, which fails on a bind-mounted file and leaves
// /etc/passwd+ and /etc/passwd- on the real /etc.)
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OVERLAY_ROOT_DIRS, OVERLAY_ROOT_SETUP, overlayRootArgv } from '../../helpers/overlay-root';

export interface NamespaceResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestVm {
  /** Temp folder holding the overlays' upper dirs, /home, the share and the mount point. */
  dir: string;
  /** What the overlays changed: `<dir>/etc.up/passwd` is the VM's /etc/passwd once written. */
  etc: string;
  var: string;
  usrLocal: string;
  home: string;
  /** Runs a shell script inside a new namespace of this VM (a fresh mount table: a "boot"). */
  run(script: string, timeoutMs?: number): Promise<NamespaceResult>;
  /** A file as the VM sees it: the overlay's upper copy when written there, else the real one. */
  read(path: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function makeTestVm(): Promise<TestVm> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'the agent integration tests run as root (they use mount namespaces and useradd)',
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'dsvm-agent-it-'));
  await chmod(dir, 0o755);
  for (const sub of OVERLAY_ROOT_DIRS) {
    await mkdir(join(dir, sub), { mode: 0o755 });
  }
  await writeFile(join(dir, 'setup.sh'), OVERLAY_ROOT_SETUP, { mode: 0o755 });
  const vm: TestVm = {
    dir,
    etc: join(dir, 'etc.up'),
    var: join(dir, 'var.up'),
    usrLocal: join(dir, 'usrlocal.up'),
    home: join(dir, 'home'),
    run: (script, timeoutMs = 60_000) =>
      new Promise((resolve) => {
        execFile(
          ...overlayRootArgv(join(dir, 'setup.sh'), script),
          {
            env: {
              PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
              VM_DIR: dir,
              LANG: 'C.UTF-8',
            },
            timeout: timeoutMs,
            maxBuffer: 16 * 1024 * 1024,
          },
          (error, stdout, stderr) => {
            const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
            resolve({ code, stdout, stderr });
          },
        );
      }),
    async read(path) {
      const upper = path.startsWith('/etc/')
        ? join(vm.etc, path.slice(5))
        : path.startsWith('/var/')
          ? join(vm.var, path.slice(5))
          : undefined;
      if (upper) {
        try {
          return await readFile(upper, 'utf8');
        } catch {
          // Not written in the VM: the lower (real) file shows through.
        }
      }
      return readFile(path, 'utf8');
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
  return vm;
}
