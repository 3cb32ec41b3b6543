// Jupyter on the active tab's connection: starting (with elapsed time), its address, or the error.
import {
  Badge,
  Button,
  Input,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  Tooltip,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import {
  ArrowClockwise16Regular,
  Dismiss16Regular,
  Notebook20Regular,
  Open16Regular,
} from '@fluentui/react-icons';
import type { ForwardInfo } from '../../../common/models';
import { openInBrowser, type JupyterRun } from './use-jupyter';
import { useNow } from '../../shared/use-now';
import { CopyButton } from '../../shared/copy-button';

const useStyles = makeStyles({
  bar: { flex: '0 0 auto', borderRadius: 0 },
  body: { overflowWrap: 'anywhere', minWidth: 0 },
  ready: {
    flex: '0 0 auto',
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    columnGap: tokens.spacingHorizontalS,
    rowGap: tokens.spacingVerticalXS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    backgroundColor: tokens.colorNeutralBackground2,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  icon: { color: tokens.colorBrandForeground1, flexShrink: 0 },
  what: { display: 'flex', flexDirection: 'column', minWidth: 0 },
  sub: { color: tokens.colorNeutralForeground3 },
  url: { flex: '1 1 320px', minWidth: '200px' },
  urlInput: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  actions: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalXS },
});

export interface JupyterBarProps {
  run: JupyterRun;
  /** Its forward, once the app has listed it: says whether it is carrying traffic. */
  forward?: ForwardInfo;
  onCancel: () => void;
  onRetry: () => void;
  onHide: () => void;
}

const name = (run: JupyterRun) => (run.mode === 'hub' ? 'JupyterHub' : 'Jupyter');

export function JupyterBar({ run, forward, onCancel, onRetry, onHide }: JupyterBarProps) {
  const styles = useStyles();
  const now = useNow(run.status === 'starting', 1000);
  const id = run.connectionId;

  if (run.status === 'starting') {
    const elapsed = Math.max(0, Math.floor((now - run.startedAt) / 1000));
    return (
      <MessageBar
        intent="info"
        className={styles.bar}
        icon={<Spinner size="extra-tiny" />}
        data-testid={`jupyter-bar-${id}`}
        data-status="starting"
      >
        <MessageBarBody className={styles.body}>
          <MessageBarTitle>
            {run.mode === 'hub'
              ? `Connecting to JupyterHub on ${run.instanceName}…`
              : `Starting Jupyter on ${run.instanceName}…`}
          </MessageBarTitle>
          {run.mode === 'hub'
            ? 'Forwarding its port to this computer.'
            : 'Looking for your Jupyter server there, or starting one in ~/notebooks; this can take 10–30 s.'}{' '}
          <span aria-hidden>({elapsed} s)</span>
        </MessageBarBody>
        <MessageBarActions>
          <Button size="small" onClick={onCancel}>
            Cancel
          </Button>
        </MessageBarActions>
      </MessageBar>
    );
  }

  if (run.status === 'failed' || !run.info) {
    return (
      <MessageBar
        intent="error"
        className={styles.bar}
        data-testid={`jupyter-bar-${id}`}
        data-status="failed"
      >
        <MessageBarBody className={styles.body}>
          <MessageBarTitle>
            Could not open {name(run)} on {run.instanceName}
          </MessageBarTitle>
          {run.error}
        </MessageBarBody>
        <MessageBarActions
          containerAction={
            <Button
              appearance="transparent"
              aria-label="Dismiss"
              icon={<Dismiss16Regular />}
              onClick={onHide}
            />
          }
        >
          <Button size="small" icon={<ArrowClockwise16Regular />} onClick={onRetry}>
            Try again
          </Button>
        </MessageBarActions>
      </MessageBar>
    );
  }

  const { info } = run;
  const waiting = forward?.state === 'waiting';
  const origin = run.info.started ? 'started just now' : 'already running';
  return (
    <section
      className={styles.ready}
      aria-label={`${name(run)} on ${run.instanceName}`}
      data-testid={`jupyter-bar-${id}`}
      data-status="ready"
    >
      <Notebook20Regular className={styles.icon} aria-hidden />
      <div className={styles.what}>
        <Text weight="semibold">
          {name(run)} on {run.instanceName}{' '}
          <Badge
            size="small"
            appearance="tint"
            color={waiting ? 'warning' : 'success'}
            title={
              waiting
                ? 'The connection is reconnecting; the address stays the same and works again after.'
                : 'Forwarded over the SSH connection.'
            }
          >
            {waiting ? 'waiting' : 'active'}
          </Badge>
        </Text>
        <Text size={200} className={styles.sub}>
          127.0.0.1:{info.localPort} · {origin}
          {info.notebookDir ? ` · ${info.notebookDir}` : ''}
        </Text>
      </div>
      <Input
        className={styles.url}
        input={{ className: styles.urlInput }}
        size="small"
        readOnly
        value={info.url}
        aria-label={`${name(run)} address, with its token`}
        data-testid={`jupyter-url-${id}`}
        onFocus={(event) => event.currentTarget.select()}
      />
      <div className={styles.actions}>
        <CopyButton text={info.url} what={`the ${name(run)} address`} />
        <Tooltip content="Open in your browser" relationship="description">
          <Button
            size="small"
            appearance="primary"
            icon={<Open16Regular />}
            data-testid={`jupyter-browser-${id}`}
            onClick={() => openInBrowser(info.url)}
          >
            Open
          </Button>
        </Tooltip>
        <Button
          size="small"
          appearance="subtle"
          icon={<Dismiss16Regular />}
          aria-label="Hide (Jupyter keeps running; Open Jupyter shows this again)"
          title="Hide (Jupyter keeps running)"
          onClick={onHide}
        />
      </div>
    </section>
  );
}
