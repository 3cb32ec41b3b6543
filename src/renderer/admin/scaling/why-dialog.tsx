// "Why did / didn't the pool scale?" for an Azure pool: the "now" line, a timeline chart of
// instances and sessions with a line per event, the same events in a table (time, what, why),
// the counts in a table too, and the az commands of what the app read. Reached from the pool's
// toolbar (WhyButton) and from the autoscale editor.
//
// Test ids: why-open (the button), why-dialog, why-now, why-chart, why-hours, why-refresh,
// why-steps (the events table), why-step-<i> (a row, oldest first), why-problems, why-close.
import {
  Accordion,
  AccordionHeader,
  AccordionItem,
  AccordionPanel,
  Button,
  Dialog,
  DialogSurface,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Select,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ArrowClockwise16Regular, ChartMultiple16Regular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import type { PoolInfo } from '../../../common/models';
import type { ScalingHistory } from '../../../common/scaling-models';
import { DialogShell } from '../../shared/dialog-shell';
import { useRpc } from '../../shared/rpc-context';
import { useLoad } from '../../shared/use-load';
import { AzCommands } from '../az/az-commands';
import { ScalingChart } from './scaling-chart';
import { MARKER_COLORS, MARKER_WORDS } from './scaling-chart-data';

const useStyles = makeStyles({
  surface: { maxWidth: 'min(1100px, 96vw)', width: '96vw' },
  bar: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  muted: { color: tokens.colorNeutralForeground3 },
  legend: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM },
  swatch: {
    display: 'inline-block',
    width: '10px',
    height: '10px',
    borderRadius: '2px',
    marginRight: tokens.spacingHorizontalXS,
  },
  time: { whiteSpace: 'nowrap', width: '7.5em' },
  what: { width: '32%' },
  wrap: { overflowWrap: 'anywhere' },
});

/** How often the open view reads again (the autoscale engine evaluates every 30–60 s). */
const REFRESH_MS = 30_000;

export interface WhyButtonProps {
  pool: PoolInfo;
  disabled?: boolean;
  /** Shown as a link-like subtle button (in the autoscale editor) rather than a toolbar button. */
  subtle?: boolean;
}

/** "Why did it scale?" for an Azure pool; opens the view. */
export function WhyButton({ pool, disabled, subtle }: WhyButtonProps) {
  const [open, setOpen] = useState(false);
  if (pool.kind !== 'azure') return null;
  return (
    <>
      <Button
        size="small"
        appearance={subtle ? 'subtle' : undefined}
        icon={<ChartMultiple16Regular />}
        disabled={disabled}
        data-testid="why-open"
        onClick={() => setOpen(true)}
      >
        Why did it scale?
      </Button>
      {open && <WhyDialog pool={pool} onClose={() => setOpen(false)} />}
    </>
  );
}

export function WhyDialog({ pool, onClose }: { pool: PoolInfo; onClose: () => void }) {
  const styles = useStyles();
  const rpc = useRpc();
  const [hours, setHours] = useState(24);
  const { data, error, loading, reload } = useLoad(
    true,
    () => rpc.call('scaling.history', { poolId: pool.id, hours }),
    [rpc, pool.id, hours],
    { keep: true },
  );
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  return (
    <Dialog open onOpenChange={(_e, d) => !d.open && onClose()}>
      <DialogSurface className={styles.surface} data-testid="why-dialog">
        <DialogShell
          title={`Why did ${pool.name} scale?`}
          icon={<ChartMultiple16Regular />}
          error={error}
          multilineError
          actions={
            <Button data-testid="why-close" onClick={onClose}>
              Close
            </Button>
          }
        >
          <div className={styles.bar}>
            <label htmlFor="why-hours">Show the last</label>
            <Select
              id="why-hours"
              size="small"
              value={String(hours)}
              data-testid="why-hours"
              onChange={(_e, d) => setHours(Number(d.value))}
            >
              <option value="6">6 hours</option>
              <option value="24">day</option>
              <option value="72">3 days</option>
              <option value="168">week</option>
            </Select>
            <Button
              size="small"
              icon={loading ? <Spinner size="extra-tiny" /> : <ArrowClockwise16Regular />}
              disabled={loading}
              data-testid="why-refresh"
              onClick={reload}
            >
              Refresh
            </Button>
            {data && (
              <Text size={200} className={styles.muted}>
                Read at {formatTime(Date.parse(data.to))}; again every 30 s while open
              </Text>
            )}
          </div>
          {!data && loading && (
            <Spinner size="tiny" label="Reading the Activity Log and the agents' events…" />
          )}
          {data && <WhyContent history={data} />}
        </DialogShell>
      </DialogSurface>
    </Dialog>
  );
}

