// Azure sign-in for the admin view: the ways to sign in, device code instructions, errors in place,
// and once signed in the account and Sign out.
import {
  Button,
  Card,
  CardHeader,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useRef, useState } from 'react';
import type { MethodInput } from '../../../common/contract';
import { ErrorCode, RpcError } from '../../../common/errors';
import type { AzureSignInStatus } from '../../../common/models';
import { useRpc } from '../../shared/rpc-context';
import type { AzureSignIn } from './use-azure-sign-in';
import { useEvent } from '../../shared/use-event';
import { CopyButton } from '../../shared/copy-button';
import { useLoad } from '../../shared/use-load';

const BROWSER_IN_HEADLESS =
  'Sign in with browser needs the desktop app: this page is served by the headless host, which may run where no browser opens and Azure’s answer cannot come back. Use Device code: it works from any browser.';

type Kind = MethodInput<'azure.signIn'>['kind'];

const useStyles = makeStyles({
  buttons: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  code: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase400,
    fontWeight: tokens.fontWeightSemibold,
  },
  row: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  wrap: { overflowWrap: 'anywhere', minWidth: 0 },
  muted: { color: tokens.colorNeutralForeground3 },
});

const kinds: Array<{ kind: Kind; label: string; testId: string }> = [
  { kind: 'cli', label: 'Sign in with Azure CLI', testId: 'azure-signin-cli' },
  { kind: 'browser', label: 'Sign in with browser', testId: 'azure-signin-browser' },
  { kind: 'device-code', label: 'Device code', testId: 'azure-signin-device-code' },
  { kind: 'environment', label: 'Use environment credentials', testId: 'azure-signin-environment' },
];

/** Where the sign-in is kept, when that is worth knowing: no keyring, or not kept at all. */
function StorageNote({ status }: { status: AzureSignInStatus }) {
  const styles = useStyles();
  if (status.tokenStorage === 'owner-only-file') {
    return (
      <MessageBar intent="warning" layout="multiline" data-testid="azure-token-storage">
        <MessageBarBody className={styles.wrap}>
          <MessageBarTitle>No OS keyring</MessageBarTitle>
          Your sign-in is kept in files only your account can read (0600), not encrypted:{' '}
          <span className={styles.muted}>{status.tokenCacheDir ?? "the app's data folder"}</span>.
          The desktop app encrypts it with the system keyring.
        </MessageBarBody>
      </MessageBar>
    );
  }
  if (status.tokenStorage === 'memory' || !status.persistentCache) {
    return (
      <Text size={200} className={styles.muted} data-testid="azure-token-storage">
        Your sign-in lasts until the app quits.
      </Text>
    );
  }
  return null;
}

function accountName(status: AzureSignInStatus): string {
  const a = status.account;
  if (!a) return 'Signed in';
  return a.displayName ?? a.userName ?? a.objectId ?? `${a.kind} credentials`;
}

