// Creates or edits an ssh-hosts pool: a name, a table of hosts (typed, or imported from
// ~/.ssh/config) and, optionally, the shared storage the hosts' agents mount; after creating,
// offers a key for the pool.
//
// Test ids: ssh-pool-editor, ssh-pool-name, ssh-host-<n>-<field>, ssh-host-add, ssh-import-open,
// ssh-share-protocol, ssh-share-source, ssh-share-mount, ssh-share-account, ssh-pool-save,
// ssh-pool-error.
import {
  Button,
  Checkbox,
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
  Select,
  Spinner,
  Text,
  Tooltip,
  makeStyles,
  mergeClasses,
  shorthands,
  tokens,
} from '@fluentui/react-components';
import { Add16Regular, ArrowImport16Regular, Delete16Regular } from '@fluentui/react-icons';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { RpcError } from '../../../common/errors';
import type { PoolInfo, SshConfigHost, SshPoolShare } from '../../../common/models';
import { useRpc } from '../../shared/rpc-context';
import { fieldErrors, type FieldErrors } from '../../shared/field-errors';
import {
  emptyRow,
  isBlank,
  rowFromConfig,
  rowsFromPool,
  toSshHosts,
  validateSshPool,
  type HostRow,
} from './ssh-host-rows';
import { PublicKeyPanel } from './public-key-panel';
import { SshConfigImport } from './ssh-config-import';

const useStyles = makeStyles({
  surface: { width: 'min(1000px, calc(100vw - 48px))', maxWidth: 'none' },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  intro: { color: tokens.colorNeutralForeground2 },
  name: { maxWidth: '360px' },
  tableWrap: { overflowX: 'auto' },
  table: {
    width: '100%',
    borderCollapse: 'collapse',
    tableLayout: 'fixed',
    minWidth: '760px',
  },
  th: {
    textAlign: 'left',
    fontWeight: tokens.fontWeightSemibold,
    fontSize: tokens.fontSizeBase200,
    color: tokens.colorNeutralForeground2,
    padding: `0 ${tokens.spacingHorizontalXS} ${tokens.spacingVerticalXS}`,
    whiteSpace: 'nowrap',
  },
  td: {
    padding: `${tokens.spacingVerticalXXS} ${tokens.spacingHorizontalXS}`,
    verticalAlign: 'top',
  },
  center: { textAlign: 'center' },
  input: { width: '100%', minWidth: 0 },
  mono: { fontFamily: tokens.fontFamilyMonospace },
  invalid: { ...shorthands.borderColor(tokens.colorPaletteRedBorder2) },
  rowError: {
    padding: `0 ${tokens.spacingHorizontalXS} ${tokens.spacingVerticalXS}`,
    color: tokens.colorPaletteRedForeground1,
    fontSize: tokens.fontSizeBase200,
  },
  tableActions: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  hostsError: { color: tokens.colorPaletteRedForeground1 },
  share: {
    display: 'grid',
    gridTemplateColumns: 'minmax(120px, 160px) minmax(220px, 2fr) minmax(160px, 1fr)',
    gap: tokens.spacingHorizontalS,
    alignItems: 'start',
  },
  shareHead: { margin: 0 },
  srOnly: {
    position: 'absolute',
    width: '1px',
    height: '1px',
    overflow: 'hidden',
    clipPath: 'inset(50%)',
    whiteSpace: 'nowrap',
  },
});

export type SshPoolEditorTarget = { mode: 'create' } | { mode: 'edit'; pool: PoolInfo };

export interface SshPoolEditorProps {
  /** What to edit; undefined closes the dialog. */
  target?: SshPoolEditorTarget;
  /** The local user name, the usual login on team machines: prefilled in new rows. */
  defaultUser?: string;
  onClose: () => void;
}

type RowField = 'name' | 'address' | 'port' | 'user' | 'keyPath';

/** The Shared storage section as typed; `none`: the pool has no share. */
interface ShareDraft {
  protocol: 'none' | SshPoolShare['protocol'];
  source: string;
  mountPoint: string;
  account: string;
}

const NO_SHARE: ShareDraft = { protocol: 'none', source: '', mountPoint: '', account: '' };

const SOURCE_PLACEHOLDER: Record<SshPoolShare['protocol'], string> = {
  nfs: 'nas.lab.example.org:/export/team',
  bind: '/srv/team (a folder on every host)',
  smb: '//account.file.core.windows.net/share',
};

