// `npm test` runs this first: it names the system packages the tests need that this machine
// lacks, with the apt command that installs them, instead of a failure deep inside a test.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * What the tests use from the system, by Debian package: a command looked up on PATH, or a file
 * at a fixed place (where the tests look for it).
 */
export function requirements(env = process.env) {
  return [
    {
      pkg: 'openssh-server',
      file: '/usr/sbin/sshd',
      executable: true,
      why: 'the tests start a real sshd',
    },
    { pkg: 'openssh-client', command: 'ssh-keygen', why: 'test keys and OpenSSH logins' },
    { pkg: 'tmux', command: 'tmux', why: 'terminals that survive a reconnect' },
    { pkg: 'jupyter-notebook', command: 'jupyter-notebook', why: 'Jupyter through the tunnel' },
    {
      pkg: 'python3-ipykernel',
      file: '/usr/share/jupyter/kernels/python3/kernel.json',
      why: "Jupyter's Python kernel",
    },
    {
      pkg: 'chromium',
      file: env.CHROMIUM_PATH || '/usr/bin/chromium',
      executable: true,
      why: 'the end-to-end tests (or set CHROMIUM_PATH)',
    },
    { pkg: 'sudo', command: 'sudo', why: 'agent installs over SSH' },
    { pkg: 'strace', command: 'strace', why: 'proving secrets stay off command lines' },
    { pkg: 'e2fsprogs', command: 'mkfs.ext4', why: 'the fault suite’s share that hangs' },
    { pkg: 'util-linux', command: 'fsfreeze', why: 'the fault suite’s share that hangs' },
  ];
}

/** Whether the file is there (and may be run, when `executable`). */
function canAccess(path, executable) {
  try {
    accessSync(path, executable ? constants.X_OK : constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** The requirements this machine does not meet; commands are looked up on env.PATH. */
export function findMissing({ env = process.env, access = canAccess } = {}) {
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  return requirements(env).filter((req) =>
    req.file
      ? !access(req.file, req.executable === true)
      : !dirs.some((dir) => access(join(dir, req.command), true)),
  );
}

/** What to tell the person running the tests, or undefined when nothing is missing. */
export function preflightMessage(missing, { root = process.getuid?.() === 0 } = {}) {
  if (missing.length === 0) return undefined;
  const list = missing
    .map((req) => `  ${req.pkg} (${req.file ?? req.command}: ${req.why})`)
    .join('\n');
  const sudo = root ? '' : 'sudo ';
  const pkgs = missing.map((req) => req.pkg).join(' ');
  return (
    `npm test needs system packages that this machine lacks:\n${list}\n` +
    `Install them (Debian or Ubuntu) with:\n  ${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${pkgs}`
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const message = preflightMessage(findMissing());
  if (message) {
    console.error(message);
    process.exit(1);
  }
}
