// The words of each notification: what happened, to which instance or operation, and when — pure,
// so the decisions and their sentences are tested without a clock or a connection.
import type { ConnectionInfo, OperationInfo } from '../../common/models';
import type { ScheduledEvent } from '../../common/agent-protocol/index';
import type { AppNotification } from '../../common/notification-models';

type Text = Pick<AppNotification, 'title' | 'body' | 'severity'>;

/** "local-0 (Local sandbox)", or the instance alone when the pool's name is unknown. */
function where(info: Pick<ConnectionInfo, 'instanceName'>, poolName: string | undefined): string {
  return poolName ? `${info.instanceName} (${poolName})` : info.instanceName;
}

export function reconnectingText(
  info: ConnectionInfo,
  poolName: string | undefined,
  seconds: number,
): Text {
  return {
    severity: 'warning',
    title: `Reconnecting to ${info.instanceName}`,
    body:
      `The connection to ${where(info, poolName)} dropped ${seconds} s ago; the app keeps ` +
      'trying, and your terminals and forwards come back with it.',
  };
}

export function lostText(info: ConnectionInfo, poolName: string | undefined): Text {
  const why = info.detail ? ` ${info.detail}` : '';
  return {
    severity: 'error',
    title: `Connection to ${info.instanceName} lost`,
    body: `The app stopped trying to reach ${where(info, poolName)}.${why}`,
  };
}

export function backText(info: ConnectionInfo, poolName: string | undefined): Text {
  return {
    severity: 'success',
    title: `Connection to ${info.instanceName} is back`,
    body: `Your terminals and forwards on ${where(info, poolName)} work again.`,
  };
}

export function operationText(op: OperationInfo): Text {
  if (op.status === 'failed') {
    return {
      severity: 'error',
      title: `Failed: ${op.title}`,
      body: op.error?.message ?? op.progress.at(-1)?.text ?? 'See the operation in the admin view.',
    };
  }
  return {
    severity: 'success',
    title: `Done: ${op.title}`,
    body: op.progress.at(-1)?.text ?? 'Finished.',
  };
}

/** What each scheduled event does to the VM, in the user's words. */
const EVENT_WORDS: Record<ScheduledEvent['eventType'], string> = {
  Terminate: 'will be deleted',
  Preempt: 'will be evicted (Spot capacity)',
  Reboot: 'will restart',
  Redeploy: 'will move to another host and restart',
  Freeze: 'will pause for a few seconds',
};

/**
 * "team-3 will be deleted at 14:05": the event's not-before time in the user's clock, or "now"
 * once Azure has started it.
 */
export function scaleInText(
  event: ScheduledEvent,
  instanceName: string,
  poolName: string,
  formatTime: (ms: number) => string,
): Text {
  const notBefore = event.notBefore ? Date.parse(event.notBefore) : Number.NaN;
  const when =
    event.eventStatus === 'Started' || Number.isNaN(notBefore)
      ? 'now'
      : `at ${formatTime(notBefore)}`;
  return {
    severity: 'warning',
    title: `${instanceName} ${EVENT_WORDS[event.eventType]} ${when}`,
    body:
      `Azure scheduled a ${event.eventType} of ${instanceName} in pool ${poolName}` +
      `${when === 'now' ? ', starting now' : `, not before ${formatTime(notBefore)}`}. ` +
      'Save your work there; your terminal on it will end.',
  };
}
