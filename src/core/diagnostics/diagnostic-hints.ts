// What to do, in plain words, for each way a connection test step can go wrong: by kind of pool,
// since a closed port means something else on the local sandbox, an SSH host and an Azure pool.
import type { AgentHeartbeat } from '../../common/agent-protocol';
import type { DiagnosticStep } from '../../common/diagnostics';
import { ErrorCode, type RpcError } from '../../common/errors';
import type { PoolKind } from '../../common/models';
import type { DiagnosticSubject, ProbeFailureKind } from './diagnostic-probes';

type Instance = Extract<DiagnosticSubject['instance'], { id: string }>;

/** The hint for a DNS, TCP or banner failure. */
export function probeHint(
  kind: ProbeFailureKind,
  subject: DiagnosticSubject,
  instance: Instance,
): string {
  const where = `${instance.host}:${instance.port}`;
  const kindOfPool = subject.poolKind;
  switch (kind) {
    case 'not-found':
      return `The name ${instance.host} is unknown to your DNS. Check the host name in the pool's settings (Edit pool…), and your network or VPN: company host names often resolve only on the company network.`;
    case 'refused':
      if (kindOfPool === 'local') {
        return `Nothing listens on port ${instance.port}: the sandbox instance ${instance.name} has stopped. Start it from the pool card, or restart the app.`;
      }
      if (kindOfPool === 'azure') {
        return `Nothing answers behind the load balancer's port ${instance.port}: ${instance.name} may still be starting (its SSH server comes up a minute after boot), or its SSH server is stopped. Try again in a minute, or restart the instance from the admin view.`;
      }
      return `${instance.host} answers, but nothing listens on port ${instance.port}: its SSH server may be stopped, or the pool names the wrong port (Edit pool…).`;
    case 'timeout':
      if (kindOfPool === 'azure') return azureTimeoutHint(subject, instance);
      return `Nothing answered from ${where}: a firewall may drop the connection, the machine may be off, or it is reachable only through a VPN. Check that it is on and that your network lets you reach port ${instance.port}.`;
    case 'unreachable':
      return `Your computer has no route to ${instance.host}: check your network connection and VPN.`;
    case 'reset':
    case 'closed':
      return `${where} closed the connection at once: its SSH server may limit connections (MaxStartups), block your address (fail2ban, TCP wrappers), or be shutting down. Try again in a minute, or ask the pool admin to look at its SSH log.`;
    case 'not-ssh':
      return `Port ${instance.port} of ${instance.host} is not an SSH server. Check the port in the pool's settings (Edit pool…).`;
    case 'other':
      return `Check that ${instance.name} is running and reachable from your network.`;
  }
}

/**
 * No answer from an Azure pool: most often the network security group drops it because the
 * user's public address is not in the allowed ranges. The app cannot see that address (it is
 * the one the internet sees, behind NAT), so the hint shows the ranges and says what to compare.
 */
function azureTimeoutHint(subject: DiagnosticSubject, instance: Instance): string {
  const ranges = subject.allowedSources;
  const allowed = ranges?.length
    ? `The pool lets SSH in only from ${ranges.join(', ')}.`
    : 'The pool lets SSH in only from the address ranges its admin allowed (its network security group could not be read with your account).';
  return (
    `${allowed} If your public address is not among them, Azure drops the connection without an answer: ` +
    'ask the pool admin to add your address or your network’s range to the pool’s allowed ranges ' +
    '(a VPN, a home or a mobile network each give you another public address; a search for ' +
    `"what is my IP" shows yours). Also check that ${instance.name} is running.`
  );
}

export function hostKeyMismatchHint(subject: DiagnosticSubject, instance: Instance): string {
  return (
    `The key changed since you trusted it, on the same machine: it may have been rebuilt or ` +
    `reinstalled, or someone may be intercepting the connection, so the app will not sign in. ` +
    `Ask the pool admin for the fingerprint ${instance.name} shows; if it matches the new one, ` +
    `connect and use Replace key… (the trusted keys of pool "${subject.poolId}" are in ` +
    `${subject.knownHostsFile}).`
  );
}

export function authHint(error: RpcError, subject: DiagnosticSubject): string {
  if (error.code === ErrorCode.Cancelled) {
    return 'The key’s passphrase was not given, so the app could not sign in. Test again and enter it.';
  }
  if (error.code === ErrorCode.AuthFailed) {
    return subject.poolKind === 'local'
      ? 'The sandbox accepts only the app’s own key: delete the keys folder in the app’s data folder and restart to make a new one.'
      : 'Your key is not (yet) in the instance’s authorized keys: ask the pool admin to add your public key to the team (Team… in the admin view), or choose the key this pool uses (Edit pool…).';
  }
  return 'The SSH server refused the session after the greeting: try again, and if it keeps failing ask the pool admin to look at its SSH log.';
}

export function heartbeatHints(kind: PoolKind, name: string): { missing: string; stale: string } {
  const reinstall =
    kind === 'azure'
      ? `run Repair agent on ${name} (admin view, instance actions)`
      : `run Install agent… on the pool (its ⋯ menu)`;
  return {
    missing: `The pool agent does not seem to run on ${name}: ${reinstall}.`,
    stale: `The agent on ${name} may have stopped: ${reinstall}, or check "systemctl status dsvm-pool-agent.timer" on it.`,
  };
}

/** "42 s", "3 min", "2 h". */
export function heartbeatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

/** The share's mount, as the agent last saw it. */
export function shareStep(
  beat: AgentHeartbeat,
  kind: PoolKind,
  name: string,
): Pick<DiagnosticStep, 'status' | 'detail' | 'hint'> {
  const mount = beat.mount;
  const repair = heartbeatHints(kind, name).missing.replace(/^.*?: /, '');
  if (!mount) {
    return {
      status: 'warn',
      detail: 'the agent reports no share to mount (its configuration names none)',
      hint: `Ask the pool admin to give the pool a share, then ${repair}.`,
    };
  }
  const where = `${mount.protocol.toUpperCase()} share at ${mount.mountPoint}`;
  const why = mount.detail ?? beat.lastApply?.errors[0];
  if (mount.mounted && mount.healthy)
    return { status: 'pass', detail: `${where} is mounted and answers` };
  return {
    status: 'fail',
    detail: `${where} is ${mount.mounted ? 'mounted but does not answer' : 'not mounted'}${why ? ` (${why})` : ''}`,
    hint: `The agent retries every minute; if it keeps failing, ${repair}, or ask the pool admin to check the storage account (key, firewall, quota).`,
  };
}