export function AzureSignInCard({ signIn }: { signIn: AzureSignIn }) {
  const styles = useStyles();
  const rpc = useRpc();
  const [busy, setBusy] = useState<Kind | 'sign-out'>();
  const cancel = useRef<AbortController>(undefined);
  // In the headless host no browser may open here, nor Azure's answer reach the app: say so.
  const { data: app } = useLoad(true, () => rpc.call('app.info', {}), [rpc]);
  const headless = app?.shell === 'headless';
  const [error, setError] = useState<string>();
  const [deviceCode, setDeviceCode] = useState<{
    message: string;
    userCode: string;
    verificationUri: string;
  }>();

  useEvent('azure.onDeviceCode', setDeviceCode);

  const start = (kind: Kind) => {
    setBusy(kind);
    setError(undefined);
    setDeviceCode(undefined);
    const controller = new AbortController();
    cancel.current = controller;
    rpc.call('azure.signIn', { kind }, { signal: controller.signal }).then(
      (s) => {
        setBusy(undefined);
        setDeviceCode(undefined);
        signIn.set(s);
      },
      (err: unknown) => {
        setBusy(undefined);
        setDeviceCode(undefined);
        const error = RpcError.from(err);
        setError(error.code === ErrorCode.Cancelled ? undefined : error.message);
      },
    );
  };

  const signOut = () => {
    setBusy('sign-out');
    setError(undefined);
    rpc.call('azure.signOut', {}).then(
      () => {
        setBusy(undefined);
        signIn.set({
          ...(signIn.status ?? { persistentCache: false }),
          signedIn: false,
          account: undefined,
        });
      },
      (err: unknown) => {
        setBusy(undefined);
        setError(RpcError.from(err).message);
      },
    );
  };

  const status = signIn.status;
  return (
    <Card data-testid="azure-signin-card">
      <CardHeader
        header={
          <Text as="h2" weight="semibold" size={400}>
            Azure account
          </Text>
        }
      />
      {!status && !signIn.error && <Spinner size="tiny" label="Checking sign-in…" />}
      {signIn.error && (
        <MessageBar intent="error">
          <MessageBarBody>{signIn.error}</MessageBarBody>
        </MessageBar>
      )}
      {status?.signedIn && (
        <div className={styles.row}>
          <Text data-testid="azure-account" className={styles.wrap}>
            Signed in as <strong>{accountName(status)}</strong>
            {status.account?.tenantId && (
              <span className={styles.muted}> · tenant {status.account.tenantId}</span>
            )}
          </Text>
          <Button
            size="small"
            disabled={busy !== undefined}
            icon={busy === 'sign-out' ? <Spinner size="extra-tiny" /> : undefined}
            data-testid="azure-signout"
            onClick={signOut}
          >
            Sign out
          </Button>
        </div>
      )}
      {status && !status.signedIn && (
        <>
          <Text className={styles.muted}>
            Sign in to see your subscriptions and manage their pools.
          </Text>
          <div className={styles.buttons}>
            {kinds.map((k) => (
              <Button
                key={k.kind}
                appearance={k.kind === 'cli' ? 'primary' : 'secondary'}
                disabled={busy !== undefined || (k.kind === 'browser' && headless)}
                title={k.kind === 'browser' && headless ? BROWSER_IN_HEADLESS : undefined}
                icon={busy === k.kind ? <Spinner size="extra-tiny" /> : undefined}
                data-testid={k.testId}
                onClick={() => start(k.kind)}
              >
                {k.label}
              </Button>
            ))}
            {(busy === 'browser' || busy === 'device-code') && (
              <Button
                appearance="subtle"
                data-testid="azure-signin-cancel"
                onClick={() => cancel.current?.abort()}
              >
                Cancel
              </Button>
            )}
          </div>
          {headless && (
            <Text size={200} className={styles.muted} data-testid="azure-signin-browser-note">
              {BROWSER_IN_HEADLESS}
            </Text>
          )}
          {busy === 'browser' && (
            <Text size={200} className={styles.muted} role="status">
              Waiting for the sign-in in your browser (up to 5 minutes). Finish it there, or Cancel.
            </Text>
          )}
        </>
      )}
      {status && <StorageNote status={status} />}
      {deviceCode && (
        <MessageBar intent="info" layout="multiline" data-testid="azure-device-code">
          <MessageBarBody className={styles.wrap}>
            <MessageBarTitle>Device code</MessageBarTitle>
            {deviceCode.message}
            <div className={styles.row}>
              <span className={styles.code}>{deviceCode.userCode}</span>
              <CopyButton text={deviceCode.userCode} what="the device code" />
            </div>
          </MessageBarBody>
        </MessageBar>
      )}
      {error && (
        <MessageBar intent="error" layout="multiline" data-testid="azure-signin-error">
          <MessageBarBody className={styles.wrap}>{error}</MessageBarBody>
        </MessageBar>
      )}
    </Card>
  );
}
