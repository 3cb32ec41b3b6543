// The connection test's steps on stand-in probes: each outcome, each hint, which steps are skipped
// when their ground is missing, the events as it goes, and the report as text.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AgentHeartbeat } from '../../../../src/common/agent-protocol';
import { diagnosticsText, type DiagnosticsReport } from '../../../../src/common/diagnostics';
import { ErrorCode, RpcError } from '../../../../src/common/errors';
import {
  ProbeFailure,
  type DiagnosticProbes,
  type DiagnosticSubject,
} from '../../../../src/core/diagnostics/diagnostic-probes';
import { runDiagnostics } from '../../../../src/core/diagnostics/diagnostics-runner';

/** An ssh-ed25519 key blob (the algorithm name is all the runner reads). */
const KEY = Buffer.concat([
  Buffer.from([0, 0, 0, 11]),
  Buffer.from('ssh-ed25519'),
  Buffer.alloc(36, 7),
]);
const NOW = Date.parse('2030-01-01T12:00:00Z');

function heartbeat(ageMs: number, mount: AgentHeartbeat['mount']): AgentHeartbeat {
  return {
    version: 1,
    computerName: 'vm000001',
    agentVersion: '0.3.0',
    time: new Date(NOW - ageMs).toISOString(),
    mount,
    users: { applied: ['ada'], locked: [] },
    sessions: {},
    jupyter: {},
    load: { avg1: 0, avg5: 0, avg15: 0, cpus: 2 },
    lastApply: null,
  };
}

const healthyMount = {
  protocol: 'smb' as const,
  mountPoint: '/mnt/dsvm-pool',
  mounted: true,
  healthy: true,
};

function subject(over: Partial<DiagnosticSubject> = {}): DiagnosticSubject {
  return {
    poolId: 'azure:sub/rg/teampool',
    poolName: 'teampool',
    poolKind: 'azure',
    instance: {
      id: '1',
      name: 'vm000001',
      host: '20.1.2.3',
      port: 50001,
      user: 'dsvmadmin',
      chosen: true,
    },
    dnsName: 'teampool.westeurope.cloudapp.azure.com',
    allowedSources: ['203.0.113.0/24', '198.51.100.7/32'],
    share: 'share',
    knownHostsFile: '/data/known-hosts.json',
    ...over,
  };
}

/** Probes that all succeed; a test overrides the ones it breaks. */
function probes(over: Partial<DiagnosticProbes> = {}): DiagnosticProbes & { closed: number } {
  let t = NOW;
  const fake = {
    closed: 0,
    resolve: async () => ['20.1.2.3'],
    connectTcp: async () => {
      t += 23;
    },
    readBanner: async () => 'SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13',
    fetchHostKey: async () => KEY,
    checkHostKey: () => ({ status: 'trusted' as const }),
    signIn: async () => ({ method: 'the pool’s key', close: () => void fake.closed++ }),
    readHeartbeat: async () => ({
      heartbeat: heartbeat(40_000, healthyMount),
      source: 'the pool’s share',
    }),
    checkJupyter: async () => ({
      state: 'running' as const,
      where: '127.0.0.1:8888',
      answeredInMs: 120,
    }),
    now: () => t,
    ...over,
  };
  return fake;
}

const byId = (report: DiagnosticsReport) => Object.fromEntries(report.steps.map((s) => [s.id, s]));

