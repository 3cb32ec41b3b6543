// Team… on an Azure pool: the members of its share's registry (name, keys, admin), add or edit a
// member (name + SSH public keys, checked as the agent checks them), remove one (their account is
// locked on the VMs, their files stay). The agents apply changes within a minute.
//
// Test ids: team-dialog, team-member-<name>, team-remove-<name>, team-edit-<name>, team-name,
// team-keys, team-admin, team-save, team-remove-confirm.
import {
  Badge,
  Button,
  Checkbox,
  Dialog,
  DialogSurface,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Spinner,
  Text,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { Delete16Regular, Edit16Regular, PersonAdd16Regular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import { RpcError } from '../../../common/errors';
import type { PoolInfo, TeamMemberInfo } from '../../../common/models';
import { fieldErrors, type FieldErrors } from '../../shared/field-errors';
import { useRpc } from '../../shared/rpc-context';
import { useLoad } from '../../shared/use-load';
import { ConfirmDialog } from '../../shared/confirm-dialog';
import { DialogShell } from '../../shared/dialog-shell';
import { memberNameError } from './team-member-check';

const useStyles = makeStyles({
  surface: { maxWidth: '720px', width: '100%' },
  list: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column' },
  member: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalXS} 0`,
    borderTop: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  who: { flex: '1 1 auto', minWidth: 0, overflowWrap: 'anywhere' },
  muted: { color: tokens.colorNeutralForeground3 },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  form: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalM,
    backgroundColor: tokens.colorNeutralBackground2,
    borderRadius: tokens.borderRadiusMedium,
  },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center' },
});

/** "ssh-ed25519 …ozNz ann@laptop" → "ed25519 (ann@laptop)". */
function keySummary(line: string): string {
  const [type = '', , ...comment] = line.split(' ');
  const kind = type.replace(/^ssh-/, '').replace(/^ecdsa-sha2-/, 'ecdsa ');
  return comment.length ? `${kind} (${comment.join(' ')})` : kind;
}

export function TeamDialog({
  pool,
  open,
  onClose,
}: {
  pool: PoolInfo;
  open: boolean;
  onClose: () => void;
}) {
  const styles = useStyles();
  const rpc = useRpc();
  const {
    data: team,
    error: loadError,
    setData: setTeam,
  } = useLoad(open, () => rpc.call('team.list', { poolId: pool.id }), [rpc, pool.id]);
  const [name, setName] = useState('');
  const [keys, setKeys] = useState('');
  const [admin, setAdmin] = useState(false);
  const [editing, setEditing] = useState<string>();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [removing, setRemoving] = useState<TeamMemberInfo>();
  const [notice, setNotice] = useState<string>();

  const reset = () => {
    setName('');
    setKeys('');
    setAdmin(false);
    setEditing(undefined);
    setErrors({});
    setFormError(undefined);
  };

  // A fresh form each time the dialog opens.
  useEffect(() => {
    if (!open) return;
    setNotice(undefined);
    reset();
  }, [open, pool.id]);

  const save = () => {
    if (busy) return;
    setErrors({});
    setFormError(undefined);
    const nameError = editing
      ? undefined
      : memberNameError(name, team?.adminAccounts ?? (pool.user ? [pool.user] : []));
    if (nameError) {
      setErrors({ name: nameError });
      return;
    }
    setBusy(true);
    const sshKeys = keys
      .split('\n')
      .map((k) => k.trim())
      .filter(Boolean);
    rpc
      .call('team.add', {
        poolId: pool.id,
        name: name.trim(),
        sshKeys,
        admin,
        ...(editing ? { replace: true } : {}),
      })
      .then(
        (t) => {
          setTeam(t);
          setNotice(
            `${name.trim()} ${editing ? 'updated' : 'added'}. The VMs' agents apply it within a minute.`,
          );
          reset();
        },
        (err: unknown) => {
          const e = RpcError.from(err);
          const byField = fieldErrors(e);
          if (Object.keys(byField).length) setErrors(byField);
          else setFormError(e.message);
        },
      )
      .finally(() => setBusy(false));
  };

  const keyError = Object.entries(errors).find(([k]) => k.startsWith('sshKeys'))?.[1];

  return (
    <Dialog open={open} onOpenChange={(_, d) => !d.open && !busy && onClose()}>
      <DialogSurface className={styles.surface} data-testid="team-dialog">
        <DialogShell
          title={`Team of ${pool.name}`}
          error={loadError}
          multilineError
          actions={<Button onClick={onClose}>Close</Button>}
        >
          {team && (
            <Text size={200} className={styles.muted}>
              Kept in .pool/users.json on the {team.share}. Every VM&apos;s agent reads it: members
              get an account with their keys and ~/notebooks/remote on the share.
            </Text>
          )}
          {!team && !loadError && <Spinner size="tiny" label="Reading the team…" />}
          {notice && (
            <MessageBar intent="success">
              <MessageBarBody>{notice}</MessageBarBody>
            </MessageBar>
          )}
          {team && team.members.length === 0 && (
            <Text className={styles.muted}>No members yet: add the first one below.</Text>
          )}
          {team && team.members.length > 0 && (
            <ul className={styles.list} aria-label="Members">
              {team.members.map((m) => (
                <li key={m.name} className={styles.member} data-testid={`team-member-${m.name}`}>
                  <div className={styles.who}>
                    <Text weight="semibold">{m.name}</Text>{' '}
                    {m.admin && (
                      <Badge size="small" appearance="tint">
                        admin (sudo)
                      </Badge>
                    )}
                    <Text block size={200} className={styles.muted}>
                      {m.sshKeys.map(keySummary).join(', ') || 'no keys'}
                    </Text>
                  </div>
                  <Button
                    size="small"
                    appearance="subtle"
                    icon={<Edit16Regular />}
                    aria-label={`Edit ${m.name}`}
                    data-testid={`team-edit-${m.name}`}
                    onClick={() => {
                      setEditing(m.name);
                      setName(m.name);
                      setKeys(m.sshKeys.join('\n'));
                      setAdmin(m.admin ?? false);
                      setErrors({});
                    }}
                  />
                  <Button
                    size="small"
                    appearance="subtle"
                    icon={<Delete16Regular />}
                    aria-label={`Remove ${m.name}`}
                    data-testid={`team-remove-${m.name}`}
                    onClick={() => setRemoving(m)}
                  />
                </li>
              ))}
            </ul>
          )}
          {team && (
            <form
              className={styles.form}
              noValidate
              aria-label={editing ? `Edit ${editing}` : 'Add a member'}
              onSubmit={(e) => {
                e.preventDefault();
                save();
              }}
            >
              <Text weight="semibold">{editing ? `Edit ${editing}` : 'Add a member'}</Text>
              <Field
                label="Name (their Linux user name)"
                validationMessage={errors.name}
                hint="Lower case: letters, digits, - and _, starting with a letter."
              >
                <Input
                  value={name}
                  disabled={editing !== undefined}
                  data-testid="team-name"
                  onChange={(_, d) => setName(d.value)}
                />
              </Field>
              <Field
                label="SSH public keys, one per line"
                validationMessage={keyError}
                hint="The line of their .pub file (ed25519, RSA ≥ 2048 bits or ECDSA)."
              >
                <Textarea
                  resize="vertical"
                  className={styles.mono}
                  value={keys}
                  data-testid="team-keys"
                  onChange={(_, d) => setKeys(d.value)}
                />
              </Field>
              <div className={styles.row}>
                <Checkbox
                  checked={admin}
                  label="Pool admin (sudo on every VM)"
                  data-testid="team-admin"
                  onChange={(_, d) => setAdmin(d.checked === true)}
                />
              </div>
              {formError && (
                <MessageBar intent="error" layout="multiline">
                  <MessageBarBody>{formError}</MessageBarBody>
                </MessageBar>
              )}
              <div className={styles.row}>
                <Button
                  type="submit"
                  appearance="primary"
                  icon={busy ? <Spinner size="extra-tiny" /> : <PersonAdd16Regular />}
                  disabled={busy}
                  data-testid="team-save"
                >
                  {editing ? 'Save' : 'Add member'}
                </Button>
                {editing && (
                  <Button disabled={busy} onClick={reset}>
                    Cancel edit
                  </Button>
                )}
              </div>
            </form>
          )}
        </DialogShell>
        <ConfirmDialog
          open={removing !== undefined}
          title={`Remove ${removing?.name ?? ''} from the team?`}
          actionLabel="Remove"
          testId="team-remove-dialog"
          confirmTestId="team-remove-confirm"
          onConfirm={() =>
            rpc.call('team.remove', { poolId: pool.id, name: removing!.name }).then((t) => {
              setTeam(t);
              setNotice(
                `${removing!.name} removed: the agents lock their account and remove their keys within a minute. Their files on the share stay.`,
              );
            })
          }
          onClose={() => setRemoving(undefined)}
        >
          <Text block>
            They can no longer sign in to the pool&apos;s VMs. Their notebooks on the share are
            kept; add them again to give access back.
          </Text>
        </ConfirmDialog>
      </DialogSurface>
    </Dialog>
  );
}
