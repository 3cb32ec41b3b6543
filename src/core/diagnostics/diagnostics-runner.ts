// Runs "Test connection" step by step (DNS, TCP, SSH banner, host key, sign-in, agent heartbeat,
// share mount, Jupyter) on injected probes: each step gets its time, its outcome and a hint, and
// a step whose ground is missing is skipped with the reason rather than failing again.
import { isIP } from 'node:net';
import {
  DIAGNOSTIC_STEPS,
  diagnosticsOutcome,
  formatDuration,
  type DiagnosticStep,
  type DiagnosticStepId,
  type DiagnosticsReport,
} from '../../common/diagnostics';
import { ErrorCode, RpcError } from '../../common/errors';
import { algorithmOf, fingerprintOf } from '../ssh/host-key';
import {
  authHint,
  heartbeatAge,
  heartbeatHints,
  hostKeyMismatchHint,
  probeHint,
  shareStep,
} from './diagnostic-hints';
import {
  ProbeFailure,
  type DiagnosticProbes,
  type DiagnosticSession,
  type DiagnosticSubject,
} from './diagnostic-probes';

export interface RunOptions {
  runId: string;
  /** The report so far, after each step starts and ends. */
  onUpdate?: (report: DiagnosticsReport) => void;
  signal?: AbortSignal;
  app?: DiagnosticsReport['app'];
}

type Outcome = Pick<DiagnosticStep, 'status' | 'detail' | 'hint'>;

export async function runDiagnostics(
  subject: DiagnosticSubject,
  probes: DiagnosticProbes,
  options: RunOptions,
): Promise<DiagnosticsReport> {
  const { signal } = options;
  const report: DiagnosticsReport = {
    runId: options.runId,
    poolId: subject.poolId,
    poolName: subject.poolName,
    poolKind: subject.poolKind,
    startedAt: new Date().toISOString(),
    steps: DIAGNOSTIC_STEPS.map(({ id, label }) => ({ id, label, status: 'pending' })),
    ...(options.app ? { app: options.app } : {}),
  };
  const emit = () => options.onUpdate?.(structuredClone(report));
  const set = (id: DiagnosticStepId, outcome: Outcome, durationMs?: number) => {
    const step = report.steps.find((s) => s.id === id)!;
    step.status = outcome.status;
    if (outcome.detail !== undefined) step.detail = outcome.detail;
    if (outcome.hint !== undefined) step.hint = outcome.hint;
    if (durationMs !== undefined) step.durationMs = Math.round(durationMs);
    emit();
  };
  /** Runs one step: "running", then its outcome with the time it took; a throw is a failure. */
  const step = async (id: DiagnosticStepId, work: () => Promise<Outcome>): Promise<Outcome> => {
    if (signal?.aborted) throw cancelled();
    set(id, { status: 'running' });
    const started = probes.now();
    let outcome: Outcome;
    try {
      outcome = await work();
    } catch (err) {
      if (signal?.aborted) throw cancelled();
      outcome = { status: 'fail', detail: RpcError.from(err).message };
    }
    set(id, outcome, probes.now() - started);
    return outcome;
  };
  const skip = (ids: DiagnosticStepId[], why: string) => {
    for (const id of ids) {
      const s = report.steps.find((x) => x.id === id)!;
      if (s.status === 'pending') set(id, { status: 'skip', detail: why });
    }
  };

  emit();
  const instance = subject.instance;
  if ('problem' in instance) {
    set('instance', { status: 'fail', detail: instance.problem, hint: instance.hint });
    skip(
      DIAGNOSTIC_STEPS.map((s) => s.id),
      'not tried: there is no instance to test',
    );
    return finish(report, emit);
  }
  report.instanceId = instance.id;
  report.instanceName = instance.name;
  report.target = { host: instance.host, port: instance.port, user: instance.user };
  set('instance', {
    status: 'pass',
    detail:
      `${instance.name} at ${instance.host}:${instance.port}, signing in as ${instance.user}` +
      (instance.chosen ? ' (the instance Connect would choose)' : ''),
  });

  let session: DiagnosticSession | undefined;
  try {
    const network = await networkSteps(subject, instance, probes, step, skip, signal);
    const networkSkips: DiagnosticStepId[] = ['banner', 'host-key', 'auth', 'jupyter'];
    if (network.failed) skip(networkSkips, network.failed);
    else session = await sshSteps(subject, instance, probes, step, skip, signal);

    const shareSteps: DiagnosticStepId[] = ['heartbeat', 'share'];
    if (subject.share === 'sandbox') {
      skip(shareSteps, 'not tried: the local sandbox runs no pool agent and has no share to mount');
    } else if (subject.share === 'none') {
      skip(shareSteps, 'not tried: this pool has no shared storage for agents to report on');
    } else {
      let beat: Awaited<ReturnType<DiagnosticProbes['readHeartbeat']>> | undefined;
      await step('heartbeat', async () => {
        beat = await probes.readHeartbeat(session, instance.name, signal);
        if ('unreadable' in beat) return { status: 'skip', detail: `not read: ${beat.unreadable}` };
        const hints = heartbeatHints(subject.poolKind, instance.name);
        if ('missing' in beat) {
          return {
            status: 'fail',
            detail: `no heartbeat of ${instance.name} in ${beat.source}`,
            hint: hints.missing,
          };
        }
        const age = probes.now() - Date.parse(beat.heartbeat.time);
        const from = `written ${heartbeatAge(age)} ago by agent ${beat.heartbeat.agentVersion} (${beat.source})`;
        return age <= HEARTBEAT_FRESH_MS
          ? { status: 'pass', detail: from }
          : {
              status: 'warn',
              detail: `last ${from}: the agent writes one every minute`,
              hint: hints.stale,
            };
      });
      if (beat && 'heartbeat' in beat) {
        set('share', shareStep(beat.heartbeat, subject.poolKind, instance.name));
      } else if (beat && 'missing' in beat && beat.unmountedAt) {
        set('share', {
          status: 'fail',
          detail: `nothing is mounted at ${beat.unmountedAt} on ${instance.name}`,
          hint: heartbeatHints(subject.poolKind, instance.name).missing,
        });
      } else {
        skip(['share'], 'not known: it comes from the agent’s heartbeat');
      }
    }

    if (session) {
      const open = session;
      await step('jupyter', async () => {
        const found = await probes.checkJupyter(open, signal);
        switch (found.state) {
          case 'running':
            return {
              status: 'pass',
              detail:
                `a Jupyter server on ${found.where} answers through the SSH tunnel (in ${formatDuration(found.answeredInMs)})` +
                (found.tunnel ? `; your tunnel ${found.tunnel} is open` : ''),
            };
          case 'none':
            return {
              status: 'info',
              detail: `no Jupyter server runs for you on ${instance.name}; Open Jupyter starts one`,
            };
          case 'not-installed':
            return { status: 'warn', detail: found.message };
          case 'error':
            return { status: 'warn', detail: found.message };
        }
      });
    } else {
      skip(['jupyter'], 'not tried: not signed in to the instance');
    }
  } finally {
    session?.close();
  }
  return finish(report, emit);
}

