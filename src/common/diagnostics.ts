// Connection diagnostics ("Test connection"): the steps from DNS to Jupyter, each with its time,
// outcome and a hint in plain words, and the report as text for "Copy as text".
import type { PoolKind } from './models';

export type DiagnosticStepId =
  'instance' | 'dns' | 'tcp' | 'banner' | 'host-key' | 'auth' | 'heartbeat' | 'share' | 'jupyter';

/**
 * pending/running while the test goes; then pass, info (nothing wrong, worth knowing), warn
 * (works, but something is off), fail, or skip (not tried, and why).
 */
export type DiagnosticStatus = 'pending' | 'running' | 'pass' | 'info' | 'warn' | 'fail' | 'skip';

export interface DiagnosticStep {
  id: DiagnosticStepId;
  /** What the step checks, e.g. "TCP connect". */
  label: string;
  status: DiagnosticStatus;
  /** What was found, e.g. "connected to 20.1.2.3:50001 in 23 ms". */
  detail?: string;
  /** What to do about it, in plain words (a failure or a warning). */
  hint?: string;
  durationMs?: number;
}

export interface DiagnosticsReport {
  runId: string;
  poolId: string;
  poolName: string;
  poolKind: PoolKind;
  instanceId?: string;
  instanceName?: string;
  /** Where the test went, and as whom. */
  target?: { host: string; port: number; user?: string };
  startedAt: string;
  finishedAt?: string;
  steps: DiagnosticStep[];
  /** The worst outcome, once finished. */
  outcome?: 'pass' | 'warn' | 'fail';
  /** The app's version and shell, and its log file, for a support request. */
  app?: { version: string; shell: string; platform: string; logFile?: string };
}

/** The steps in the order they run, with their labels. */
export const DIAGNOSTIC_STEPS: ReadonlyArray<{ id: DiagnosticStepId; label: string }> = [
  { id: 'instance', label: 'Instance' },
  { id: 'dns', label: 'DNS' },
  { id: 'tcp', label: 'TCP connect' },
  { id: 'banner', label: 'SSH banner' },
  { id: 'host-key', label: 'Host key' },
  { id: 'auth', label: 'Sign-in' },
  { id: 'heartbeat', label: 'Agent heartbeat' },
  { id: 'share', label: 'Share mount' },
  { id: 'jupyter', label: 'Jupyter' },
];

/** fail beats warn beats the rest. */
export function diagnosticsOutcome(steps: readonly DiagnosticStep[]): 'pass' | 'warn' | 'fail' {
  if (steps.some((s) => s.status === 'fail')) return 'fail';
  if (steps.some((s) => s.status === 'warn')) return 'warn';
  return 'pass';
}

const MARK: Record<DiagnosticStatus, string> = {
  pending: '[ ... ]',
  running: '[ ... ]',
  pass: '[ OK  ]',
  info: '[INFO ]',
  warn: '[WARN ]',
  fail: '[FAIL ]',
  skip: '[SKIP ]',
};

/** A duration as people read it: "840 ms", "2.3 s". */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The report as plain text, for a chat message or a support ticket. */
export function diagnosticsText(report: DiagnosticsReport): string {
  const where = report.instanceName
    ? `${report.poolName} / ${report.instanceName}`
    : report.poolName;
  const target = report.target
    ? ` (${report.target.host}:${report.target.port}${report.target.user ? `, as ${report.target.user}` : ''})`
    : '';
  const fails = report.steps.filter((s) => s.status === 'fail').length;
  const warns = report.steps.filter((s) => s.status === 'warn').length;
  const summary = report.finishedAt
    ? fails + warns === 0
      ? 'all checks passed'
      : [fails && `${fails} failed`, warns && `${warns} warning${warns > 1 ? 's' : ''}`]
          .filter(Boolean)
          .join(', ')
    : 'still running';
  const lines = [
    `dsvm-pool connection test: ${where}${target}`,
    `${report.poolKind} pool ${report.poolId}; started ${report.startedAt}: ${summary}`,
    '',
  ];
  for (const step of report.steps) {
    const time = step.durationMs !== undefined ? ` (${formatDuration(step.durationMs)})` : '';
    lines.push(`${MARK[step.status]} ${step.label}${time}: ${step.detail ?? step.status}`);
    if (step.hint) lines.push(`        What to do: ${step.hint}`);
  }
  if (report.app) {
    const { version, shell, platform, logFile } = report.app;
    lines.push('', `App ${version} (${shell}, ${platform})${logFile ? `; log: ${logFile}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
