// An emulated VM's SSH server: the local sandbox's LocalInstance (one ssh2 server with a real pty
// shell), started on first connection and stopped when the VM goes down.
import ssh2, { type ParsedKey } from 'ssh2';
import { LocalInstance } from '../../../src/core/providers/local/local-instance';
import type { ProcessLauncher } from '../../../src/core/providers/local/process-launcher';
import type { SandboxLayout } from '../../../src/core/providers/local/sandbox-layout';

const { utils } = ssh2;

export interface VmSshServerOptions {
  /** The VM's computer name: its home folder and host key live under it. */
  computerName: string;
  /** osProfile.adminUsername: the only user who may sign in. */
  user: string;
  /** The first of osProfile.linuxConfiguration.ssh.publicKeys (LocalInstance takes one key). */
  publicKey: string;
  layout: SandboxLayout;
  launcher: ProcessLauncher;
  runId: string;
  log: (line: string) => void;
}

export class VmSshServer {
  private instance?: LocalInstance;
  private starting?: Promise<number>;
  private readonly key: ParsedKey;

  constructor(private readonly options: VmSshServerOptions) {
    const key = utils.parseKey(options.publicKey);
    if (key instanceof Error) {
      throw new Error(`the scale set's SSH public key is unreadable: ${key.message}`);
    }
    this.key = Array.isArray(key) ? (key[0] as ParsedKey) : key;
  }

  /** The loopback port of the SSH server, started if it is not running. */
  port(): Promise<number> {
    this.starting ??= (async () => {
      // A new LocalInstance per boot: a disposed one never starts again. The host key is in the
      // layout, so it stays the same across restarts, as a VM's does.
      const instance = new LocalInstance({
        id: this.options.computerName,
        user: this.options.user,
        authorizedKey: this.key,
        shell: process.env.SHELL || '/bin/bash',
        runId: this.options.runId,
        layout: this.options.layout,
        launcher: this.options.launcher,
        log: this.options.log,
        onChange: () => {},
      });
      this.instance = instance;
      await instance.start();
      if (instance.state !== 'running') {
        throw new Error(
          `SSH server of ${this.options.computerName} is ${instance.state}: ${instance.detail ?? ''}`,
        );
      }
      return instance.port;
    })();
    const starting = this.starting;
    // A failed start may be retried by the next connection.
    starting.catch(() => {
      if (this.starting === starting) this.starting = undefined;
    });
    return starting;
  }

  /** Ends the server, its connections and its processes (a VM powering off). */
  async stop(): Promise<void> {
    const instance = this.instance;
    this.instance = undefined;
    this.starting = undefined;
    await instance?.dispose();
  }
}
