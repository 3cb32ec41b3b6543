// The ssh-hosts pool editor's table of hosts: one row of inputs per host (name, address, port,
// user, key file, agent), its messages under it, and a button to remove it.
import {
  Button,
  Checkbox,
  Input,
  Tooltip,
  makeStyles,
  mergeClasses,
  shorthands,
  tokens,
} from '@fluentui/react-components';
import { Delete16Regular } from '@fluentui/react-icons';
import type { RefObject } from 'react';
import type { FieldErrors } from '../../shared/field-errors';
import type { HostRow } from './ssh-host-rows';

const useStyles = makeStyles({
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
  srOnly: {
    position: 'absolute',
    width: '1px',
    height: '1px',
    overflow: 'hidden',
    clipPath: 'inset(50%)',
    whiteSpace: 'nowrap',
  },
});

type RowField = 'name' | 'address' | 'port' | 'user' | 'keyPath';

const FIELD_LABEL: Record<RowField | 'useAgent', string> = {
  name: 'name',
  address: 'address',
  port: 'port',
  user: 'user',
  keyPath: 'key file',
  useAgent: 'agent',
};

export interface HostsTableProps {
  rows: HostRow[];
  /** The messages to show, by field path (`hosts.<i>.<field>`). */
  errors: FieldErrors;
  /** The table, to focus a row that was just added. */
  tableRef: RefObject<HTMLTableElement | null>;
  update: (index: number, change: Partial<HostRow>) => void;
  removeRow: (index: number) => void;
}

export function HostsTable({ rows, errors, tableRef, update, removeRow }: HostsTableProps) {
  const styles = useStyles();
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

  return (
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
                <td className={styles.td}>{cell(row, index, 'address', styles.mono)}</td>
                <td className={styles.td}>{cell(row, index, 'port', styles.mono)}</td>
                <td className={styles.td}>{cell(row, index, 'user')}</td>
                <td className={styles.td}>{cell(row, index, 'keyPath', styles.mono)}</td>
                <td className={mergeClasses(styles.td, styles.center)}>
                  <Checkbox
                    checked={row.useAgent}
                    aria-label={`Host ${index + 1}: use the ssh-agent`}
                    data-testid={`ssh-host-${index}-useAgent`}
                    onChange={(_, data) => update(index, { useAgent: data.checked === true })}
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
  );
}
