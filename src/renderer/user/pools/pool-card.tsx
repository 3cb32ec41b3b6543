// A pool: what it is, its instances, the Connect button, the Connect progress and its errors.
// Every pool has a ⋯ menu with Test connection…; pools defined here (ssh-hosts) add edit, key,
// Install agent…, Team…, remove.
//
// Test ids: pool-card-<id>, connect-<id>, pool-menu-<id>, pool-test-<id> (opens
// diagnostics-dialog), pool-edit-<id>, pool-key-<id>, pool-install-agent-<id> (opens
// install-agent-dialog), pool-team-<id> (with shared storage; opens team-dialog), pool-remove-<id>,
// replace-key-<id> (on a refused changed host key; opens replace-host-key-dialog),
// pool-openssh-<id> (opens the OpenSSH and VS Code settings).
import { ErrorCode } from '../../../common/errors';
import { plural } from '../../../common/user-text';
import {
  Button,
  Card,
  CardHeader,
  Menu,
  MenuDivider,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import {
  Delete16Regular,
  Dismiss16Regular,
  DocumentSettings16Regular,
  Edit16Regular,
  KeyMultiple16Regular,
  MoreHorizontal20Regular,
  NetworkCheck20Regular,
  People16Regular,
  PlugConnected20Regular,
  Wrench16Regular,
} from '@fluentui/react-icons';
import { useMemo, useState } from 'react';
import type { InstanceInfo, PoolInfo, Prompt } from '../../../common/models';
import type { ConnectionMap } from '../use-connections';
import { isDeclined, type ConnectError, type PendingConnect } from '../use-workspace';
import { fileName } from '../../shared/file-name';
import { useRpc } from '../../shared/rpc-context';
import { InstallAgentDialog } from '../../admin/pools/install-agent-dialog';
import { DiagnosticsDialog, type DiagnosticsTarget } from './diagnostics-dialog';
import { InstanceRow } from './instance-row';
import { PoolKindBadge } from './pool-kind-badge';
import { TeamDialog } from '../../admin/pools/team-dialog';
import { OpenSshDialog } from '../openssh/openssh-dialog';
import {
  ReplaceHostKeyDialog,
  refusedKeyOf,
  type RefusedKey,
} from '../prompts/replace-host-key-dialog';

const useStyles = makeStyles({
  card: { gap: tokens.spacingVerticalS },
  title: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalS,
  },
  heading: { margin: 0 },
  // Fingerprints and addresses have no spaces; without this they push the text out of the card.
  errorBody: { overflowWrap: 'anywhere', minWidth: 0 },
  description: { color: tokens.colorNeutralForeground2, margin: `${tokens.spacingVerticalXXS} 0` },
  user: { color: tokens.colorNeutralForeground3 },
  instances: {
    listStyle: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: '2px',
  },
  none: { color: tokens.colorNeutralForeground3, padding: `0 ${tokens.spacingHorizontalS}` },
  progress: { minHeight: '20px' },
  connect: { width: '100%' },
});

export interface PoolCardProps {
  pool: PoolInfo;
  connections: ConnectionMap;
  prompts: Prompt[];
  pending?: PendingConnect;
  error?: ConnectError;
  disabled: boolean;
  onConnect: (instanceId?: string) => void;
  onDismissError: () => void;
  /** Opens the Azure sign-in (a Connect that needs an account while signed out offers it). */
  onSignIn?: () => void;
  /** For pools the user manages here (ssh-hosts): the card's menu. */
  onEdit?: () => void;
  onGenerateKey?: () => void;
  onRemove?: () => void;
}

