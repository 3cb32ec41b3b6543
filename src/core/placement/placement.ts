// Picks the instance a user's next session goes to (DESIGN.md §6): requested, else affinity,
// else the least loaded running instance. Pure, so every rule is tested without a pool.
import { ErrorCode, RpcError } from '../../common/errors';
import type { InstanceInfo } from '../../common/models';

export type PlacementReason = 'requested' | 'affinity' | 'fewest-sessions';

export interface Placement {
  instance: InstanceInfo;
  reason: PlacementReason;
}

export interface PlacementOptions {
  /** The user picked this instance themselves. */
  instanceId?: string;
}

// Natural order, so `local-2` sorts before `local-10` and ties break the same way every time.
const naturalOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

function byName(a: InstanceInfo, b: InstanceInfo): number {
  return naturalOrder.compare(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function totalSessions(instance: InstanceInfo): number {
  let total = 0;
  for (const count of Object.values(instance.sessions)) total += count > 0 ? count : 0;
  return total;
}

function userSessions(instance: InstanceInfo, user: string): number {
  // Own-property lookup: a user named `constructor` must not read Object.prototype.
  return Object.hasOwn(instance.sessions, user) ? instance.sessions[user] : 0;
}

/** Chooses where `user` lands; throws RpcError (NotFound / NoInstance) when nowhere fits. */
export function chooseInstance(
  instances: InstanceInfo[],
  user: string,
  options: PlacementOptions = {},
): Placement {
  if (options.instanceId !== undefined) {
    const requested = instances.find((instance) => instance.id === options.instanceId);
    if (!requested) {
      throw new RpcError(
        ErrorCode.NotFound,
        `Instance "${options.instanceId}" is not in this pool (any more). ` +
          'Pick one from the instance list, or connect without choosing one.',
      );
    }
    if (requested.state !== 'running') {
      throw new RpcError(
        ErrorCode.NoInstance,
        requested.detail
          ? `Instance ${requested.name} ${requested.detail}. Pick another instance, or ask the pool admin to fix this one.`
          : `Instance ${requested.name} is ${requested.state}, not running. ` +
              'Pick a running instance, or ask the pool admin to start this one.',
      );
    }
    return { instance: requested, reason: 'requested' };
  }

  // Starting, stopping, stopped and failed instances cannot take a session now.
  const running = instances.filter((instance) => instance.state === 'running');
  if (running.length === 0) {
    // Say what each instance answered when it is known (a host that refuses SSH is up, not off).
    const known = instances.filter((instance) => instance.detail);
    if (known.length > 0 && known.length === instances.length) {
      throw new RpcError(
        ErrorCode.NoInstance,
        `No instance of this pool can take a connection: ${known
          .map((instance) => `${instance.name} ${instance.detail}`)
          .join('; ')}.`,
      );
    }
    throw new RpcError(
      ErrorCode.NoInstance,
      'No instance of this pool is running. The pool admin can start one ' +
        '(or scale the pool up); then connect again.',
    );
  }

  // Affinity: going back where the user already works keeps their shell, kernels and tmux.
  const withUser = running.filter((instance) => userSessions(instance, user) > 0);
  if (withUser.length > 0) {
    const [best] = withUser.sort(
      (a, b) =>
        userSessions(b, user) - userSessions(a, user) ||
        totalSessions(a) - totalSessions(b) ||
        byName(a, b),
    );
    return { instance: best, reason: 'affinity' };
  }

  // Breadth-first: spread users so nobody shares a busy VM while another idles.
  const [least] = [...running].sort((a, b) => totalSessions(a) - totalSessions(b) || byName(a, b));
  return { instance: least, reason: 'fewest-sessions' };
}
