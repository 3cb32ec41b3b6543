// Generates a key for a pool on request and shows its public half, to send to the hosts' admin.
import {
  Button,
  MessageBar,
  MessageBarBody,
  Spinner,
  Text,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { KeyMultiple20Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import { RpcError } from '../../../common/errors';
import { useRpc } from '../../shared/rpc-context';
import { CopyButton } from '../../shared/copy-button';

const useStyles = makeStyles({
  panel: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  key: { width: '100%' },
  keyText: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    wordBreak: 'break-all',
  },
  row: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  path: {
    color: tokens.colorNeutralForeground3,
    fontFamily: tokens.fontFamilyMonospace,
    overflowWrap: 'anywhere',
  },
});

export interface PublicKeyPanelProps {
  poolId: string;
  poolName: string;
}

export function PublicKeyPanel({ poolId, poolName }: PublicKeyPanelProps) {
  const styles = useStyles();
  const rpc = useRpc();
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState<{ publicKey: string; path: string }>();
  const [error, setError] = useState<string>();

  const generate = () => {
    setBusy(true);
    setError(undefined);
    rpc.call('keys.generate', { poolId }).then(
      (result) => {
        setBusy(false);
        setKey(result);
      },
      (err: unknown) => {
        setBusy(false);
        setError(RpcError.from(err).message);
      },
    );
  };

  if (!key) {
    return (
      <div className={styles.panel}>
        <Text block>
          If these hosts do not know a key of yours yet, dsvm-pool can make one for this pool. You
          then send its public half to the admin of the hosts; the private half stays on this
          computer.
        </Text>
        <div className={styles.row}>
          <Button
            icon={busy ? <Spinner size="extra-tiny" /> : <KeyMultiple20Regular />}
            disabled={busy}
            data-testid={`generate-key-${poolId}`}
            onClick={generate}
          >
            {busy ? 'Generating…' : 'Generate a key for this pool'}
          </Button>
        </div>
        {error && (
          <MessageBar intent="error" layout="multiline">
            <MessageBarBody>Could not generate a key: {error}</MessageBarBody>
          </MessageBar>
        )}
      </div>
    );
  }

  return (
    <div className={styles.panel} data-testid={`public-key-${poolId}`}>
      <Text block>
        Send this public key to the admin of the hosts in <b>{poolName}</b>, and ask them to add it
        to <code>~/.ssh/authorized_keys</code> of your account on every host. It is safe to share:
        it lets nobody in, it only lets the hosts recognise your key.
      </Text>
      <Textarea
        className={styles.key}
        textarea={{ className: styles.keyText }}
        readOnly
        resize="vertical"
        rows={4}
        value={key.publicKey}
        aria-label="Public key"
        data-testid="public-key-text"
        onFocus={(event) => event.currentTarget.select()}
      />
      <div className={styles.row}>
        <CopyButton text={key.publicKey} what="the public key" appearance="primary" size="medium" />
        <Text size={200} className={styles.path}>
          Private key: {key.path}
        </Text>
      </div>
    </div>
  );
}
