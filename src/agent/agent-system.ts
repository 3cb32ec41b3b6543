// The one door to the machine: every command, ownership change, privilege drop and host path of
// the agent goes through an AgentSystem, so unit tests run it against a temporary root.
import { join } from 'node:path';
import type { HomeOp, HomeOpsResult } from './home-ops';

export interface CommandResult {
  /** Exit code; -1 when the command could not start or was killed. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to stdin (never secrets in argv: stdin or files only). */
  input?: string;
  timeoutMs?: number;
  /** Run as this user (their uid and gid only, HOME set): e.g. tmux, whose socket is theirs. */
  as?: { uid: number; gid: number; home: string };
}

/** One line of `getent passwd`. */
export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  /** As the system knows it (without the root prefix). */
  home: string;
  shell: string;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface AgentSystem {
  /** Prefix of every host path: `/` on a VM, a temporary folder in unit tests. */
  readonly root: string;
  readonly log: Logger;
  /** Runs a program with an argv array (never a shell). */
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
  /** chown without following a symlink (a host path, already prefixed). */
  lchown(path: string, uid: number, gid: number): Promise<void>;
  /**
   * Whether ownership is real here (running as root): the idempotency checks compare owners
   * only then.
   */
  readonly ownershipEnforced: boolean;
  /**
   * Runs operations inside a user's home with that user's privileges, so that a symlink the
   * user planted can never make root write elsewhere. `user.home` is not prefixed.
   */
  asUser(user: PasswdEntry, ops: HomeOp[]): Promise<HomeOpsResult>;
  now(): Date;
  hostname(): string;
  loadavg(): [number, number, number];
  cpuCount(): number;
  readonly pid: number;
  /** A token that changes when a pid is reused (its start time); undefined: not running. */
  processStartTime(pid: number): string | undefined;
  /** Path of the running bundle, for `install`; undefined when not running from a bundle. */
  selfPath(): string | undefined;
  /** The node binary that runs the agent. */
  readonly nodePath: string;
  readonly nodeVersion: string;
  /** The effective uid of the agent. */
  uid(): number;
}

/** A host path under the system's root: `hostPath(system, '/etc/fstab')`. */
export function hostPath(system: Pick<AgentSystem, 'root'>, path: string): string {
  return system.root === '/' ? path : join(system.root, path);
}
