// Creates or edits an ssh-hosts pool: a name, a table of hosts (typed, or imported from
// ~/.ssh/config) and, optionally, the shared storage the hosts' agents mount; after creating,
// offers a key for the pool.
//
// Test ids: ssh-pool-editor, ssh-pool-name, ssh-host-<n>-<field>, ssh-host-add, ssh-import-open,
// ssh-share-protocol, ssh-share-source, ssh-share-mount, ssh-share-account, ssh-pool-save,
// ssh-pool-error.
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { Add16Regular, ArrowImport16Regular } from '@fluentui/react-icons';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { RpcError } from '../../../common/errors';
import type { PoolInfo, SshConfigHost } from '../../../common/models';
import { useRpc } from '../../shared/rpc-context';
import { fieldErrors, type FieldErrors } from '../../shared/field-errors';
import { HostsTable } from './hosts-table';
import { PoolCreated } from './pool-created';
import { NO_SHARE, shareDraftOf, shareOf, type ShareDraft } from './share-draft';
import { ShareFields } from './share-fields';
import {
  emptyRow,
  isBlank,
  rowFromConfig,
  rowsFromPool,
  toSshHosts,
  validateSshPool,
  type HostRow,
} from './ssh-host-rows';
import { SshConfigImport } from './ssh-config-import';

const useStyles = makeStyles({
  surface: { width: 'min(1000px, calc(100vw - 48px))', maxWidth: 'none' },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  intro: { color: tokens.colorNeutralForeground2 },
  name: { maxWidth: '360px' },
  tableActions: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  hostsError: { color: tokens.colorPaletteRedForeground1 },
});

export type SshPoolEditorTarget = { mode: 'create' } | { mode: 'edit'; pool: PoolInfo };

export interface SshPoolEditorProps {
  /** What to edit; undefined closes the dialog. */
  target?: SshPoolEditorTarget;
  /** The local user name, the usual login on team machines: prefilled in new rows. */
  defaultUser?: string;
  onClose: () => void;
}

