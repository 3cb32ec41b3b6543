// Lists the hosts of ~/.ssh/config with checkboxes, to add them to the pool being edited.
import {
  Button,
  Checkbox,
  MessageBar,
  MessageBarBody,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import type { SshConfigHost } from '../../../common/models';
import { useRpc } from '../../shared/rpc-context';
import { useLoad } from '../../shared/use-load';

const useStyles = makeStyles({
  box: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalM,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  list: {
    listStyle: 'none',
    margin: 0,
    padding: 0,
    maxHeight: '220px',
    overflowY: 'auto',
    display: 'flex',
    flexDirection: 'column',
  },
  detail: {
    display: 'block',
    color: tokens.colorNeutralForeground3,
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
  },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  note: { color: tokens.colorNeutralForeground3 },
});

export interface SshConfigImportProps {
  /** Says whether a host is already in the table (it is then shown, but not offered). */
  isPresent: (host: SshConfigHost) => boolean;
  onAdd: (hosts: SshConfigHost[]) => void;
  onClose: () => void;
}

export function SshConfigImport({ isPresent, onAdd, onClose }: SshConfigImportProps) {
  const styles = useStyles();
  const rpc = useRpc();
  const { data: hosts, error } = useLoad(true, () => rpc.call('sshConfig.list', {}), [rpc]);
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());

  const toggle = (alias: string, on: boolean) =>
    setPicked((old) => {
      const next = new Set(old);
      if (on) next.add(alias);
      else next.delete(alias);
      return next;
    });

  const chosen = (hosts ?? []).filter((h) => picked.has(h.alias) && !isPresent(h));

  return (
    <section className={styles.box} aria-label="Import from ~/.ssh/config" data-testid="ssh-import">
      <Text weight="semibold">Import from ~/.ssh/config</Text>
      {error && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>Could not read ~/.ssh/config: {error}</MessageBarBody>
        </MessageBar>
      )}
      {!hosts && !error && <Spinner size="tiny" label="Reading ~/.ssh/config…" />}
      {hosts && hosts.length === 0 && (
        <Text className={styles.note}>
          No hosts to import: ~/.ssh/config is missing or has only patterns (like Host *).
        </Text>
      )}
      {hosts && hosts.length > 0 && (
        <ul className={styles.list}>
          {hosts.map((h) => {
            const present = isPresent(h);
            return (
              <li key={h.alias}>
                <Checkbox
                  checked={present || picked.has(h.alias)}
                  disabled={present}
                  data-testid={`ssh-import-${h.alias}`}
                  onChange={(_, data) => toggle(h.alias, data.checked === true)}
                  label={
                    <span>
                      <b>{h.alias}</b>
                      {present ? ' — already in the list' : ''}
                      <span className={styles.detail}>
                        {h.user}@{h.address}:{h.port}
                        {h.keyPath ? ` · ${h.keyPath}` : ''}
                        {h.useAgent ? ' · agent' : ''}
                      </span>
                    </span>
                  }
                />
              </li>
            );
          })}
        </ul>
      )}
      <div className={styles.actions}>
        <Button
          appearance="primary"
          size="small"
          disabled={!chosen.length}
          data-testid="ssh-import-add"
          onClick={() => onAdd(chosen)}
        >
          {chosen.length === 1 ? 'Add 1 host' : `Add ${chosen.length} hosts`}
        </Button>
        <Button size="small" onClick={onClose}>
          Close
        </Button>
      </div>
    </section>
  );
}
