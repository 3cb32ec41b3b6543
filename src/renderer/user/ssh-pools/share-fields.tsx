// The ssh-hosts pool editor's Shared storage section: the kind of share (none, NFS, a folder, SMB),
// its source and mount point, and for SMB the storage account.
import { Field, Input, Select, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { Dispatch, SetStateAction } from 'react';
import type { FieldErrors } from '../../shared/field-errors';
import { SOURCE_PLACEHOLDER, type ShareDraft } from './share-draft';

const useStyles = makeStyles({
  intro: { color: tokens.colorNeutralForeground2 },
  mono: { fontFamily: tokens.fontFamilyMonospace },
  hostsError: { color: tokens.colorPaletteRedForeground1 },
  share: {
    display: 'grid',
    gridTemplateColumns: 'minmax(120px, 160px) minmax(220px, 2fr) minmax(160px, 1fr)',
    gap: tokens.spacingHorizontalS,
    alignItems: 'start',
  },
  shareHead: { margin: 0 },
});

export interface ShareFieldsProps {
  share: ShareDraft;
  setShare: Dispatch<SetStateAction<ShareDraft>>;
  errors: FieldErrors;
  /** Forgets the app's message about a field once it is edited. */
  clearServer: (path: string) => void;
}

export function ShareFields({ share, setShare, errors, clearServer }: ShareFieldsProps) {
  const styles = useStyles();
  return (
    <>
      <Text as="h3" weight="semibold" className={styles.shareHead}>
        Shared storage (optional)
      </Text>
      <Text size={200} className={styles.intro} block>
        A share every host mounts, as on Azure pools: the pool agent (Install agent… in the
        pool&apos;s menu) mounts it and keeps the team&apos;s accounts from its registry. SMB&apos;s
        storage key is asked for at install and never stored.
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
    </>
  );
}
