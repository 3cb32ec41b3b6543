// Install agent… on an ssh-hosts pool: which hosts, what it does, then the operation's progress as
// it happens and how each host ended. An SMB share's storage key is asked for here, in place (the
// app's `secret` prompt for this pool): sent once to the app, which hands it to the hosts on stdin
// and keeps it nowhere.
//
// Test ids: install-agent-dialog, install-agent-target, install-agent-start, install-agent-status
// (data-status: running | succeeded | failed), install-agent-progress, install-agent-key,
// install-agent-key-submit, install-agent-key-skip, install-agent-close.
import {
  Badge,
  Button,
  Dialog,
  DialogSurface,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Select,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { Wrench24Regular } from '@fluentui/react-icons';
import { useEffect, useState, type FormEvent } from 'react';
import { RpcError } from '../../../common/errors';
import type { OperationInfo, PoolInfo, SecretPrompt } from '../../../common/models';
import { useRpc } from '../../shared/rpc-context';
import { usePrompts } from '../../shared/use-prompts';
import { DialogShell } from '../../shared/dialog-shell';

const useStyles = makeStyles({
  surface: { maxWidth: '760px', width: '100%' },
  muted: { color: tokens.colorNeutralForeground3 },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  log: {
    margin: 0,
    padding: tokens.spacingHorizontalS,
    maxHeight: '260px',
    overflowY: 'auto',
    listStyle: 'none',
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
    overflowWrap: 'anywhere',
  },
  status: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  key: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalM,
    backgroundColor: tokens.colorNeutralBackground2,
    borderRadius: tokens.borderRadiusMedium,
  },
  row: { display: 'flex', gap: tokens.spacingHorizontalS },
  wrap: { overflowWrap: 'anywhere', minWidth: 0 },
});

export interface InstallAgentDialogProps {
  pool: PoolInfo;
  open: boolean;
  onClose: () => void;
}

