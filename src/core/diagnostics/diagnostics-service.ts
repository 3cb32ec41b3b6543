// "Test connection" for a pool or an instance: finds what to test (the instance Connect would
// choose, its address, an Azure pool's DNS name and allowed ranges, where its agent reports) and
// runs the steps on the real probes: sockets, the trust store, an SSH sign-in, the share, Jupyter.
import {
  AgentConfigSchema,
  AgentHeartbeatSchema,
  heartbeatPath,
} from '../../common/agent-protocol';
import type { DiagnosticsReport } from '../../common/diagnostics';
import { ErrorCode, RpcError } from '../../common/errors';
import { Emitter, type Disposable } from '../../common/event';
import type { InstanceInfo } from '../../common/models';
import type { JupyterService } from '../jupyter/jupyter-service';
import { chooseInstance } from '../placement/placement';
import type { ConnectTarget, PoolProvider } from '../providers/pool-provider';
import type { ForwardService } from '../ssh/forward-service';
import type { KnownHostsStore } from '../ssh/known-hosts-store';
import { SshConnection } from '../ssh/ssh-connection';
import type { ShareFiles } from '../storage/share-files';
import type {
  DiagnosticProbes,
  DiagnosticSession,
  DiagnosticSubject,
  HeartbeatRead,
  JupyterCheck,
} from './diagnostic-probes';
import { runDiagnostics } from './diagnostics-runner';
import { NetworkProbes, type NetworkProbeTimings } from './network-probes';

export interface DiagnosticsServiceDeps {
  providers: ReadonlyMap<string, PoolProvider>;
  knownHosts: KnownHostsStore;
  jupyter: JupyterService;
  forwards: Pick<ForwardService, 'list'>;
  /** Whether a pool (ssh-hosts) has shared storage its agents mount. */
  hasShare(poolId: string): boolean;
  /** Azure pools: the public DNS name, the NSG's allowed ranges, the share through Azure Files. */
  azure?: {
    address(poolId: string): { fqdn?: string; ipAddress?: string } | undefined;
    allowedSources(poolId: string, signal?: AbortSignal): Promise<string[] | undefined>;
    shareFiles(poolId: string): Promise<ShareFiles>;
  };
  app?: DiagnosticsReport['app'];
  network?: NetworkProbeTimings;
  /** The sign-in's budget (default 20 s, as Connect's). */
  signInTimeoutMs?: number;
  log: (line: string) => void;
}

/** The session the test signed in with. */
class SshSession implements DiagnosticSession {
  constructor(
    readonly connection: SshConnection,
    readonly method: string,
  ) {}
  close(): void {
    this.connection.dispose();
  }
}