export function SshPoolEditor({ target, defaultUser, onClose }: SshPoolEditorProps) {
  const styles = useStyles();
  const rpc = useRpc();
  const editing = target?.mode === 'edit' ? target.pool : undefined;
  const [name, setName] = useState('');
  const [rows, setRows] = useState<HostRow[]>([]);
  const [share, setShare] = useState<ShareDraft>(NO_SHARE);
  const [tried, setTried] = useState(false);
  const [server, setServer] = useState<FieldErrors>({});
  const [serverMessage, setServerMessage] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [importing, setImporting] = useState(false);
  const [created, setCreated] = useState<PoolInfo>();
  const focusRow = useRef<number | undefined>(undefined);
  const tableRef = useRef<HTMLTableElement>(null);
  const addRef = useRef<HTMLButtonElement>(null);
  const nameRef = useRef<HTMLInputElement>(null);

  // A fresh form each time the dialog opens (or opens on another pool).
  const targetKey = target ? (editing ? `edit:${editing.id}` : 'create') : undefined;
  useEffect(() => {
    if (!targetKey) return;
    setName(editing?.name ?? '');
    setRows(editing ? rowsFromPool(editing) : [emptyRow(defaultUser)]);
    setShare(shareDraftOf(editing));
    setTried(false);
    setServer({});
    setServerMessage(undefined);
    setBusy(false);
    setImporting(false);
    setCreated(undefined);
    // Opened from a menu, whose closing hands the focus back to its button after the dialog took
    // it: take it into the form again, or Escape and Tab would act outside the dialog.
    const frame = requestAnimationFrame(() => nameRef.current?.focus());
    return () => cancelAnimationFrame(frame);
    // Only when the target changes (not `editing` itself): a pools event while the dialog is
    // open brings a new PoolInfo object, and must not wipe what is being typed.
  }, [targetKey]);

  // Focus the name field of a row that was just added.
  useEffect(() => {
    if (focusRow.current === undefined) return;
    const key = focusRow.current;
    focusRow.current = undefined;
    tableRef.current?.querySelector<HTMLInputElement>(`[data-row="${key}"] input`)?.focus();
  }, [rows]);

  const shareProblems: Record<string, string> =
    share.protocol !== 'none' && !share.source.trim()
      ? { 'share.source': 'Give the share’s source, or choose None' }
      : {};
  const local = { ...validateSshPool(name, rows), ...shareProblems };
  // The form's own messages show after the first Save; the app's until the field is edited.
  const errors: FieldErrors = { ...server, ...(tried ? local : {}) };

  const clearServer = (path: string) => {
    if (!(path in server)) return;
    const next = { ...server };
    delete next[path];
    setServer(next);
  };

  const update = (index: number, change: Partial<HostRow>) => {
    setRows((old) => old.map((r, i) => (i === index ? { ...r, ...change } : r)));
    for (const field of Object.keys(change)) clearServer(`hosts.${index}.${field}`);
  };

  const addRow = () => {
    const user = rows[rows.length - 1]?.user || defaultUser;
    const row = emptyRow(user);
    focusRow.current = row.key;
    setRows((old) => [...old, row]);
    clearServer('hosts');
  };

  const removeRow = (index: number) => {
    setRows((old) => old.filter((_, i) => i !== index));
    // Messages are by index: after a removal the app's ones no longer point at the right row.
    setServer({});
    requestAnimationFrame(() => addRef.current?.focus());
  };

  const isPresent = (h: SshConfigHost) =>
    rows.some(
      (r) =>
        r.name.trim().toLowerCase() === (h.alias || h.name).toLowerCase() ||
        (r.address.trim() === h.address && r.port.trim() === String(h.port) && r.user === h.user),
    );

  const importHosts = (hosts: SshConfigHost[]) => {
    setRows((old) => [...old.filter((r) => !isBlank(r)), ...hosts.map(rowFromConfig)]);
    setServer({});
    setImporting(false);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    setServerMessage(undefined);
    if (busy) return;
    const problems = { ...validateSshPool(name, rows), ...shareProblems };
    if (Object.keys(problems).length) {
      // Take the keyboard to the first thing to fix.
      requestAnimationFrame(() =>
        document
          .querySelector<HTMLElement>('[data-testid="ssh-pool-editor"] [aria-invalid="true"]')
          ?.focus(),
      );
      return;
    }
    setBusy(true);
    rpc
      .call('pools.saveSshHosts', {
        ...(editing ? { poolId: editing.id } : {}),
        name: name.trim(),
        hosts: toSshHosts(rows),
        ...(shareOf(share) ? { share: shareOf(share) } : {}),
      })
      .then(
        (pool) => {
          setBusy(false);
          if (editing) onClose();
          else setCreated(pool);
        },
        (err: unknown) => {
          setBusy(false);
          const error = RpcError.from(err);
          const fields = fieldErrors(error);
          setServer(fields);
          setServerMessage(error.message);
        },
      );
  };

  const title = created
    ? `Created ${created.name}`
    : editing
      ? `Edit ${editing.name}`
      : 'Add a pool of SSH hosts';

  return (
    <Dialog
      open={target !== undefined}
      onOpenChange={(_, data) => !data.open && !busy && onClose()}
    >
      <DialogSurface className={styles.surface} data-testid="ssh-pool-editor">
        {created ? (
          <PoolCreated created={created} title={title} onClose={onClose} />
        ) : (
          <form onSubmit={submit} noValidate>
            <DialogBody>
              <DialogTitle>{title}</DialogTitle>
              <DialogContent className={styles.content}>
                <Text className={styles.intro} block>
                  A fixed list of machines you reach by SSH, such as lab servers or VMs you already
                  have. Connect picks the one with the fewest sessions, like in any pool.
                </Text>
                {editing && (
                  <MessageBar intent="info" layout="multiline">
                    <MessageBarBody>
                      The app does not report saved key files or the agent choice yet: check them
                      below before saving.
                    </MessageBarBody>
                  </MessageBar>
                )}
                <Field
                  label="Pool name"
                  required
                  className={styles.name}
                  validationState={errors.name ? 'error' : 'none'}
                  validationMessage={errors.name}
                >
                  <Input
                    ref={nameRef}
                    value={name}
                    placeholder="Lab GPUs"
                    data-testid="ssh-pool-name"
                    onChange={(_, data) => {
                      setName(data.value);
                      clearServer('name');
                    }}
                  />
                </Field>
                <HostsTable
                  rows={rows}
                  errors={errors}
                  tableRef={tableRef}
                  update={update}
                  removeRow={removeRow}
                />
                {errors.hosts && (
                  <Text className={styles.hostsError} role="alert">
                    {errors.hosts}
                  </Text>
                )}
                <div className={styles.tableActions}>
                  <Button
                    ref={addRef}
                    type="button"
                    size="small"
                    icon={<Add16Regular />}
                    data-testid="ssh-host-add"
                    onClick={addRow}
                  >
                    Add host
                  </Button>
                  <Button
                    type="button"
                    size="small"
                    icon={<ArrowImport16Regular />}
                    aria-expanded={importing}
                    data-testid="ssh-import-open"
                    onClick={() => setImporting((on) => !on)}
                  >
                    Import from ~/.ssh/config
                  </Button>
                </div>
                {importing && (
                  <SshConfigImport
                    isPresent={isPresent}
                    onAdd={importHosts}
                    onClose={() => setImporting(false)}
                  />
                )}
                <ShareFields
                  share={share}
                  setShare={setShare}
                  errors={errors}
                  clearServer={clearServer}
                />
                {serverMessage && (
                  <MessageBar intent="error" layout="multiline" data-testid="ssh-pool-error">
                    <MessageBarBody>
                      <MessageBarTitle>Not saved</MessageBarTitle>
                      {serverMessage}
                    </MessageBarBody>
                  </MessageBar>
                )}
              </DialogContent>
              <DialogActions>
                <Button
                  type="submit"
                  appearance="primary"
                  disabled={busy}
                  icon={busy ? <Spinner size="extra-tiny" /> : undefined}
                  data-testid="ssh-pool-save"
                >
                  {editing ? 'Save' : 'Create pool'}
                </Button>
                <Button type="button" disabled={busy} onClick={onClose}>
                  Cancel
                </Button>
              </DialogActions>
            </DialogBody>
          </form>
        )}
      </DialogSurface>
    </Dialog>
  );
}