function shareDraftOf(pool?: PoolInfo): ShareDraft {
  const share = pool?.sshShare;
  if (!share) return NO_SHARE;
  return {
    protocol: share.protocol,
    source: share.source,
    mountPoint: share.mountPoint ?? '',
    account: share.account ?? '',
  };
}

/** What `pools.saveSshHosts` takes; blank optional fields are left out (the agent's defaults). */
function shareOf(draft: ShareDraft): SshPoolShare | undefined {
  if (draft.protocol === 'none') return undefined;
  const share: SshPoolShare = { protocol: draft.protocol, source: draft.source.trim() };
  if (draft.mountPoint.trim()) share.mountPoint = draft.mountPoint.trim();
  if (draft.protocol === 'smb' && draft.account.trim()) share.account = draft.account.trim();
  return share;
}

const FIELD_LABEL: Record<RowField | 'useAgent', string> = {
  name: 'name',
  address: 'address',
  port: 'port',
  user: 'user',
  keyPath: 'key file',
  useAgent: 'agent',
};

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

  /** Every message about a row, as sentences: "Each host needs a name. Enter an address." */
  const rowMessages = (index: number) =>
    (['', '.name', '.address', '.port', '.user', '.keyPath', '.useAgent'] as const)
      .map((field) => errors[`hosts.${index}${field}`])
      .filter((m): m is string => Boolean(m))
      .map((m) => (/[.!?]$/.test(m) ? m : `${m}.`))
      .join(' ');

  const cell = (row: HostRow, index: number, field: RowField, extra?: string) => {
    const path = `hosts.${index}.${field}`;
    const invalid = errors[path] !== undefined;
    return (
      <Input
        size="small"
        className={mergeClasses(styles.input, invalid && styles.invalid)}
        input={{ className: extra }}
        value={row[field]}
        aria-label={`Host ${index + 1} ${FIELD_LABEL[field]}`}
        aria-invalid={invalid}
        aria-describedby={invalid ? `host-error-${row.key}` : undefined}
        data-testid={`ssh-host-${index}-${field}`}
        inputMode={field === 'port' ? 'numeric' : undefined}
        spellCheck={false}
        placeholder={
          field === 'keyPath'
            ? "empty: the pool's key"
            : field === 'address'
              ? 'gpu1.lab.example.org'
              : field === 'name'
                ? `host-${index + 1}`
                : undefined
        }
        onChange={(_, data) => update(index, { [field]: data.value })}
      />
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
          <DialogBody>
            <DialogTitle>{title}</DialogTitle>
            <DialogContent className={styles.content}>
              <MessageBar intent="success">
                <MessageBarBody>
                  {created.name} is in your pools with {created.instances.length}{' '}
                  {created.instances.length === 1 ? 'host' : 'hosts'}. Connect picks one of them.
                </MessageBarBody>
              </MessageBar>
              <Text block>
                Each host must accept a key of yours. If you gave key files or use an agent that the
                hosts already know, you are set. Otherwise:
              </Text>
              <PublicKeyPanel poolId={created.id} poolName={created.name} />
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" onClick={onClose}>
                Done
              </Button>
            </DialogActions>
          </DialogBody>
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
                <div className={styles.tableWrap}>
                  <table className={styles.table} ref={tableRef} aria-label="Hosts">
                    <colgroup>
                      <col style={{ width: '14%' }} />
                      <col style={{ width: '22%' }} />
                      <col style={{ width: '72px' }} />
                      <col style={{ width: '12%' }} />
                      <col />
                      <col style={{ width: '52px' }} />
                      <col style={{ width: '40px' }} />
                    </colgroup>
                    <thead>
                      <tr>
                        <th className={styles.th}>Name</th>
                        <th className={styles.th}>Address</th>
                        <th className={styles.th}>Port</th>
                        <th className={styles.th}>User</th>
                        <th className={styles.th}>Key file</th>
                        <th className={mergeClasses(styles.th, styles.center)}>
                          <Tooltip
                            content="Offer the keys of your ssh-agent (or Pageant on Windows)"
                            relationship="description"
                          >
                            <span>Agent</span>
                          </Tooltip>
                        </th>
                        <th className={styles.th}>
                          <span className={styles.srOnly}>Remove</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {rows.map((row, index) => {
                        const message = rowMessages(index);
                        return [
                          <tr key={row.key} data-row={row.key}>
                            <td className={styles.td}>{cell(row, index, 'name')}</td>
                            <td className={styles.td}>
                              {cell(row, index, 'address', styles.mono)}
                            </td>
                            <td className={styles.td}>{cell(row, index, 'port', styles.mono)}</td>
                            <td className={styles.td}>{cell(row, index, 'user')}</td>
                            <td className={styles.td}>
                              {cell(row, index, 'keyPath', styles.mono)}
                            </td>
                            <td className={mergeClasses(styles.td, styles.center)}>
                              <Checkbox
                                checked={row.useAgent}
                                aria-label={`Host ${index + 1}: use the ssh-agent`}
                                data-testid={`ssh-host-${index}-useAgent`}
                                onChange={(_, data) =>
                                  update(index, { useAgent: data.checked === true })
                                }
                              />
                            </td>
                            <td className={styles.td}>
                              <Tooltip content={`Remove host ${index + 1}`} relationship="label">
                                <Button
                                  type="button"
                                  size="small"
                                  appearance="subtle"
                                  icon={<Delete16Regular />}
                                  disabled={rows.length === 1}
                                  data-testid={`ssh-host-${index}-remove`}
                                  onClick={() => removeRow(index)}
                                />
                              </Tooltip>
                            </td>
                          </tr>,
                          message ? (
                            <tr key={`${row.key}-error`}>
                              <td
                                colSpan={7}
                                id={`host-error-${row.key}`}
                                className={styles.rowError}
                                role="alert"
                              >
                                Host {index + 1}: {message}
                              </td>
                            </tr>
                          ) : null,
                        ];
                      })}
                    </tbody>
                  </table>
                </div>
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
                <Text as="h3" weight="semibold" className={styles.shareHead}>
                  Shared storage (optional)
                </Text>
                <Text size={200} className={styles.intro} block>
                  A share every host mounts, as on Azure pools: the pool agent (Install agent… in
                  the pool&apos;s menu) mounts it and keeps the team&apos;s accounts from its
                  registry. SMB&apos;s storage key is asked for at install and never stored.
                </Text>
                <div className={styles.share}>
                  <Field label="Kind">
                    <Select
                      value={share.protocol}
                      data-testid="ssh-share-protocol"
                      onChange={(_, d) => {
                        setShare((old) => ({
                          ...old,
                          protocol: d.value as ShareDraft['protocol'],
                        }));
                        clearServer('share');
                      }}
                    >
                      <option value="none">None</option>
                      <option value="nfs">NFS</option>
                      <option value="bind">Folder (bind)</option>
                      <option value="smb">SMB (Azure Files)</option>
                    </Select>
                  </Field>
                  {share.protocol !== 'none' && (
                    <>
                      <Field
                        label="Source"
                        required
                        validationState={errors['share.source'] ? 'error' : 'none'}
                        validationMessage={errors['share.source']}
                      >
                        <Input
                          className={styles.mono}
                          value={share.source}
                          spellCheck={false}
                          placeholder={SOURCE_PLACEHOLDER[share.protocol]}
                          data-testid="ssh-share-source"
                          onChange={(_, d) => {
                            setShare((old) => ({ ...old, source: d.value }));
                            clearServer('share.source');
                          }}
                        />
                      </Field>
                      <Field
                        label="Mount point"
                        validationState={errors['share.mountPoint'] ? 'error' : 'none'}
                        validationMessage={errors['share.mountPoint']}
                      >
                        <Input
                          className={styles.mono}
                          value={share.mountPoint}
                          spellCheck={false}
                          placeholder="/mnt/dsvm-pool"
                          data-testid="ssh-share-mount"
                          onChange={(_, d) => {
                            setShare((old) => ({ ...old, mountPoint: d.value }));
                            clearServer('share.mountPoint');
                          }}
                        />
                      </Field>
                    </>
                  )}
                  {share.protocol === 'smb' && (
                    <Field
                      label="Storage account"
                      hint="Default: the first part of the host name"
                      validationState={errors['share.account'] ? 'error' : 'none'}
                      validationMessage={errors['share.account']}
                    >
                      <Input
                        value={share.account}
                        spellCheck={false}
                        data-testid="ssh-share-account"
                        onChange={(_, d) => {
                          setShare((old) => ({ ...old, account: d.value }));
                          clearServer('share.account');
                        }}
                      />
                    </Field>
                  )}
                </div>
                {errors.share && (
                  <Text className={styles.hostsError} role="alert">
                    {errors.share}
                  </Text>
                )}
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
