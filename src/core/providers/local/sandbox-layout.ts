// The sandbox's data folder: instance homes and host keys, the share, dotfiles, ~/notebooks/remote.
import { randomBytes } from 'node:crypto';
import {
  chmod,
  link,
  lstat,
  mkdir,
  readFile,
  readlink,
  rename,
  symlink,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
// ssh2 is CommonJS whose `utils` Node's ESM loader cannot see as a named export.
import ssh2 from 'ssh2';
import { generateEd25519 } from '../../keys/key-pair-file';

const { utils } = ssh2;

// Written into a new instance home like /etc/skel on a VM: the prompt names the instance, so a
// user with two terminals can tell local-0 from local-1. Never overwritten once there.
const PROFILE = `# Written by dsvm-pool for the local sandbox (like /etc/skel on a VM); edit freely.
if [ -n "$BASH_VERSION" ] && [ -f "$HOME/.bashrc" ]; then . "$HOME/.bashrc"; fi
`;
const BASHRC = `# Written by dsvm-pool for the local sandbox (like /etc/skel on a VM); edit freely.
case $- in *i*) ;; *) return ;; esac
PS1='\\u@\${DSVM_POOL_INSTANCE:-\\h}:\\w\\$ '
`;

/**
 * The files under `<dataDir>/local-pool`: `instances/<id>/` (host key, `home/`) and
 * `share/notebooks/<user>`, which every home links as `~/notebooks/remote`.
 */
export class SandboxLayout {
  private readonly root: string;
  private readonly userShare: string;

  constructor(
    dataDir: string,
    user: string,
    private readonly log: (line: string) => void,
  ) {
    this.root = join(dataDir, 'local-pool');
    this.userShare = join(this.root, 'share', 'notebooks', user);
  }

  /** The instance's home folder. */
  home(instanceId: string): string {
    return join(this.instanceDir(instanceId), 'home');
  }

  /** Makes the user's folder in the share. */
  async prepareShare(): Promise<void> {
    await mkdir(this.userShare, { recursive: true });
  }

  /** Makes the instance's folder and home, as a VM's first boot would; what is there stays. */
  async prepareInstance(instanceId: string): Promise<void> {
    const home = this.home(instanceId);
    await mkdir(this.instanceDir(instanceId), { recursive: true, mode: 0o700 });
    await mkdir(join(home, 'notebooks'), { recursive: true, mode: 0o700 });
    await this.prepareShare();
    await this.ensureLink(join(home, 'notebooks', 'remote'), this.userShare);
    await writeIfMissing(join(home, '.profile'), PROFILE);
    await writeIfMissing(join(home, '.bashrc'), BASHRC);
  }

  /** The instance's host key: made once, then the same forever, so trust-on-first-use holds. */
  async loadHostKey(instanceId: string): Promise<string> {
    const path = join(this.instanceDir(instanceId), 'ssh_host_ed25519_key');
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // The checked generator: ssh2's own makes an unreadable key about once in 256.
      const made = generateEd25519(`dsvm-pool sandbox ${instanceId}`);
      text = (await createExclusive(path, made)) ? made : await readFile(path, 'utf8');
    }
    await chmod(path, 0o600);
    const parsed = utils.parseKey(text);
    if (parsed instanceof Error || !parsed.isPrivateKey()) {
      throw new Error(
        `its host key ${path} is unreadable; delete it to make a new one ` +
          '(the app will then ask you to trust the new key)',
      );
    }
    return text;
  }

  private instanceDir(instanceId: string): string {
    return join(this.root, 'instances', instanceId);
  }

  /** `link` → `target`, the article's `~/notebooks/remote` convention, made idempotently. */
  private async ensureLink(linkPath: string, target: string): Promise<void> {
    let stat;
    try {
      stat = await lstat(linkPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (stat?.isSymbolicLink()) {
      if ((await readlink(linkPath)) === target) return;
      await unlink(linkPath);
    } else if (stat) {
      // Someone's real files: keep them, out of the way. Linking "into" the folder instead
      // is the `ln -s` mistake that leaves a nested link behind.
      const aside = await freeName(
        `${linkPath}.moved-${new Date().toISOString().replace(/:/g, '')}`,
      );
      await rename(linkPath, aside);
      this.log(`local sandbox: moved ${linkPath} aside to ${aside} to link it to the share`);
    }
    await symlink(target, linkPath);
  }
}

async function writeIfMissing(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

async function freeName(base: string): Promise<string> {
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? base : `${base}-${n}`;
    try {
      await lstat(candidate);
    } catch {
      return candidate;
    }
  }
}

/** Writes a 0600 file only if absent; false when another process made it first. */
async function createExclusive(path: string, text: string): Promise<boolean> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, text, { mode: 0o600, flag: 'wx' });
  try {
    await chmod(tmp, 0o600);
    await link(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(tmp).catch(() => {});
  }
}
