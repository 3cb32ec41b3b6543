// The Agent column of an Azure pool's instance table: what the pool agent's CustomScript extension
// reported on that instance, its message (the installer's stdout/stderr excerpt, as Azure keeps
// it) on demand, and Repair agent for an instance whose extension failed.
//
// Test ids: admin-agent-<id> (the badge, data-status), admin-agent-details-<id> (the message),
// admin-agent-repair-<id> (Repair agent).
import {
  Badge,
  Button,
  Popover,
  PopoverSurface,
  PopoverTrigger,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { Wrench16Regular } from '@fluentui/react-icons';
import type { InstanceInfo } from '../../../common/models';

const useStyles = makeStyles({
  muted: { color: tokens.colorNeutralForeground3 },
  trigger: { minWidth: 0, paddingLeft: 0, paddingRight: 0 },
  surface: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    maxWidth: '640px',
  },
  log: {
    margin: 0,
    maxHeight: '260px',
    overflow: 'auto',
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    backgroundColor: tokens.colorNeutralBackground3,
    padding: tokens.spacingHorizontalS,
    borderRadius: tokens.borderRadiusMedium,
  },
});

const LABEL = { succeeded: 'Installed', failed: 'Extension failed', running: 'Installing…' };
const COLOR = { succeeded: 'success', failed: 'danger', running: 'informative' } as const;

export interface AgentExtensionCellProps {
  instance: InstanceInfo;
  /** Opens Repair agent for this instance (its confirmation shows the az equivalent). */
  onRepair: (instanceId: string) => void;
}

export function AgentExtensionCell({ instance, onRepair }: AgentExtensionCellProps) {
  const styles = useStyles();
  const ext = instance.azure?.agentExtension;
  if (!ext) {
    return (
      <Text className={styles.muted} title="The instance has reported no agent extension (yet)">
        —
      </Text>
    );
  }
  const failed = ext.status === 'failed';
  return (
    <Popover withArrow positioning="below-start">
      <PopoverTrigger disableButtonEnhancement>
        <Button
          size="small"
          appearance="transparent"
          className={styles.trigger}
          data-testid={`admin-agent-${instance.id}`}
          data-status={ext.status}
          aria-label={`Agent on ${instance.name}: ${LABEL[ext.status]}. Show the extension's message`}
        >
          <Badge appearance="tint" color={COLOR[ext.status]}>
            {LABEL[ext.status]}
          </Badge>
        </Button>
      </PopoverTrigger>
      <PopoverSurface
        className={styles.surface}
        data-testid={`admin-agent-details-${instance.id}`}
        aria-label={`The agent extension on ${instance.name}`}
      >
        <Text weight="semibold">
          {failed
            ? `The agent's extension (${ext.name}) failed on ${instance.name}`
            : `The agent's extension (${ext.name}) on ${instance.name}: ${LABEL[ext.status]}`}
        </Text>
        <pre className={styles.log}>{ext.message || 'No message.'}</pre>
        {failed && (
          <>
            <Text size={200}>
              The instance runs, but its agent is not installed. Repair agent installs it over SSH
              now; Azure keeps showing this failure until the extension runs there again (a reimage
              or a model update).
            </Text>
            <div>
              <Button
                size="small"
                appearance="primary"
                icon={<Wrench16Regular />}
                data-testid={`admin-agent-repair-${instance.id}`}
                onClick={() => onRepair(instance.id)}
              >
                Repair agent
              </Button>
            </div>
          </>
        )}
      </PopoverSurface>
    </Popover>
  );
}
