// What the editor tells about the setting: the app's notes, its warnings (a profile with a
// minimum of 0 that no rule can wake, with a schedule to add), and every problem that blocks saving.
import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
} from '@fluentui/react-components';
import { Add16Regular } from '@fluentui/react-icons';
import type { AutoscaleWarning } from '../../../common/models';
import { useAutoscaleStyles } from './autoscale-styles';

/** The app's notes on the setting. */
export function Notes({ notes }: { notes: string[] }) {
  const styles = useAutoscaleStyles();
  if (notes.length === 0) return null;
  return (
    <div className={styles.section} data-testid="autoscale-notes">
      {notes.map((n) => (
        <MessageBar key={n} intent="info" layout="multiline">
          <MessageBarBody className={styles.wrap}>{n}</MessageBarBody>
        </MessageBar>
      ))}
    </div>
  );
}

/** Profiles that cannot wake a pool at 0 instances; a warning may offer the schedule it suggests. */
export function Warnings({
  warnings,
  busy,
  onAddWeekdaySchedule,
}: {
  warnings: AutoscaleWarning[];
  busy: boolean;
  onAddWeekdaySchedule: () => void;
}) {
  const styles = useAutoscaleStyles();
  if (warnings.length === 0) return null;
  return (
    <div className={styles.section} data-testid="autoscale-warnings">
      {warnings.map((w) => (
        <MessageBar
          key={w.path.join('.')}
          intent="warning"
          layout="multiline"
          data-testid="autoscale-zero-note"
        >
          <MessageBarBody className={styles.wrap}>
            <MessageBarTitle>Waking from 0 instances</MessageBarTitle>
            {w.message}
          </MessageBarBody>
          {w.suggest === 'weekdays-schedule' && (
            <MessageBarActions>
              <Button
                size="small"
                icon={<Add16Regular />}
                disabled={busy}
                data-testid="autoscale-warning-add-schedule"
                onClick={onAddWeekdaySchedule}
              >
                Add “Weekdays 08:00–19:00, min 2”
              </Button>
            </MessageBarActions>
          )}
        </MessageBar>
      ))}
    </div>
  );
}

/** Every problem that blocks saving: typing mistakes and the app's, or its refusal. */
export function Problems({
  messages,
  serverMessage,
}: {
  messages: string[];
  serverMessage?: string;
}) {
  const styles = useAutoscaleStyles();
  const count = messages.length;
  if (count === 0 && !serverMessage) return null;
  return (
    <MessageBar intent="error" layout="multiline" data-testid="autoscale-problems">
      <MessageBarBody className={styles.wrap}>
        <MessageBarTitle>
          {count > 0
            ? `${count} ${count === 1 ? 'thing' : 'things'} to fix before saving`
            : 'The app refused the setting'}
        </MessageBarTitle>
        {messages.length > 0 ? (
          <ul className={styles.list}>
            {messages.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        ) : (
          serverMessage
        )}
      </MessageBarBody>
    </MessageBar>
  );
}