export function InstallAgentDialog({ pool, open, onClose }: InstallAgentDialogProps) {
  const styles = useStyles();
  const rpc = useRpc();
  const prompts = usePrompts();
  const [target, setTarget] = useState('all');
  const [op, setOp] = useState<OperationInfo>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    if (!open) return;
    setTarget('all');
    setOp(undefined);
    setBusy(false);
    setError(undefined);
  }, [open]);

  // The operation, live.
  const opId = op?.id;
  useEffect(() => {
    if (!opId) return;
    const sub = rpc.on('operations.onDidChange', (next) => {
      if (next.id === opId) setOp(next);
    });
    return () => sub.dispose();
  }, [rpc, opId]);

  const question = prompts.find(
    (p): p is SecretPrompt => p.kind === 'secret' && p.poolId === pool.id,
  );
  const share = pool.sshShare;
  const hosts = pool.instances;
  const running = op?.status === 'running';

  const start = () => {
    setBusy(true);
    setError(undefined);
    rpc
      .call('agent.install', {
        poolId: pool.id,
        ...(target === 'all' ? {} : { instanceIds: [target] }),
      })
      .then(
        (started) => {
          setBusy(false);
          setOp(started);
        },
        (err: unknown) => {
          setBusy(false);
          setError(RpcError.from(err).message);
        },
      );
  };

  return (
    <Dialog open={open} onOpenChange={(_, d) => !d.open && !running && onClose()}>
      <DialogSurface className={styles.surface} data-testid="install-agent-dialog">
        <DialogShell
          icon={<Wrench24Regular aria-hidden />}
          title={`Install the agent on ${pool.name}`}
          error={error}
          multilineError
          actions={
            op ? (
              <Button
                appearance="primary"
                disabled={running}
                data-testid="install-agent-close"
                onClick={onClose}
              >
                {running ? 'Working…' : 'Close'}
              </Button>
            ) : (
              <>
                <Button
                  appearance="primary"
                  disabled={!share || busy}
                  icon={busy ? <Spinner size="extra-tiny" /> : undefined}
                  data-testid="install-agent-start"
                  onClick={start}
                >
                  Install
                </Button>
                <Button onClick={onClose}>Cancel</Button>
              </>
            )
          }
        >
          {!op && (
            <>
              <Text block>
                The app signs in to each host over SSH as its user, uploads the pool agent by SFTP
                to a private temp folder, installs it with <code>sudo</code> (so the user needs
                passwordless sudo, and the host Node.js 18 or later), runs it once and shows how it
                went. The agent then mounts the share at boot and every minute, and keeps the
                team&apos;s accounts in line with the share&apos;s registry.
              </Text>
              {share ? (
                <Text block className={styles.mono}>
                  {share.protocol} {share.source} → {share.mountPoint ?? '/mnt/dsvm-pool'}
                </Text>
              ) : (
                <MessageBar intent="warning">
                  <MessageBarBody>
                    This pool has no shared storage yet: Edit pool… and fill in Shared storage
                    first.
                  </MessageBarBody>
                </MessageBar>
              )}
              {share?.protocol === 'smb' && (
                <Text block size={200} className={styles.muted}>
                  SMB: the app asks for the storage account key when it starts, hands it to each
                  host on stdin (root-only credentials file there) and does not keep it.
                </Text>
              )}
              <Field label="Hosts">
                <Select
                  value={target}
                  data-testid="install-agent-target"
                  onChange={(_, d) => setTarget(d.value)}
                >
                  <option value="all">
                    All {hosts.length} {hosts.length === 1 ? 'host' : 'hosts'}
                  </option>
                  {hosts.map((h) => (
                    <option key={h.id} value={h.id}>
                      {h.name}
                      {h.state !== 'running' ? ` (${h.state})` : ''}
                    </option>
                  ))}
                </Select>
              </Field>
            </>
          )}
          {op && (
            <>
              <div
                className={styles.status}
                data-testid="install-agent-status"
                data-status={op.status}
                role="status"
              >
                {running ? (
                  <Spinner size="tiny" label="Installing…" />
                ) : (
                  <Badge
                    appearance="filled"
                    color={op.status === 'succeeded' ? 'success' : 'danger'}
                  >
                    {op.status === 'succeeded' ? 'Done' : 'Failed'}
                  </Badge>
                )}
                <Text className={styles.wrap}>{op.title}</Text>
              </div>
              {question && <SecretQuestion key={question.id} prompt={question} />}
              <ul className={styles.log} data-testid="install-agent-progress" aria-live="polite">
                {op.progress.map((p, i) => (
                  <li key={i}>{p.text}</li>
                ))}
              </ul>
              {op.status === 'failed' && op.error && (
                <MessageBar intent="error" layout="multiline">
                  <MessageBarBody className={styles.wrap}>{op.error.message}</MessageBarBody>
                </MessageBar>
              )}
            </>
          )}
        </DialogShell>
      </DialogSurface>
    </Dialog>
  );
}

/** The key question, answered in place; the typed value lives only until it is sent. */
function SecretQuestion({ prompt }: { prompt: SecretPrompt }) {
  const styles = useStyles();
  const rpc = useRpc();
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const answer = (accept: boolean) => {
    if (busy || (accept && !value)) return;
    const sent = value;
    setValue('');
    setBusy(true);
    setError(undefined);
    rpc
      .call(
        'prompts.answer',
        accept
          ? { promptId: prompt.id, accept, value: sent }
          : { promptId: prompt.id, accept: false },
      )
      .then(
        () => setBusy(false),
        (err: unknown) => {
          setBusy(false);
          setError(RpcError.from(err).message);
        },
      );
  };

  return (
    <form
      className={styles.key}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        answer(true);
      }}
    >
      <Text weight="semibold">{prompt.title}</Text>
      <Text size={200}>{prompt.detail}</Text>
      <Field
        label={prompt.label}
        validationState={error ? 'error' : 'none'}
        validationMessage={error}
      >
        <Input
          type="password"
          value={value}
          autoComplete="off"
          spellCheck={false}
          autoFocus
          disabled={busy}
          data-testid="install-agent-key"
          onChange={(_, d) => setValue(d.value)}
        />
      </Field>
      <div className={styles.row}>
        <Button
          type="submit"
          appearance="primary"
          disabled={busy || !value}
          data-testid="install-agent-key-submit"
        >
          Use this key
        </Button>
        <Button
          type="button"
          disabled={busy}
          data-testid="install-agent-key-skip"
          onClick={() => answer(false)}
        >
          {prompt.declineLabel ?? 'Skip'}
        </Button>
      </div>
    </form>
  );
}