const MARK = '--dsvm-pool-diagnostics--';
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export class DiagnosticsService implements Disposable {
  private readonly network: NetworkProbes;
  private readonly updated = new Emitter<DiagnosticsReport>();
  /** A run's report so far, after each step starts and ends. */
  readonly onDidUpdate = this.updated.event;

  constructor(private readonly deps: DiagnosticsServiceDeps) {
    this.network = new NetworkProbes(deps.network);
  }

  dispose(): void {
    this.updated.dispose();
  }

  async run(
    poolId: string,
    instanceId: string | undefined,
    options: { runId: string; signal?: AbortSignal },
  ): Promise<DiagnosticsReport> {
    const provider = this.deps.providers.get(poolId);
    if (!provider) {
      throw new RpcError(ErrorCode.NotFound, `No pool with id "${poolId}". Reload the pool list.`);
    }
    const subject = await this.subject(provider, instanceId, options.signal);
    const report = await runDiagnostics(subject, this.probes(provider, subject), {
      ...options,
      onUpdate: (r) => this.updated.fire(r),
      ...(this.deps.app ? { app: this.deps.app } : {}),
    });
    const problems = report.steps.filter((s) => s.status === 'fail').map((s) => s.label);
    this.deps.log(
      `diagnostics: ${provider.name}${report.instanceName ? ` / ${report.instanceName}` : ''}: ` +
        (problems.length ? `failed at ${problems.join(', ')}` : `${report.outcome}`),
    );
    return report;
  }

  private async subject(
    provider: PoolProvider,
    instanceId: string | undefined,
    signal?: AbortSignal,
  ): Promise<DiagnosticSubject> {
    const azure = provider.kind === 'azure' ? this.deps.azure : undefined;
    const address = azure?.address(provider.id);
    const subject: DiagnosticSubject = {
      poolId: provider.id,
      poolName: provider.name,
      poolKind: provider.kind,
      instance: this.pick(provider, instanceId),
      share:
        provider.kind === 'local'
          ? 'sandbox'
          : provider.kind === 'azure' || this.deps.hasShare(provider.id)
            ? 'share'
            : 'none',
      knownHostsFile: this.deps.knownHosts.filePath,
    };
    if (address?.fqdn) subject.dnsName = address.fqdn;
    if (azure) {
      const sources = await azure.allowedSources(provider.id, signal);
      if (sources) subject.allowedSources = sources;
    }
    return subject;
  }

  /** The requested instance whatever its state (a "stopped" host may just be unreachable), else Connect's choice. */
  private pick(
    provider: PoolProvider,
    instanceId: string | undefined,
  ): DiagnosticSubject['instance'] {
    const instances = provider.listInstances();
    const usable = (i: InstanceInfo) => Boolean(i.host) && i.port > 0;
    const as = (i: InstanceInfo, chosen: boolean) => ({
      id: i.id,
      name: i.name,
      host: i.host,
      port: i.port,
      user: provider.user,
      chosen,
    });
    if (instanceId !== undefined) {
      const instance = instances.find((i) => i.id === instanceId);
      if (!instance) {
        return {
          problem: `${provider.name} has no instance ${instanceId} any more.`,
          hint: 'Reload the pool list and test another instance.',
        };
      }
      if (!usable(instance)) {
        return {
          problem: `${instance.name} is ${instance.state} and has no SSH address now${instance.detail ? ` (${instance.detail})` : ''}.`,
          hint: 'Start it (or test a running instance); an Azure instance gets its SSH port on the load balancer once it runs.',
        };
      }
      return as(instance, false);
    }
    try {
      return as(chooseInstance(instances, provider.user).instance, true);
    } catch (err) {
      // No running instance: an SSH host marked stopped may only be unreachable; test the first.
      const fallback = provider.kind !== 'azure' ? instances.find(usable) : undefined;
      if (fallback) return as(fallback, false);
      return {
        problem: RpcError.from(err).message,
        hint:
          provider.kind === 'azure'
            ? 'Connect starts an instance when none runs (if your account may); or ask the pool admin to start one, then test again.'
            : 'Add a host to the pool (Edit pool…), or start the instances, then test again.',
      };
    }
  }

  private probes(provider: PoolProvider, subject: DiagnosticSubject): DiagnosticProbes {
    const instance = 'id' in subject.instance ? subject.instance : undefined;
    return {
      resolve: (name, signal) => this.network.resolve(name, signal),
      connectTcp: (host, port, signal) => this.network.connectTcp(host, port, signal),
      readBanner: (host, port, signal) => this.network.readBanner(host, port, signal),
      fetchHostKey: (host, port, signal) => this.network.fetchHostKey(host, port, signal),
      checkHostKey: (host, port, key) => this.deps.knownHosts.check(provider.id, host, port, key),
      signIn: async (hostKey, signal) => {
        const target = await provider.connectTarget(instance!.id);
        const connection = await SshConnection.open({
          target,
          signal,
          readyTimeoutMs: this.deps.signInTimeoutMs ?? 20_000,
          verifyHostKey: async (key) => {
            if (!key.equals(hostKey)) {
              throw new RpcError(
                ErrorCode.HostKeyMismatch,
                `The host key of ${target.host}:${target.port} changed during the test; test again.`,
              );
            }
          },
        });
        return new SshSession(connection, authMethod(target, provider.kind));
      },
      readHeartbeat: (session, computerName, signal) =>
        this.readHeartbeat(provider, session as SshSession | undefined, computerName, signal),
      checkJupyter: (session, signal) =>
        this.checkJupyter(provider, instance!.name, session as SshSession, signal),
      now: () => performance.now() + performance.timeOrigin,
    };
  }

  /** Azure: through Azure Files when the account may; else (and for SSH hosts) over SSH. */
  private async readHeartbeat(
    provider: PoolProvider,
    session: SshSession | undefined,
    computerName: string,
    signal?: AbortSignal,
  ): Promise<HeartbeatRead> {
    let whyNot = 'not signed in to the instance';
    if (provider.kind === 'azure' && this.deps.azure) {
      try {
        const files = await this.deps.azure.shareFiles(provider.id);
        const text = await files.read(heartbeatPath(computerName));
        const source = `the pool's share (${files.label})`;
        if (text === undefined) return { missing: true, source };
        return { heartbeat: parseHeartbeat(text), source };
      } catch (err) {
        whyNot = `the share could not be opened with your Azure account (${RpcError.from(err).message})`;
      }
    }
    if (!session) return { unreadable: whyNot };
    return readHeartbeatOverSsh(session.connection, signal);
  }

  private async checkJupyter(
    provider: PoolProvider,
    instanceName: string,
    session: SshSession,
    signal?: AbortSignal,
  ): Promise<JupyterCheck> {
    const forward = this.deps.forwards
      .list()
      .find(
        (f) =>
          f.poolId === provider.id &&
          f.instanceName === instanceName &&
          f.kind === 'jupyter' &&
          f.state === 'active',
      );
    const started = performance.now();
    try {
      const found = await this.deps.jupyter.findRunning(session.connection, {
        signal,
        instanceName,
      });
      if (!found) return { state: 'none' };
      return {
        state: 'running',
        where: `${found.remoteHost}:${found.remotePort}`,
        answeredInMs: performance.now() - started,
        ...(forward ? { tunnel: `${forward.localHost}:${forward.localPort}` } : {}),
      };
    } catch (err) {
      const error = RpcError.from(err);
      if (/not installed/.test(error.message))
        return { state: 'not-installed', message: error.message };
      return { state: 'error', message: error.message };
    }
  }
}

