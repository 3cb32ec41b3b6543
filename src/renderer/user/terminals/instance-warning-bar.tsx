// The bar over a terminal whose instance is about to go (instance-warning.ts): what and when,
// with a live countdown to NotBefore; "Continue on another instance" opens a terminal and Jupyter
// on another running instance of the pool (the notebooks are on the share), and before an idle
// stop "Keep this VM" puts it off.
//
// Test ids: instance-warning-<terminalId> (data-kind, data-event), instance-warning-countdown,
// instance-warning-move, instance-warning-keep, instance-warning-error.
import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  makeStyles,
} from '@fluentui/react-components';
import { ArrowForward16Regular, Dismiss16Regular, Pin16Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import type { InstanceInfo } from '../../../common/models';
import { useNow } from '../../shared/use-now';
import { countdown, instanceWarning, otherInstance } from './instance-warning';

const useStyles = makeStyles({
  bar: { flex: '0 0 auto', borderRadius: 0 },
  body: { overflowWrap: 'anywhere', minWidth: 0 },
  time: { fontVariantNumeric: 'tabular-nums', fontWeight: 600 },
});

export interface InstanceWarningBarProps {
  terminalId: string;
  instance: InstanceInfo | undefined;
  /** Every instance of the pool, to find one to carry on on. */
  instances: readonly InstanceInfo[];
  /** Opens a terminal and Jupyter on that instance. */
  onMoveTo: (instanceId: string) => void;
  /** Keeps this VM (resets the idle window); absent where the app cannot. */
  onKeep?: () => Promise<void>;
}

export function InstanceWarningBar(props: InstanceWarningBarProps) {
  const styles = useStyles();
  const warning = instanceWarning(props.instance);
  const now = useNow(warning?.deadline !== undefined, 1000);
  const [keeping, setKeeping] = useState(false);
  const [error, setError] = useState<string>();
  // A "kept" note, once dismissed, stays away until its words change.
  const [dismissed, setDismissed] = useState<string>();
  const noteKey = warning ? `${props.instance?.id}|${warning.text}` : undefined;
  if (!warning || !props.instance) return null;
  if (warning.kind === 'kept' && dismissed === noteKey) return null;
  const other = warning.moveOn ? otherInstance(props.instances, props.instance.id) : undefined;
  const keep = () => {
    if (!props.onKeep) return;
    setKeeping(true);
    setError(undefined);
    props.onKeep().then(
      () => setKeeping(false),
      (err: unknown) => {
        setKeeping(false);
        setError(err instanceof Error ? err.message : String(err));
      },
    );
  };
  return (
    <MessageBar
      intent={warning.intent}
      layout="multiline"
      className={styles.bar}
      data-testid={`instance-warning-${props.terminalId}`}
      data-kind={warning.kind}
      data-event={warning.eventType ?? ''}
    >
      <MessageBarBody className={styles.body}>
        <MessageBarTitle>
          {warning.title}
          {warning.kind !== 'kept' && (
            <>
              {' '}
              <span className={styles.time} data-testid="instance-warning-countdown" role="timer">
                {countdown(warning.deadline, now)}
              </span>
            </>
          )}
        </MessageBarTitle>
        {props.instance.name}: {warning.text}
        {warning.moveOn && !other && ' No other instance of the pool is running now.'}
        {error && (
          <div data-testid="instance-warning-error" role="alert">
            Could not keep this VM: {error}
          </div>
        )}
      </MessageBarBody>
      <MessageBarActions
        containerAction={
          warning.kind === 'kept' ? (
            <Button
              appearance="transparent"
              aria-label="Dismiss"
              icon={<Dismiss16Regular />}
              data-testid="instance-warning-dismiss"
              onClick={() => setDismissed(noteKey)}
            />
          ) : undefined
        }
      >
        {other && (
          <Button
            size="small"
            icon={<ArrowForward16Regular />}
            data-testid="instance-warning-move"
            title={`Opens a terminal and Jupyter on ${other.name}; your notebooks are on the share`}
            onClick={() => props.onMoveTo(other.id)}
          >
            Continue on another instance
          </Button>
        )}
        {warning.keep && props.onKeep && (
          <Button
            size="small"
            appearance="primary"
            icon={keeping ? <Spinner size="extra-tiny" /> : <Pin16Regular />}
            disabled={keeping}
            data-testid="instance-warning-keep"
            onClick={keep}
          >
            Keep this VM
          </Button>
        )}
      </MessageBarActions>
    </MessageBar>
  );
}