/** The card's ⋯ menu: Test connection…; for pools defined in this app, edit, key, agent, team, remove. */
function PoolMenu({
  pool,
  onTest,
  onInstallAgent,
  onTeam,
  onOpenSsh,
  ...actions
}: Pick<PoolCardProps, 'pool' | 'onEdit' | 'onGenerateKey' | 'onRemove'> & {
  onTest: () => void;
  onOpenSsh: () => void;
  onInstallAgent: () => void;
  onTeam: () => void;
}) {
  return (
    <Menu positioning="below-end">
      <MenuTrigger disableButtonEnhancement>
        <Button
          appearance="subtle"
          size="small"
          icon={<MoreHorizontal20Regular />}
          aria-label={`More for ${pool.name}`}
          data-testid={`pool-menu-${pool.id}`}
        />
      </MenuTrigger>
      <MenuPopover>
        <MenuList>
          <MenuItem
            icon={<NetworkCheck20Regular />}
            data-testid={`pool-test-${pool.id}`}
            onClick={onTest}
          >
            Test connection…
          </MenuItem>
          <MenuItem
            icon={<DocumentSettings16Regular />}
            data-testid={`pool-openssh-${pool.id}`}
            onClick={onOpenSsh}
          >
            OpenSSH and VS Code…
          </MenuItem>
          {actions.onEdit && (
            <>
              <MenuDivider />
              <MenuItem
                icon={<Edit16Regular />}
                data-testid={`pool-edit-${pool.id}`}
                onClick={actions.onEdit}
              >
                Edit pool…
              </MenuItem>
              <MenuItem
                icon={<KeyMultiple16Regular />}
                data-testid={`pool-key-${pool.id}`}
                onClick={actions.onGenerateKey}
              >
                Generate a key for this pool…
              </MenuItem>
              <MenuItem
                icon={<Wrench16Regular />}
                data-testid={`pool-install-agent-${pool.id}`}
                onClick={onInstallAgent}
              >
                Install agent…
              </MenuItem>
              {pool.sshShare && (
                <MenuItem
                  icon={<People16Regular />}
                  data-testid={`pool-team-${pool.id}`}
                  onClick={onTeam}
                >
                  Team…
                </MenuItem>
              )}
              <MenuDivider />
              <MenuItem
                icon={<Delete16Regular />}
                data-testid={`pool-remove-${pool.id}`}
                onClick={actions.onRemove}
              >
                Remove pool…
              </MenuItem>
            </>
          )}
        </MenuList>
      </MenuPopover>
    </Menu>
  );
}

/** Says what the Connect in progress waits for, naming the instance as soon as it is known. */
function progressText(
  pool: PoolInfo,
  pending: PendingConnect,
  connections: ConnectionMap,
  prompts: Prompt[],
) {
  let name = pending.instanceName;
  if (!name) {
    // Placement chose an instance: the app announces it as a "connecting" connection.
    for (const c of connections.values()) {
      if (c.poolId === pool.id && c.state === 'connecting') name = c.instanceName;
    }
  }
  if (pending.step === 'opening') return `Opening a terminal on ${name ?? pool.name}…`;
  // Start on connect: no instance was running, the app is starting one.
  if (pool.activity) return pool.activity;
  const prompt = prompts.find((p) => p.poolId === pool.id);
  if (prompt?.kind === 'host-key') {
    return `Waiting for you to check the host key of ${prompt.instanceName}…`;
  }
  if (prompt?.kind === 'passphrase')
    return `Waiting for the passphrase of ${fileName(prompt.keyPath)}…`;
  return name ? `Connecting to ${name}…` : `Choosing an instance of ${pool.name}…`;
}

/** Instances a pool card lists before "Show all". */
const INSTANCE_PREVIEW = 8;

/** Yours first (sessions of this user), then running, then the rest; stable otherwise. */
function rank(instance: InstanceInfo, user: string): number {
  return (instance.sessions[user] ? 2 : 0) + (instance.state === 'running' ? 1 : 0);
}

