// Replaces a refused (changed) host key, deliberately: both fingerprints, a plain warning, a
// checkbox saying the new one was compared, and Cancel focused; the core accepts only the key it
// refused, and only under the fingerprint shown here.
import {
  Button,
  Checkbox,
  Dialog,
  DialogSurface,
  MessageBar,
  MessageBarBody,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ShieldError24Regular } from '@fluentui/react-icons';
import { useEffect, useRef, useState } from 'react';
import { RpcError } from '../../../common/errors';
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
  fingerprint: {
    margin: 0,
    fontFamily: tokens.fontFamilyMonospace,
    wordBreak: 'break-all',
    userSelect: 'all',
  },
  old: { textDecorationLine: 'line-through', color: tokens.colorNeutralForeground3 },
});

/** What a HostKeyMismatch error's details say (see host-key-verifier.ts). */
export interface RefusedKey {
  poolId: string;
  instanceId: string;
  instanceName: string;
  host: string;
  port: number;
  knownFingerprint: string;
  fingerprint: string;
  algorithm: string;
}

/** The refused key in an error's details, when they hold one the user may replace. */
export function refusedKeyOf(details: unknown): RefusedKey | undefined {
  if (!details || typeof details !== 'object') return undefined;
  const d = details as Record<string, unknown>;
  const text = (k: string) => typeof d[k] === 'string';
  if (
    ['poolId', 'instanceId', 'instanceName', 'knownFingerprint', 'fingerprint', 'algorithm'].every(
      text,
    ) &&
    typeof d.host === 'string' &&
    typeof d.port === 'number'
  ) {
    return d as unknown as RefusedKey;
  }
  return undefined;
}

export interface ReplaceHostKeyDialogProps {
  refused?: RefusedKey;
  poolName: string;
  onClose: () => void;
  /** The key was replaced: connect again. */
  onReplaced: (refused: RefusedKey) => void;
}

export function ReplaceHostKeyDialog({
  refused,
  poolName,
  onClose,
  onReplaced,
}: ReplaceHostKeyDialogProps) {
  const styles = useStyles();
  const rpc = useRpc();
  const [checked, setChecked] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const cancelRef = useRef<HTMLButtonElement>(null);
  const open = refused !== undefined;

  useEffect(() => {
    if (!open) return;
    setChecked(false);
    setError(undefined);
    // Safety first, as in the host-key question: a reflexive Enter cancels.
    const frame = requestAnimationFrame(() => cancelRef.current?.focus());
    return () => cancelAnimationFrame(frame);
  }, [open, refused?.fingerprint]);

  const replace = () => {
    if (!refused || !checked || busy) return;
    setBusy(true);
    setError(undefined);
    rpc
      .call('hostKeys.replace', {
        poolId: refused.poolId,
        instanceId: refused.instanceId,
        fingerprint: refused.fingerprint,
      })
      .then(
        () => {
          setBusy(false);
          onReplaced(refused);
        },
        (err: unknown) => {
          setBusy(false);
          setError(RpcError.from(err).message);
        },
      );
  };

  return (
    <Dialog
      open={open}
      modalType="alert"
      onOpenChange={(_, data) => {
        if (!data.open) onClose();
      }}
    >
      <DialogSurface data-testid="replace-key-dialog" aria-describedby="replace-key-warning">
        {refused && (
          <DialogShell
            icon={<ShieldError24Regular aria-hidden />}
            title="Replace the host key?"
            error={error}
            multilineError
            actions={
              <>
                <Button
                  appearance="primary"
                  data-testid="replace-key-confirm"
                  disabled={!checked || busy}
                  onClick={replace}
                >
                  Replace key and connect
                </Button>
                <Button ref={cancelRef} data-testid="replace-key-cancel" onClick={onClose}>
                  Cancel
                </Button>
              </>
            }
          >
            <MessageBar intent="warning" layout="multiline">
              <MessageBarBody id="replace-key-warning">
                {refused.instanceName} is the same machine as before, but it now shows a different
                key. That happens when it was reinstalled, and also when someone intercepts the
                connection to read or change what you do there. Replace the key only if your pool
                admin confirms the new fingerprint below.
              </MessageBarBody>
            </MessageBar>
            <dl className={styles.facts}>
              <dt className={styles.term}>Pool</dt>
              <dd className={styles.value}>{poolName}</dd>
              <dt className={styles.term}>Instance</dt>
              <dd className={styles.value}>
                {refused.instanceName} ({refused.host}:{refused.port})
              </dd>
              <dt className={styles.term}>Trusted key</dt>
              <dd className={`${styles.fingerprint} ${styles.old}`} data-testid="replace-key-old">
                {refused.knownFingerprint}
              </dd>
              <dt className={styles.term}>New key</dt>
              <dd className={styles.fingerprint} data-testid="replace-key-new">
                {refused.algorithm} {refused.fingerprint}
              </dd>
            </dl>
            <Checkbox
              checked={checked}
              data-testid="replace-key-check"
              onChange={(_, data) => setChecked(data.checked === true)}
              label="I compared the new fingerprint with the one my pool admin gave me, and they are the same."
            />
            <Text size={200} className={styles.term}>
              The old key is forgotten; the new one is checked on every later connection.
            </Text>
          </DialogShell>
        )}
      </DialogSurface>
    </Dialog>
  );
}
