// Finding the user's ssh-agent (SSH_AUTH_SOCK; on Windows the OpenSSH agent's pipe or Pageant) and
// asking it whether it holds a key, so a key it holds is used without asking for a passphrase.
import { existsSync } from 'node:fs';
import ssh2 from 'ssh2';

/** The Windows OpenSSH agent service (`ssh-agent`) listens here. */
export const WINDOWS_OPENSSH_AGENT_PIPE = '\\\\.\\pipe\\openssh-ssh-agent';

export interface AgentEnvironment {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Whether a path (a Windows pipe) exists; tests replace it. */
  exists?: (path: string) => boolean;
}

/**
 * The agent ssh2 should use (its `agent` option), or undefined when there is none. On Windows
 * without SSH_AUTH_SOCK and the OpenSSH agent service, Pageant is the last resort: whether it
 * runs cannot be seen cheaply, and when it does not, ssh2 reports that and tries other methods.
 */
export function defaultAgent(environment: AgentEnvironment = {}): string | undefined {
  const { env = process.env, platform = process.platform, exists = existsSync } = environment;
  const sock = env.SSH_AUTH_SOCK?.trim();
  if (sock) return sock;
  if (platform !== 'win32') return undefined;
  if (exists(WINDOWS_OPENSSH_AGENT_PIPE)) return WINDOWS_OPENSSH_AGENT_PIPE;
  return 'pageant';
}

/** Whether the agent offers `publicKey` (an SSH wire-format blob); false on any agent trouble. */
export function agentHasKey(agent: string, publicKey: Buffer, timeoutMs = 2_000): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    timer.unref();
    try {
      ssh2.createAgent(agent).getIdentities((err, keys) => {
        clearTimeout(timer);
        resolve(!err && (keys ?? []).some((key) => blobOf(key)?.equals(publicKey) === true));
      });
    } catch {
      clearTimeout(timer);
      resolve(false);
    }
  });
}

/** Agents report keys as parsed keys, raw blobs, text or `{ pubKey }` entries; all to one blob. */
function blobOf(entry: unknown): Buffer | undefined {
  if (entry && typeof entry === 'object' && 'getPublicSSH' in entry) {
    return (entry as ssh2.ParsedKey).getPublicSSH();
  }
  if (entry && typeof entry === 'object' && 'pubKey' in entry) {
    return blobOf((entry as { pubKey: unknown }).pubKey);
  }
  if (typeof entry === 'string' || Buffer.isBuffer(entry)) {
    const parsed = ssh2.utils.parseKey(entry);
    if (parsed instanceof Error) return Buffer.isBuffer(entry) ? entry : undefined;
    return (Array.isArray(parsed) ? parsed[0] : parsed)?.getPublicSSH();
  }
  return undefined;
}