/** A heartbeat written within three agent cycles is fresh (as placement counts it). */
const HEARTBEAT_FRESH_MS = 3 * 60_000;

type Step = (id: DiagnosticStepId, work: () => Promise<Outcome>) => Promise<Outcome>;
type Instance = Extract<DiagnosticSubject['instance'], { id: string }>;

/** DNS and TCP: `failed` says why the SSH steps cannot run. */
async function networkSteps(
  subject: DiagnosticSubject,
  instance: Instance,
  probes: DiagnosticProbes,
  step: Step,
  skip: (ids: DiagnosticStepId[], why: string) => void,
  signal: AbortSignal | undefined,
): Promise<{ failed?: string }> {
  const name = subject.dnsName ?? instance.host;
  const dns = await step('dns', async () => {
    if (isIP(name))
      return { status: 'info', detail: `${name} is an IP address: nothing to resolve` };
    try {
      const addresses = await probes.resolve(name, signal);
      const detail = `${name} → ${addresses.join(', ')}`;
      if (name !== instance.host && !addresses.includes(instance.host)) {
        return {
          status: 'warn',
          detail: `${detail}, not the pool's address ${instance.host}`,
          hint: `The app connects to ${instance.host} directly, so Connect still works; the DNS name may point at an old address (ask the pool admin about the public IP's DNS label).`,
        };
      }
      return { status: 'pass', detail };
    } catch (err) {
      if (name !== instance.host) {
        // Azure: the app connects by the public IP, so a name that does not resolve is a warning.
        return {
          status: 'warn',
          detail: `${name} does not resolve (${RpcError.from(err).message})`,
          hint: `The app connects to the pool's address ${instance.host} directly, so Connect still works. If other names do not resolve either, check your network, VPN or DNS settings.`,
        };
      }
      return {
        status: 'fail',
        detail: RpcError.from(err).message,
        hint: probeHint('not-found', subject, instance),
      };
    }
  });
  if (dns.status === 'fail') {
    skip(['tcp'], `not tried: ${name} does not resolve`);
    return { failed: `not tried: ${name} does not resolve` };
  }
  const tcp = await step('tcp', async () => {
    const started = probes.now();
    try {
      await probes.connectTcp(instance.host, instance.port, signal);
    } catch (err) {
      const kind = err instanceof ProbeFailure ? err.kind : 'other';
      return {
        status: 'fail',
        detail: RpcError.from(err).message,
        hint: probeHint(kind, subject, instance),
      };
    }
    const ms = probes.now() - started;
    return {
      status: 'pass',
      detail: `connected to ${instance.host}:${instance.port} in ${formatDuration(ms)}`,
    };
  });
  return tcp.status === 'fail'
    ? { failed: `not tried: no TCP connection to ${instance.host}:${instance.port}` }
    : {};
}