describe('runDiagnostics', () => {
  test('all well: every step passes with what it found; events show each step running then done', async () => {
    const updates: DiagnosticsReport[] = [];
    const fake = probes();
    const report = await runDiagnostics(subject(), fake, {
      runId: 'r1',
      onUpdate: (r) => updates.push(r),
    });
    const s = byId(report);
    assert.equal(report.outcome, 'pass');
    assert.equal(report.instanceName, 'vm000001');
    assert.deepEqual(report.target, { host: '20.1.2.3', port: 50001, user: 'dsvmadmin' });
    assert.equal(s.dns!.detail, 'teampool.westeurope.cloudapp.azure.com → 20.1.2.3');
    assert.equal(s.tcp!.detail, 'connected to 20.1.2.3:50001 in 23 ms');
    assert.equal(s.banner!.detail, 'SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13');
    assert.match(s['host-key']!.detail!, /^ssh-ed25519 SHA256:\S+, the key you trusted$/);
    assert.match(s.auth!.detail!, /^signed in as dsvmadmin with the pool’s key/);
    assert.match(s.heartbeat!.detail!, /^written 40 s ago by agent 0\.3\.0/);
    assert.equal(s.share!.detail, 'SMB share at /mnt/dsvm-pool is mounted and answers');
    assert.match(s.jupyter!.detail!, /127\.0\.0\.1:8888 answers through the SSH tunnel/);
    assert.equal(fake.closed, 1, 'the test’s session is closed');
    // First all pending, then each step running before it is done; the last update is final.
    assert.ok(updates[0]!.steps.every((x) => x.status === 'pending'));
    const tcpStates = updates.map((u) => u.steps.find((x) => x.id === 'tcp')!.status);
    assert.ok(tcpStates.indexOf('running') < tcpStates.indexOf('pass'));
    assert.equal(updates.at(-1)!.outcome, 'pass');
  });

  test('Azure, no answer on the NAT port: the allowed ranges and "if your address is not among them"', async () => {
    const report = await runDiagnostics(
      subject(),
      probes({
        connectTcp: async () => {
          throw new ProbeFailure('timeout', 'no answer from 20.1.2.3:50001 within 5 s');
        },
      }),
      { runId: 'r2' },
    );
    const s = byId(report);
    assert.equal(report.outcome, 'fail');
    assert.equal(s.tcp!.status, 'fail');
    assert.match(s.tcp!.hint!, /only from 203\.0\.113\.0\/24, 198\.51\.100\.7\/32/);
    assert.match(s.tcp!.hint!, /If your public address is not among them/);
    for (const id of ['banner', 'host-key', 'auth', 'jupyter']) {
      assert.equal(s[id]!.status, 'skip', id);
      assert.match(s[id]!.detail!, /no TCP connection/);
    }
    // The share is read through Azure, not the instance: it is still checked.
    assert.equal(s.heartbeat!.status, 'pass');
  });

  test('Azure, the NSG could not be read: the hint still says what to compare', async () => {
    const report = await runDiagnostics(
      subject({ allowedSources: undefined }),
      probes({
        connectTcp: async () => {
          throw new ProbeFailure('timeout', 'no answer');
        },
      }),
      { runId: 'r3' },
    );
    assert.match(byId(report).tcp!.hint!, /address ranges its admin allowed/);
  });

  test('SSH host: a closed port is refused with its hint; a name that does not resolve stops there', async () => {
    const ssh = subject({
      poolKind: 'ssh-hosts',
      dnsName: undefined,
      instance: {
        id: 'gpu-1',
        name: 'gpu-1',
        host: 'gpu-1.lab',
        port: 2222,
        user: 'ada',
        chosen: false,
      },
      allowedSources: undefined,
    });
    const refused = await runDiagnostics(
      ssh,
      probes({
        connectTcp: async () => {
          throw new ProbeFailure('refused', 'gpu-1.lab:2222: connection refused');
        },
      }),
      { runId: 'r4' },
    );
    assert.match(byId(refused).tcp!.hint!, /nothing listens on port 2222/);

    const unknown = await runDiagnostics(
      ssh,
      probes({
        resolve: async () => {
          throw new ProbeFailure('not-found', 'gpu-1.lab could not be resolved (ENOTFOUND)');
        },
      }),
      { runId: 'r5' },
    );
    const s = byId(unknown);
    assert.equal(s.dns!.status, 'fail');
    assert.match(s.dns!.hint!, /host name in the pool's settings/);
    assert.equal(s.tcp!.status, 'skip');
    assert.match(s.tcp!.detail!, /does not resolve/);
  });

  test('Azure DNS name that does not resolve is a warning: the app connects by address', async () => {
    const report = await runDiagnostics(
      subject(),
      probes({
        resolve: async () => {
          throw new ProbeFailure('not-found', 'x could not be resolved');
        },
      }),
      { runId: 'r6' },
    );
    const s = byId(report);
    assert.equal(s.dns!.status, 'warn');
    assert.equal(s.tcp!.status, 'pass');
    assert.equal(report.outcome, 'warn');
  });

  test('a port that is no SSH server; a changed host key is refused and nothing signs in', async () => {
    const notSsh = await runDiagnostics(
      subject(),
      probes({
        readBanner: async () => {
          throw new ProbeFailure(
            'not-ssh',
            'port 50001 answered "HTTP/1.1 400", which is not an SSH greeting',
          );
        },
      }),
      { runId: 'r7' },
    );
    assert.match(byId(notSsh).banner!.hint!, /is not an SSH server/);
    assert.equal(byId(notSsh)['host-key']!.status, 'skip');

    let signedIn = false;
    const changed = await runDiagnostics(
      subject(),
      probes({
        checkHostKey: () => ({
          status: 'mismatch',
          knownAlgorithm: 'ssh-ed25519',
          knownFingerprint: 'SHA256:old',
        }),
        signIn: async () => {
          signedIn = true;
          return { method: 'x', close: () => {} };
        },
      }),
      { runId: 'r8' },
    );
    const s = byId(changed);
    assert.equal(s['host-key']!.status, 'fail');
    assert.match(s['host-key']!.detail!, /but you trusted ssh-ed25519 SHA256:old/);
    assert.match(s['host-key']!.hint!, /rebuilt.*intercepting/);
    assert.match(
      s['host-key']!.hint!,
      /Replace key….*pool "azure:sub\/rg\/teampool" are in \/data\/known-hosts\.json/,
    );
    assert.equal(s.auth!.status, 'skip');
    assert.equal(signedIn, false, 'never signs in to a server whose key changed');
  });

  test('an unknown host key is a warning and the test goes on', async () => {
    const report = await runDiagnostics(
      subject(),
      probes({ checkHostKey: () => ({ status: 'unknown' }) }),
      { runId: 'r9' },
    );
    assert.equal(byId(report)['host-key']!.status, 'warn');
    assert.equal(byId(report).auth!.status, 'pass');
  });

  test('refused sign-in: its reason and what to ask the admin; Jupyter is skipped', async () => {
    const report = await runDiagnostics(
      subject(),
      probes({
        signIn: async () => {
          throw new RpcError(ErrorCode.AuthFailed, 'The server did not accept the private key.');
        },
      }),
      { runId: 'r10' },
    );
    const s = byId(report);
    assert.equal(s.auth!.status, 'fail');
    assert.match(s.auth!.hint!, /add your public key to the team/);
    assert.equal(s.jupyter!.status, 'skip');
  });

  test('heartbeat: stale is a warning, missing a failure; an unmounted share fails the share step', async () => {
    const stale = await runDiagnostics(
      subject(),
      probes({
        readHeartbeat: async () => ({
          heartbeat: heartbeat(12 * 60_000, healthyMount),
          source: 's',
        }),
      }),
      { runId: 'r11' },
    );
    assert.equal(byId(stale).heartbeat!.status, 'warn');
    assert.match(byId(stale).heartbeat!.detail!, /last written 12 min ago/);
    assert.match(byId(stale).heartbeat!.hint!, /Repair agent on vm000001/);

    const missing = await runDiagnostics(
      subject({ poolKind: 'ssh-hosts' }),
      probes({
        readHeartbeat: async () => ({
          missing: true as const,
          source: 's',
          unmountedAt: '/mnt/dsvm-pool',
        }),
      }),
      { runId: 'r12' },
    );
    assert.equal(byId(missing).heartbeat!.status, 'fail');
    assert.match(byId(missing).heartbeat!.hint!, /Install agent…/);
    assert.equal(byId(missing).share!.status, 'fail');
    assert.match(byId(missing).share!.detail!, /nothing is mounted at \/mnt\/dsvm-pool/);

    const broken = await runDiagnostics(
      subject(),
      probes({
        readHeartbeat: async () => ({
          heartbeat: heartbeat(30_000, {
            ...healthyMount,
            mounted: false,
            healthy: false,
            detail: 'mount error(13): Permission denied',
          }),
          source: 's',
        }),
      }),
      { runId: 'r13' },
    );
    assert.equal(byId(broken).share!.status, 'fail');
    assert.match(
      byId(broken).share!.detail!,
      /not mounted \(mount error\(13\): Permission denied\)/,
    );
  });

  test('local sandbox and pools without a share skip the agent steps, saying why', async () => {
    const local = await runDiagnostics(
      subject({ poolKind: 'local', share: 'sandbox', dnsName: undefined }),
      probes(),
      { runId: 'r14' },
    );
    assert.match(byId(local).heartbeat!.detail!, /local sandbox runs no pool agent/);
    assert.equal(byId(local).dns!.status, 'info', 'an IP address needs no DNS');
    assert.equal(local.outcome, 'pass');
    const none = await runDiagnostics(subject({ share: 'none' }), probes(), { runId: 'r15' });
    assert.match(byId(none).share!.detail!, /no shared storage/);
  });

  test('no instance to test: says why, skips everything else', async () => {
    const report = await runDiagnostics(
      subject({
        instance: { problem: 'No instance of this pool is running.', hint: 'Connect starts one.' },
      }),
      probes(),
      { runId: 'r16' },
    );
    assert.equal(byId(report).instance!.status, 'fail');
    assert.ok(report.steps.slice(1).every((s) => s.status === 'skip'));
  });

  test('Jupyter: none running is information; not installed a warning', async () => {
    const none = await runDiagnostics(
      subject(),
      probes({ checkJupyter: async () => ({ state: 'none' }) }),
      {
        runId: 'r17',
      },
    );
    assert.equal(byId(none).jupyter!.status, 'info');
    assert.match(byId(none).jupyter!.detail!, /Open Jupyter starts one/);
    assert.equal(none.outcome, 'pass');
  });

  test('cancelled: the run stops with Cancelled and the session is closed', async () => {
    const controller = new AbortController();
    const fake = probes({
      readHeartbeat: async () => {
        controller.abort();
        throw new Error('aborted');
      },
    });
    await assert.rejects(
      runDiagnostics(subject(), fake, { runId: 'r18', signal: controller.signal }),
      (err: RpcError) => err.code === ErrorCode.Cancelled,
    );
    assert.equal(fake.closed, 1);
  });

  test('Copy as text: one line per step with its time, the hints, the app and its log', async () => {
    const report = await runDiagnostics(
      subject(),
      probes({
        connectTcp: async () => {
          throw new ProbeFailure('timeout', 'no answer from 20.1.2.3:50001 within 5 s');
        },
      }),
      {
        runId: 'r19',
        app: {
          version: '1.2.3',
          shell: 'electron',
          platform: 'linux',
          logFile: '/d/logs/main.log',
        },
      },
    );
    const text = diagnosticsText(report);
    assert.match(
      text,
      /^dsvm-pool connection test: teampool \/ vm000001 \(20\.1\.2\.3:50001, as dsvmadmin\)\n/,
    );
    assert.match(text, /: 1 failed\n/);
    assert.match(
      text,
      /\n\[FAIL \] TCP connect \(\d+ ms\): no answer from 20\.1\.2\.3:50001 within 5 s\n {8}What to do: The pool lets SSH in only from 203\.0\.113\.0\/24/,
    );
    assert.match(text, /\n\[SKIP \] SSH banner: not tried: no TCP connection/);
    assert.match(text, /\nApp 1\.2\.3 \(electron, linux\); log: \/d\/logs\/main\.log\n$/);
  });
});
