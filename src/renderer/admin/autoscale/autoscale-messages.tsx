// What the editor tells about the setting: the app's notes (one warns that a CPU rule cannot wake
// a pool from zero), and every problem that blocks saving.
import { MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { useAutoscaleStyles } from './autoscale-styles';

/** The app's notes on the setting; the one about waking from zero instances is a warning. */
export function Notes({ notes }: { notes: string[] }) {
  const styles = useAutoscaleStyles();
  if (notes.length === 0) return null;
  return (
    <div className={styles.section} data-testid="autoscale-notes">
      {notes.map((n) => {
        const zero = /cannot wake/.test(n);
        return (
          <MessageBar
            key={n}
            intent={zero ? 'warning' : 'info'}
            layout="multiline"
            data-testid={zero ? 'autoscale-zero-note' : undefined}
          >
            <MessageBarBody className={styles.wrap}>{n}</MessageBarBody>
          </MessageBar>
        );
      })}
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