/** SSH banner, host key and sign-in; the session when signed in. */
async function sshSteps(
  subject: DiagnosticSubject,
  instance: Instance,
  probes: DiagnosticProbes,
  step: Step,
  skip: (ids: DiagnosticStepId[], why: string) => void,
  signal: AbortSignal | undefined,
): Promise<DiagnosticSession | undefined> {
  const banner = await step('banner', async () => {
    try {
      return {
        status: 'pass',
        detail: await probes.readBanner(instance.host, instance.port, signal),
      };
    } catch (err) {
      const kind = err instanceof ProbeFailure ? err.kind : 'other';
      return {
        status: 'fail',
        detail: RpcError.from(err).message,
        hint: probeHint(kind, subject, instance),
      };
    }
  });
  if (banner.status === 'fail') {
    skip(['host-key', 'auth', 'jupyter'], 'not tried: the port does not speak SSH');
    return undefined;
  }
  let key: Buffer | undefined;
  const hostKey = await step('host-key', async () => {
    key = await probes.fetchHostKey(instance.host, instance.port, signal);
    const shown = `${algorithmOf(key)} ${fingerprintOf(key)}`;
    const known = probes.checkHostKey(instance.host, instance.port, key);
    if (known.status === 'trusted')
      return { status: 'pass', detail: `${shown}, the key you trusted` };
    if (known.status === 'unknown') {
      return {
        status: 'warn',
        detail: `${shown} is not trusted yet`,
        hint: 'Connect shows you this fingerprint to confirm: compare it with the one the pool admin gives you before you trust it.',
      };
    }
    return {
      status: 'fail',
      detail: `${shown}, but you trusted ${known.knownAlgorithm} ${known.knownFingerprint}`,
      hint: hostKeyMismatchHint(subject, instance),
    };
  });
  if (!key || hostKey.status === 'fail') {
    skip(
      ['auth', 'jupyter'],
      key
        ? 'not tried: the host key does not match the trusted one, so the app does not sign in'
        : 'not tried: no host key',
    );
    return undefined;
  }
  let session: DiagnosticSession | undefined;
  const pinned = key;
  await step('auth', async () => {
    const started = probes.now();
    try {
      session = await probes.signIn(pinned, signal);
    } catch (err) {
      const error = RpcError.from(err);
      if (error.code === ErrorCode.Cancelled && signal?.aborted) throw error;
      return { status: 'fail', detail: error.message, hint: authHint(error, subject) };
    }
    const ms = formatDuration(probes.now() - started);
    return {
      status: 'pass',
      detail: `signed in as ${instance.user} with ${session.method} in ${ms}`,
    };
  });
  return session;
}

function finish(report: DiagnosticsReport, emit: () => void): DiagnosticsReport {
  report.finishedAt = new Date().toISOString();
  report.outcome = diagnosticsOutcome(report.steps);
  emit();
  return structuredClone(report);
}

function cancelled(): RpcError {
  return new RpcError(ErrorCode.Cancelled, 'The connection test was cancelled.');
}
