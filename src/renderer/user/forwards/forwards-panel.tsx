// The forwarded ports, under the pools: every forward with its state, and the "Add forward" form.
import {
  Button,
  CounterBadge,
  MessageBar,
  MessageBarBody,
  Spinner,
  Text,
  Tooltip,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { Add16Regular, ChevronDown16Regular, ChevronRight16Regular } from '@fluentui/react-icons';
import { useEffect, useId, useState } from 'react';
import type { ConnectionInfo } from '../../../common/models';
import type { ConnectionMap } from '../use-connections';
import type { ForwardsState } from './use-forwards';
import type { JupyterRuns } from '../jupyter/use-jupyter';
import { AddForwardForm } from './add-forward-form';
import { ForwardRow } from './forward-row';

const useStyles = makeStyles({
  panel: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    minHeight: 0,
  },
  header: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalXS,
  },
  toggle: {
    minWidth: 0,
    padding: `0 ${tokens.spacingHorizontalXS}`,
    color: tokens.colorNeutralForeground3,
    textTransform: 'uppercase',
    letterSpacing: '0.04em',
    fontSize: tokens.fontSizeBase200,
    fontWeight: tokens.fontWeightSemibold,
  },
  spacer: { flex: '1 1 auto' },
  list: {
    listStyle: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: '2px',
  },
  empty: { color: tokens.colorNeutralForeground3, padding: `0 ${tokens.spacingHorizontalS}` },
});

export interface ForwardsPanelProps {
  state: ForwardsState;
  connections: ConnectionMap;
  /** The active tab's connection: the form's default. */
  activeConnectionId?: string;
  jupyter: JupyterRuns;
  /** Set by "Forward a port…" in a tab's menu: opens the form for that connection. */
  request?: { connectionId: string; n: number };
  disabled: boolean;
}

export function ForwardsPanel(props: ForwardsPanelProps) {
  const { state, connections, jupyter, request } = props;
  const styles = useStyles();
  const listId = useId();
  const [expanded, setExpanded] = useState(true);
  const [adding, setAdding] = useState(false);
  const [focusRequest, setFocusRequest] = useState(0);
  const [formConnection, setFormConnection] = useState<string>();

  useEffect(() => {
    if (!request) return;
    setExpanded(true);
    setAdding(true);
    setFormConnection(request.connectionId);
    setFocusRequest((n) => n + 1);
  }, [request]);

  const usable: ConnectionInfo[] = [...connections.values()].filter((c) => c.state === 'connected');
  const forwards = state.items ?? [];
  const canAdd = usable.length > 0 && !props.disabled;

  /** Jupyter's own URL carries its token; anything else is opened at its root. */
  const urlOf = (forwardId: string, localPort: number) => {
    for (const run of Object.values(jupyter.runs)) {
      if (run.info?.forwardId === forwardId) return run.info.url;
    }
    return `http://127.0.0.1:${localPort}/`;
  };

  return (
    <section className={styles.panel} aria-label="Forwarded ports" data-testid="forwards-panel">
      <div className={styles.header}>
        <Button
          appearance="transparent"
          size="small"
          className={styles.toggle}
          icon={expanded ? <ChevronDown16Regular /> : <ChevronRight16Regular />}
          aria-expanded={expanded}
          aria-controls={listId}
          onClick={() => setExpanded((e) => !e)}
        >
          Forwarded ports
        </Button>
        {forwards.length > 0 && (
          <CounterBadge
            count={forwards.length}
            size="small"
            appearance="ghost"
            color="informative"
          />
        )}
        <span className={styles.spacer} />
        <Tooltip
          content={
            canAdd
              ? 'Forward a port of an instance to this computer'
              : 'Connect to an instance first; forwards go over its connection'
          }
          relationship="description"
        >
          <Button
            size="small"
            appearance="subtle"
            icon={<Add16Regular />}
            disabledFocusable={!canAdd || adding}
            data-testid="add-forward"
            onClick={() => {
              setExpanded(true);
              setAdding(true);
              setFormConnection(props.activeConnectionId);
              setFocusRequest((n) => n + 1);
            }}
          >
            Add
          </Button>
        </Tooltip>
      </div>
      {expanded && (
        <div id={listId} className={styles.panel}>
          {adding && canAdd && (
            <AddForwardForm
              connections={usable}
              connectionId={formConnection ?? props.activeConnectionId}
              forwards={forwards}
              focusRequest={focusRequest}
              onDone={() => setAdding(false)}
            />
          )}
          {state.error && (
            <MessageBar intent="error" layout="multiline">
              <MessageBarBody>Could not list the forwards: {state.error}</MessageBarBody>
            </MessageBar>
          )}
          {!state.items && !state.error && <Spinner size="tiny" label="Loading forwards…" />}
          {state.items && forwards.length === 0 && !adding && (
            <Text size={200} className={styles.empty}>
              {usable.length
                ? 'None yet. Open Jupyter, or Add a port (TensorBoard, MLflow…) to reach it at 127.0.0.1.'
                : 'Connect to an instance, then reach its Jupyter or other web services on 127.0.0.1.'}
            </Text>
          )}
          {forwards.length > 0 && (
            <ul className={styles.list}>
              {forwards.map((f) => (
                <ForwardRow key={f.id} forward={f} url={urlOf(f.id, f.localPort)} />
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
