// Asks whether to trust a server's host key the first time it is seen (trust on first use).
import {
  Button,
  Dialog,
  DialogSurface,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ShieldKeyhole24Regular } from '@fluentui/react-icons';
import { useEffect, useRef, useState } from 'react';
import { ErrorCode, RpcError } from '../../../common/errors';
import type { HostKeyPrompt, PoolInfo } from '../../../common/models';
import { useRpc } from '../../shared/rpc-context';
import { DialogShell } from '../../shared/dialog-shell';

const useStyles = makeStyles({
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content minmax(0, 1fr)',
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground3 },
  value: { margin: 0, overflowWrap: 'anywhere' },
  mono: { fontFamily: tokens.fontFamilyMonospace },
  fingerprint: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase300,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
    wordBreak: 'break-all',
    userSelect: 'all',
  },
});

export interface HostKeyDialogProps {
  /** Host-key questions only; App passes none while another kind of question is ahead. */
  prompts: HostKeyPrompt[];
  pools: PoolInfo[];
  disabled: boolean;
}

export function HostKeyDialog({ prompts, pools, disabled }: HostKeyDialogProps) {
  const styles = useStyles();
  const rpc = useRpc();
  // Hidden as soon as answered, not when the app's close event arrives, so the next one shows.
  const [answered, setAnswered] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const cancelRef = useRef<HTMLButtonElement>(null);
  const waiting = prompts.find((p) => !answered.has(p.id));
  // The last prompt stays rendered while the dialog animates closed.
  const lastRef = useRef<HostKeyPrompt | undefined>(undefined);
  useEffect(() => {
    if (waiting) lastRef.current = waiting;
  });
  const prompt = waiting ?? lastRef.current;
  const promptId = waiting?.id;
  const pool = pools.find((p) => p.id === prompt?.poolId);

  // Safety first: Cancel has the focus, so a reflexive Enter does not trust an unknown key.
  // Runs after the Dialog's own effect, which focuses the first button.
  useEffect(() => {
    if (!promptId) return;
    cancelRef.current?.focus();
    const frame = requestAnimationFrame(() => cancelRef.current?.focus());
    return () => cancelAnimationFrame(frame);
  }, [promptId]);

  const answer = (accept: boolean) => {
    if (!waiting || busy) return;
    const prompt = waiting;
    setBusy(true);
    setError(undefined);
    rpc.call('prompts.answer', { promptId: prompt.id, accept }).then(
      () => {
        setBusy(false);
        setAnswered((old) => new Set(old).add(prompt.id));
      },
      (err: unknown) => {
        setBusy(false);
        const e = RpcError.from(err);
        // Gone already (answered elsewhere, or the connect was abandoned): nothing left to ask.
        if (e.code === ErrorCode.NotFound) setAnswered((old) => new Set(old).add(prompt.id));
        else setError(e.message);
      },
    );
  };

  return (
    <Dialog
      open={waiting !== undefined}
      modalType="modal"
      onOpenChange={(_, data) => {
        // Escape cancels; a stray click outside must not answer a security question.
        if (!data.open && data.type === 'escapeKeyDown') answer(false);
      }}
    >
      {prompt ? (
        <DialogSurface data-testid="host-key-dialog" aria-describedby="host-key-explanation">
          <DialogShell
            icon={<ShieldKeyhole24Regular aria-hidden />}
            title={prompt.replaces ? 'Trust this new VM?' : 'Trust this server?'}
            error={error}
            actions={
              <>
                <Button
                  appearance="primary"
                  data-testid="host-key-trust"
                  disabled={busy || disabled}
                  onClick={() => answer(true)}
                >
                  Trust and connect
                </Button>
                <Button
                  ref={cancelRef}
                  data-testid="host-key-cancel"
                  disabled={busy || disabled}
                  onClick={() => answer(false)}
                >
                  Cancel
                </Button>
              </>
            }
          >
            <Text id="host-key-explanation" block>
              {prompt.replaces ? (
                <span data-testid="host-key-new-vm">
                  Instance {prompt.instanceName} is a new VM: it replaced{' '}
                  {prompt.replaces.instanceName}, whose key you trusted on{' '}
                  {dateOf(prompt.replaces.trustedAt)} at this address, so its key is new (not
                  changed). Trust it if the pool admin recreated or scaled the pool; its key is then
                  checked on every later connection.
                </span>
              ) : (
                <>
                  This is the first time dsvm-pool connects to {prompt.instanceName}, so it cannot
                  yet tell the real server from an impostor. If you trust it, its key is remembered
                  for this pool and checked on every later connection; a different key will be
                  refused.
                </>
              )}
              {pool?.kind === 'local'
                ? ' This instance is part of the local sandbox on this computer.'
                : ' If in doubt, compare the fingerprint with the one your pool admin gives you.'}
            </Text>
            <dl className={styles.facts}>
              <dt className={styles.term}>Pool</dt>
              <dd className={styles.value}>
                {pool?.name ?? prompt.poolId}
                {pool?.kind === 'local' && ' (local sandbox)'}
              </dd>
              <dt className={styles.term}>Instance</dt>
              <dd className={styles.value}>{prompt.instanceName}</dd>
              <dt className={styles.term}>Address</dt>
              <dd className={`${styles.value} ${styles.mono}`}>
                {prompt.host}:{prompt.port}
              </dd>
              {prompt.replaces && (
                <>
                  <dt className={styles.term}>Replaced key</dt>
                  <dd className={`${styles.value} ${styles.mono}`}>
                    {prompt.replaces.fingerprint}
                  </dd>
                </>
              )}
              <dt className={styles.term}>Key type</dt>
              <dd className={`${styles.value} ${styles.mono}`}>{prompt.algorithm}</dd>
            </dl>
            <div>
              <Text size={200} className={styles.term} block>
                Fingerprint
              </Text>
              <div className={styles.fingerprint} data-testid="host-key-fingerprint">
                {prompt.fingerprint}
              </div>
            </div>
          </DialogShell>
        </DialogSurface>
      ) : (
        <DialogSurface aria-label="Host key" />
      )}
    </Dialog>
  );
}

/** A day as the user's locale writes it; the raw text if it is not a date. */
function dateOf(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleDateString();
}