/**
 * The heartbeat as the host itself sees it: its agent's mount point, its own file there. (Also
 * how ssh-hosts pools get each connected host's activity: ssh-hosts-activity.ts.)
 */
export async function readHeartbeatOverSsh(
  connection: SshConnection,
  signal?: AbortSignal,
): Promise<HeartbeatRead> {
  const config = await connection.exec(
    `cat /etc/dsvm-pool/agent.json 2>/dev/null; echo ${MARK}; hostname -s 2>/dev/null || hostname`,
    { signal },
  );
  const [json = '', host = ''] = config.stdout.split(MARK).map((p) => p.trim());
  let parsed;
  try {
    parsed = json ? AgentConfigSchema.safeParse(JSON.parse(json)) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success) {
    return {
      missing: true,
      source: `${connection.where}: no pool agent configuration (/etc/dsvm-pool/agent.json)`,
    };
  }
  const mountPoint = parsed.data.share.mountPoint;
  const name = parsed.data.computerName ?? host.split('.')[0] ?? host;
  const file = `${mountPoint}/${heartbeatPath(name)}`;
  const read = await connection.exec(
    `cat ${q(file)} 2>/dev/null || { mountpoint -q ${q(mountPoint)} && echo ${MARK}mounted || echo ${MARK}unmounted; }`,
    { signal },
  );
  const source = `the share as ${connection.where} mounts it (${mountPoint})`;
  if (read.stdout.includes(`${MARK}unmounted`)) {
    return { missing: true, source, unmountedAt: mountPoint };
  }
  if (read.stdout.includes(`${MARK}mounted`)) return { missing: true, source };
  return { heartbeat: parseHeartbeat(read.stdout), source };
}

function parseHeartbeat(text: string) {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RpcError(ErrorCode.Internal, 'the heartbeat file is not JSON');
  }
  const parsed = AgentHeartbeatSchema.safeParse(json);
  if (!parsed.success)
    throw new RpcError(ErrorCode.Internal, 'the heartbeat file is not a heartbeat');
  return parsed.data;
}

function authMethod(target: ConnectTarget, kind: PoolProvider['kind']): string {
  if (target.privateKey) return kind === 'local' ? 'the app’s key' : 'the pool’s key';
  if (target.agent) return 'the ssh-agent';
  return 'no key';
}
