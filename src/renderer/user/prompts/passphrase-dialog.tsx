// Asks for the passphrase of an encrypted private key; the typed value lives only until answered.
import {
  Button,
  Dialog,
  DialogSurface,
  Field,
  Input,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { Eye16Regular, EyeOff16Regular, Key24Regular } from '@fluentui/react-icons';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ErrorCode, RpcError } from '../../../common/errors';
import type { PassphrasePrompt, PoolInfo } from '../../../common/models';
import { useRpc } from '../../shared/rpc-context';
import { fileName } from '../../shared/file-name';
import { DialogShell } from '../../shared/dialog-shell';

const useStyles = makeStyles({
  path: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    color: tokens.colorNeutralForeground2,
    overflowWrap: 'anywhere',
  },
});

export interface PassphraseDialogProps {
  /** Passphrase questions only; App passes none while another kind of question is ahead. */
  prompts: PassphrasePrompt[];
  pools: PoolInfo[];
  disabled: boolean;
}

export function PassphraseDialog({ prompts, pools, disabled }: PassphraseDialogProps) {
  const styles = useStyles();
  const rpc = useRpc();
  // Answered questions by object, not id: a wrong passphrase may come back as the same id with
  // `retry`, which the prompts hook stores as a new object, so it shows again even if that event
  // overtakes the answer's reply.
  const [answered, setAnswered] = useState<ReadonlySet<PassphrasePrompt>>(new Set());
  // Kept in this component's state only: never logged, never put in the URL or storage, and
  // emptied as soon as it was sent or the question went away.
  const [value, setValue] = useState('');
  const [reveal, setReveal] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [empty, setEmpty] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const waiting = prompts.find((p) => !answered.has(p));
  const lastRef = useRef<PassphrasePrompt | undefined>(undefined);
  useEffect(() => {
    if (waiting) lastRef.current = waiting;
  });
  const prompt = waiting ?? lastRef.current;
  const pool = pools.find((p) => p.id === prompt?.poolId);
  // Each question (a retry is a new object too) starts from an empty field with the focus in it.
  useEffect(() => {
    setValue('');
    setReveal(false);
    setEmpty(false);
    setError(undefined);
    if (!waiting) return;
    const frame = requestAnimationFrame(() => inputRef.current?.focus());
    return () => cancelAnimationFrame(frame);
  }, [waiting]);

  const answer = (accept: boolean) => {
    if (!waiting || busy) return;
    if (accept && !value) {
      setEmpty(true);
      inputRef.current?.focus();
      return;
    }
    const asked = waiting;
    const sent = accept ? value : undefined;
    setValue('');
    setBusy(true);
    setError(undefined);
    rpc
      .call(
        'prompts.answer',
        sent === undefined
          ? { promptId: asked.id, accept }
          : { promptId: asked.id, accept, value: sent },
      )
      .then(
        () => {
          setBusy(false);
          setAnswered((old) => new Set(old).add(asked));
        },
        (err: unknown) => {
          setBusy(false);
          const e = RpcError.from(err);
          if (e.code === ErrorCode.NotFound) setAnswered((old) => new Set(old).add(asked));
          else setError(e.message);
        },
      );
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    answer(true);
  };

  const retry = waiting?.retry ?? false;
  const fieldMessage = empty
    ? 'Type the passphrase, or Cancel to stop connecting.'
    : retry
      ? 'Wrong passphrase, try again.'
      : undefined;

  return (
    <Dialog
      open={waiting !== undefined}
      modalType="modal"
      onOpenChange={(_, data) => {
        if (!data.open && data.type === 'escapeKeyDown') answer(false);
      }}
    >
      {prompt ? (
        <DialogSurface data-testid="passphrase-dialog" aria-describedby="passphrase-explanation">
          <form onSubmit={submit}>
            <DialogShell
              icon={<Key24Regular aria-hidden />}
              title="Unlock your SSH key"
              error={error}
              actions={
                <>
                  <Button
                    appearance="primary"
                    type="submit"
                    data-testid="passphrase-submit"
                    disabled={busy || disabled}
                  >
                    Unlock
                  </Button>
                  <Button
                    type="button"
                    data-testid="passphrase-cancel"
                    disabled={busy || disabled}
                    onClick={() => answer(false)}
                  >
                    Cancel
                  </Button>
                </>
              }
            >
              <Text id="passphrase-explanation" block>
                {pool ? `To connect to ${pool.name}, ` : 'To connect, '}
                dsvm-pool needs the passphrase of the key <b>{fileName(prompt.keyPath)}</b>. It is
                used for this connection only and is not stored.
              </Text>
              <Text className={styles.path} block title="Key file">
                {prompt.keyPath}
              </Text>
              <Field
                label="Passphrase"
                required
                validationState={fieldMessage ? 'error' : 'none'}
                validationMessage={fieldMessage}
              >
                <Input
                  ref={inputRef}
                  type={reveal ? 'text' : 'password'}
                  value={value}
                  autoComplete="off"
                  spellCheck={false}
                  data-testid="passphrase-input"
                  disabled={busy || disabled}
                  onChange={(_, data) => {
                    setValue(data.value);
                    if (data.value) setEmpty(false);
                  }}
                  contentAfter={
                    <Button
                      appearance="transparent"
                      size="small"
                      icon={reveal ? <EyeOff16Regular /> : <Eye16Regular />}
                      aria-label={reveal ? 'Hide the passphrase' : 'Show the passphrase'}
                      aria-pressed={reveal}
                      onClick={() => setReveal((r) => !r)}
                    />
                  }
                />
              </Field>
            </DialogShell>
          </form>
        </DialogSurface>
      ) : (
        <DialogSurface aria-label="Key passphrase" />
      )}
    </Dialog>
  );
}
