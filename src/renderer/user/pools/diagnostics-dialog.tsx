// "Test connection" on a pool or an instance: the steps from DNS to Jupyter as they run, each with
// its time, what it found and what to do; Copy as text for a chat or a support ticket.
import {
  Button,
  Dialog,
  DialogSurface,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import {
  CheckmarkCircle20Filled,
  Circle20Regular,
  DismissCircle20Filled,
  Info20Filled,
  PlugConnected20Regular,
  SubtractCircle20Regular,
  Warning20Filled,
} from '@fluentui/react-icons';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import {
  DIAGNOSTIC_STEPS,
  diagnosticsText,
  formatDuration,
  type DiagnosticStatus,
  type DiagnosticStep,
  type DiagnosticsReport,
} from '../../../common/diagnostics';
import { ErrorCode, RpcError } from '../../../common/errors';
import type { PoolInfo } from '../../../common/models';
import { CopyButton } from '../../shared/copy-button';
import { DialogShell } from '../../shared/dialog-shell';
import { useRpc } from '../../shared/rpc-context';

const useStyles = makeStyles({
  surface: { maxWidth: '760px', width: '92vw' },
  steps: {
    listStyle: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
  },
  step: {
    display: 'grid',
    gridTemplateColumns: '20px 9.5em minmax(0, 1fr) auto',
    columnGap: tokens.spacingHorizontalS,
    alignItems: 'start',
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  failed: { backgroundColor: tokens.colorPaletteRedBackground1 },
  warned: { backgroundColor: tokens.colorPaletteYellowBackground1 },
  label: { fontWeight: tokens.fontWeightSemibold },
  detail: { overflowWrap: 'anywhere', minWidth: 0 },
  muted: { color: tokens.colorNeutralForeground3 },
  time: { color: tokens.colorNeutralForeground3, fontVariantNumeric: 'tabular-nums' },
  hint: {
    gridColumn: '3 / 5',
    marginTop: tokens.spacingVerticalXXS,
    color: tokens.colorNeutralForeground2,
    overflowWrap: 'anywhere',
  },
  pass: { color: tokens.colorPaletteGreenForeground1 },
  fail: { color: tokens.colorPaletteRedForeground1 },
  warn: { color: tokens.colorPaletteDarkOrangeForeground1 },
  info: { color: tokens.colorBrandForeground1 },
  quiet: { color: tokens.colorNeutralForeground3 },
  icon: { display: 'flex', paddingTop: '1px' },
});

/** What to test: a pool (the instance Connect would choose) or one of its instances. */
export interface DiagnosticsTarget {
  pool: PoolInfo;
  instanceId?: string;
}

let runs = 0;
/** A run id unique in this page (the answer's events are matched to it). */
function newRunId(): string {
  return `run-${Date.now().toString(36)}-${++runs}-${Math.random().toString(36).slice(2, 8)}`;
}

function StatusIcon({ status }: { status: DiagnosticStatus }) {
  const styles = useStyles();
  const icons: Record<DiagnosticStatus, ReactNode> = {
    pending: <Circle20Regular className={styles.quiet} />,
    running: <Spinner size="extra-tiny" />,
    pass: <CheckmarkCircle20Filled className={styles.pass} />,
    info: <Info20Filled className={styles.info} />,
    warn: <Warning20Filled className={styles.warn} />,
    fail: <DismissCircle20Filled className={styles.fail} />,
    skip: <SubtractCircle20Regular className={styles.quiet} />,
  };
  return (
    <span className={styles.icon} aria-label={status} role="img">
      {icons[status]}
    </span>
  );
}

function StepRow({ step }: { step: DiagnosticStep }) {
  const styles = useStyles();
  return (
    <li
      className={mergeClasses(
        styles.step,
        step.status === 'fail' && styles.failed,
        step.status === 'warn' && styles.warned,
      )}
      data-testid={`diagnostic-${step.id}`}
      data-status={step.status}
    >
      <StatusIcon status={step.status} />
      <Text className={styles.label}>{step.label}</Text>
      <Text
        className={mergeClasses(styles.detail, step.status === 'skip' && styles.muted)}
        size={300}
      >
        {step.detail ?? (step.status === 'running' ? 'checking…' : '')}
      </Text>
      <Text size={200} className={styles.time}>
        {step.durationMs !== undefined ? formatDuration(step.durationMs) : ''}
      </Text>
      {step.hint && (
        <Text size={200} className={styles.hint} data-testid={`diagnostic-${step.id}-hint`}>
          <strong>What to do:</strong> {step.hint}
        </Text>
      )}
    </li>
  );
}

function Summary({ report }: { report: DiagnosticsReport }) {
  const failed = report.steps.filter((s) => s.status === 'fail');
  const warned = report.steps.filter((s) => s.status === 'warn');
  if (report.outcome === 'pass') {
    return (
      <MessageBar intent="success" data-testid="diagnostics-summary">
        <MessageBarBody>
          <MessageBarTitle>All checks passed</MessageBarTitle>
          {report.instanceName} answers and you can sign in.
        </MessageBarBody>
      </MessageBar>
    );
  }
  const first = failed[0] ?? warned[0];
  return (
    <MessageBar
      intent={report.outcome === 'fail' ? 'error' : 'warning'}
      layout="multiline"
      data-testid="diagnostics-summary"
    >
      <MessageBarBody>
        <MessageBarTitle>
          {failed.length
            ? `${failed.length} check${failed.length > 1 ? 's' : ''} failed`
            : `${warned.length} warning${warned.length > 1 ? 's' : ''}`}
        </MessageBarTitle>
        {first && `${first.label}: ${first.detail ?? ''}`}
      </MessageBarBody>
    </MessageBar>
  );
}

export function DiagnosticsDialog({
  target,
  onClose,
}: {
  /** Undefined closes the dialog. */
  target?: DiagnosticsTarget;
  onClose: () => void;
}) {
  const styles = useStyles();
  const rpc = useRpc();
  const [report, setReport] = useState<DiagnosticsReport>();
  const [error, setError] = useState<string>();
  const [attempt, setAttempt] = useState(0);
  const running = useRef<AbortController | undefined>(undefined);
  const poolId = target?.pool.id;
  const instanceId = target?.instanceId;

  useEffect(() => {
    if (!poolId) return;
    const runId = newRunId();
    const controller = new AbortController();
    running.current = controller;
    setReport(undefined);
    setError(undefined);
    // Listening before asking: the first step's event may come before the answer's first byte.
    const sub = rpc.on('diagnostics.onDidUpdate', (r) => {
      if (r.runId === runId && !controller.signal.aborted) setReport(r);
    });
    rpc
      .call(
        'diagnostics.run',
        { poolId, runId, ...(instanceId ? { instanceId } : {}) },
        { signal: controller.signal },
      )
      .then(
        (r) => !controller.signal.aborted && setReport(r),
        (err: unknown) => {
          const e = RpcError.from(err);
          if (!controller.signal.aborted && e.code !== ErrorCode.Cancelled) setError(e.message);
        },
      )
      .finally(() => {
        sub.dispose();
        if (running.current === controller) running.current = undefined;
      });
    // Closing the dialog (or testing again) cancels the test in the core.
    return () => {
      controller.abort();
      sub.dispose();
    };
  }, [rpc, poolId, instanceId, attempt]);

  const done = report?.finishedAt !== undefined || error !== undefined;
  const instanceName =
    report?.instanceName ?? target?.pool.instances.find((i) => i.id === instanceId)?.name;
  const steps =
    report?.steps ?? DIAGNOSTIC_STEPS.map((s) => ({ ...s, status: 'pending' as const }));
  return (
    <Dialog open={target !== undefined} onOpenChange={(_, data) => !data.open && onClose()}>
      <DialogSurface className={styles.surface} data-testid="diagnostics-dialog">
        {target && (
          <DialogShell
            icon={<PlugConnected20Regular />}
            title={`Test connection: ${target.pool.name}${instanceName ? ` / ${instanceName}` : ''}`}
            error={error}
            multilineError
            actions={
              <>
                <CopyButton
                  text={() => (report ? diagnosticsText(report) : '')}
                  what="the test's results as text"
                  label="Copy as text"
                  appearance="primary"
                  data-testid="diagnostics-copy"
                />
                <Button
                  disabled={!done}
                  data-testid="diagnostics-again"
                  onClick={() => setAttempt((n) => n + 1)}
                >
                  Test again
                </Button>
                <Button data-testid="diagnostics-close" onClick={onClose}>
                  Close
                </Button>
              </>
            }
          >
            {report?.finishedAt ? (
              <Summary report={report} />
            ) : (
              !error && (
                <Spinner
                  size="tiny"
                  labelPosition="after"
                  label="Testing the connection step by step…"
                />
              )
            )}
            <ol className={styles.steps} aria-label="Connection test steps">
              {steps.map((step) => (
                <StepRow key={step.id} step={step} />
              ))}
            </ol>
            {report?.target && (
              <Text size={200} className={styles.muted}>
                {report.target.host}:{report.target.port}
                {report.target.user ? ` as ${report.target.user}` : ''}
                {report.app?.logFile ? ` · log: ${report.app.logFile}` : ''}
              </Text>
            )}
          </DialogShell>
        )}
      </DialogSurface>
    </Dialog>
  );
}