function WhyContent({ history }: { history: ScalingHistory }) {
  const styles = useStyles();
  const kinds = [...new Set(history.markers.map((m) => m.kind))];
  return (
    <>
      <MessageBar intent="info" layout="multiline" data-testid="why-now">
        <MessageBarBody className={styles.wrap}>
          <MessageBarTitle>Now</MessageBarTitle>
          {history.now.text}
        </MessageBarBody>
      </MessageBar>
      {history.problems.length > 0 && (
        <MessageBar intent="warning" layout="multiline" data-testid="why-problems">
          <MessageBarBody className={styles.wrap}>
            <MessageBarTitle>Not everything could be read</MessageBarTitle>
            {history.problems.join(' ')}
          </MessageBarBody>
        </MessageBar>
      )}
      <ScalingChart history={history} />
      <div className={styles.legend} aria-hidden="true">
        <Text size={200}>
          <span className={styles.swatch} style={{ background: '#0f6cbd' }} />
          Instances
        </Text>
        <Text size={200}>
          <span className={styles.swatch} style={{ background: '#107c10' }} />
          Sessions (dashed)
        </Text>
        {kinds.map((k) => (
          <Text size={200} key={k}>
            <span className={styles.swatch} style={{ background: MARKER_COLORS[k] }} />
            {MARKER_WORDS[k]}
          </Text>
        ))}
      </div>
      <Table size="small" aria-label="What happened, oldest first" data-testid="why-steps">
        <TableHeader>
          <TableRow>
            <TableHeaderCell className={styles.time}>Time</TableHeaderCell>
            <TableHeaderCell className={styles.what}>What</TableHeaderCell>
            <TableHeaderCell>Why</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {history.markers.length === 0 && (
            <TableRow>
              <TableCell colSpan={3}>
                Nothing scaled, and no protection or scheduled event, in this window.
              </TableCell>
            </TableRow>
          )}
          {history.markers.map((m, i) => (
            <TableRow key={`${m.time}-${i}`} data-testid={`why-step-${i}`}>
              <TableCell className={styles.time}>{formatTime(Date.parse(m.time))}</TableCell>
              <TableCell className={styles.wrap}>
                <span
                  className={styles.swatch}
                  style={{ background: MARKER_COLORS[m.kind] }}
                  aria-hidden="true"
                />
                {m.title}
              </TableCell>
              <TableCell className={styles.wrap}>{m.reason}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Accordion collapsible>
        <AccordionItem value="counts">
          <AccordionHeader size="small">Counts over time</AccordionHeader>
          <AccordionPanel>
            <Table size="small" aria-label="Instances and sessions over time">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>From</TableHeaderCell>
                  <TableHeaderCell>Instances</TableHeaderCell>
                  <TableHeaderCell>Sessions</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {history.series.map((p) => (
                  <TableRow key={p.time}>
                    <TableCell>{formatTime(Date.parse(p.time))}</TableCell>
                    <TableCell>{p.instances}</TableCell>
                    <TableCell>{p.sessions ?? '–'}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </AccordionPanel>
        </AccordionItem>
      </Accordion>
      <AzCommands az={history.az} />
    </>
  );
}

/** "10:42" today, "Tue 10:42" another day, in this computer's time zone. */
function formatTime(ms: number): string {
  const d = new Date(ms);
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return d.toDateString() === new Date().toDateString()
    ? time
    : `${d.toLocaleDateString(undefined, { weekday: 'short' })} ${time}`;
}