export function PoolCard(props: PoolCardProps) {
  const { pool, pending, error, disabled, onConnect } = props;
  const styles = useStyles();
  const rpc = useRpc();
  const busy = pending !== undefined;
  const [showAll, setShowAll] = useState(false);
  const [panel, setPanel] = useState<'install-agent' | 'team'>();
  const [testing, setTesting] = useState<DiagnosticsTarget>();
  const [replacing, setReplacing] = useState<RefusedKey>();
  const [openssh, setOpenssh] = useState(false);
  const refusedKey =
    error?.code === ErrorCode.HostKeyMismatch ? refusedKeyOf(error.details) : undefined;
  // A big pool (an Azure pool of hundreds) shows the instances that matter to you first: yours,
  // then running ones; the rest on request. Connect's placement looks at all of them anyway.
  const shownInstances = useMemo(
    () =>
      showAll || pool.instances.length <= INSTANCE_PREVIEW
        ? pool.instances
        : [...pool.instances]
            .sort((a, b) => rank(b, pool.user) - rank(a, pool.user))
            .slice(0, INSTANCE_PREVIEW),
    [pool.instances, pool.user, showAll],
  );
  const hidden = pool.instances.length - shownInstances.length;
  return (
    <Card className={styles.card} data-testid={`pool-card-${pool.id}`} aria-busy={busy}>
      <CardHeader
        header={
          <div className={styles.title}>
            <Text as="h2" weight="semibold" size={400} className={styles.heading}>
              {pool.name}
            </Text>
            <PoolKindBadge kind={pool.kind} />
          </div>
        }
        action={
          <PoolMenu
            pool={pool}
            onTest={() => setTesting({ pool })}
            onOpenSsh={() => setOpenssh(true)}
            onEdit={props.onEdit}
            onGenerateKey={props.onGenerateKey}
            onRemove={props.onRemove}
            onInstallAgent={() => setPanel('install-agent')}
            onTeam={() => setPanel('team')}
          />
        }
        description={
          <div>
            <Text as="p" block className={styles.description}>
              {pool.description}
            </Text>
            <Text size={200} className={styles.user}>
              Signs in as {pool.user}
            </Text>
          </div>
        }
      />
      {pool.instances.length ? (
        <ul className={styles.instances} aria-label={`Instances of ${pool.name}`}>
          {shownInstances.map((instance) => (
            <InstanceRow
              key={instance.id}
              instance={instance}
              disabled={busy || disabled}
              onConnect={() => onConnect(instance.id)}
              onTest={() => setTesting({ pool, instanceId: instance.id })}
              onSimulateDrop={
                pool.kind === 'local'
                  ? () => {
                      rpc
                        .call('sandbox.dropConnections', { instanceId: instance.id })
                        .catch(() => {});
                    }
                  : undefined
              }
            />
          ))}
          {hidden > 0 && (
            <li>
              <Button
                appearance="transparent"
                size="small"
                data-testid={`show-all-${pool.id}`}
                onClick={() => setShowAll(true)}
              >
                Show all {plural(pool.instances.length, 'instance')} ({hidden} more)
              </Button>
            </li>
          )}
        </ul>
      ) : (
        <Text size={200} className={styles.none}>
          No instances yet: Connect starts one.
        </Text>
      )}
      {error && (
        <MessageBar
          intent={isDeclined(error) ? 'warning' : 'error'}
          layout="multiline"
          data-testid={`error-${pool.id}`}
        >
          <MessageBarBody className={styles.errorBody}>
            <MessageBarTitle>
              {isDeclined(error) ? 'Not connected' : 'Could not connect'}
            </MessageBarTitle>
            {error.message}
          </MessageBarBody>
          <MessageBarActions
            {...(error.code === ErrorCode.NotSignedIn && props.onSignIn
              ? {
                  children: (
                    <Button
                      size="small"
                      data-testid={`sign-in-${pool.id}`}
                      onClick={props.onSignIn}
                    >
                      Sign in to Azure
                    </Button>
                  ),
                }
              : refusedKey
                ? {
                    children: (
                      <Button
                        size="small"
                        data-testid={`replace-key-${pool.id}`}
                        onClick={() => setReplacing(refusedKey)}
                      >
                        Replace key…
                      </Button>
                    ),
                  }
                : {})}
            containerAction={
              <Button
                appearance="transparent"
                aria-label="Dismiss"
                icon={<Dismiss16Regular />}
                onClick={props.onDismissError}
              />
            }
          />
        </MessageBar>
      )}
      {pending && (
        <div className={styles.progress} role="status">
          <Spinner
            size="tiny"
            labelPosition="after"
            label={progressText(pool, pending, props.connections, props.prompts)}
          />
        </div>
      )}
      <Button
        appearance="primary"
        className={styles.connect}
        icon={busy ? <Spinner size="tiny" /> : <PlugConnected20Regular />}
        disabled={busy || disabled}
        data-testid={`connect-${pool.id}`}
        onClick={() => onConnect()}
      >
        {busy ? 'Connecting…' : 'Connect'}
      </Button>
      <DiagnosticsDialog
        target={testing && { ...testing, pool }}
        onClose={() => setTesting(undefined)}
      />
      <OpenSshDialog
        request={openssh ? { kind: 'settings' } : undefined}
        onClose={() => setOpenssh(false)}
      />
      <ReplaceHostKeyDialog
        refused={replacing}
        poolName={pool.name}
        onClose={() => setReplacing(undefined)}
        onReplaced={(key) => {
          setReplacing(undefined);
          props.onDismissError();
          onConnect(key.instanceId);
        }}
      />
      {props.onEdit && (
        <>
          <InstallAgentDialog
            pool={pool}
            open={panel === 'install-agent'}
            onClose={() => setPanel(undefined)}
          />
          <TeamDialog pool={pool} open={panel === 'team'} onClose={() => setPanel(undefined)} />
        </>
      )}
    </Card>
  );
}
