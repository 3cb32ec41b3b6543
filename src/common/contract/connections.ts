// Connections: an SSH connection to an instance of a pool; a dropped link is reconnected under
// the same id, so the terminals and forwards on it follow.
import { z } from 'zod';
import type { ConnectionInfo } from '../models';
import { empty, id, method } from './define';

export const connectionMethods = {
  'connections.connect': method(
    z
      .object({
        poolId: id('poolId'),
        /** Omit to let placement choose (affinity, then fewest sessions). */
        instanceId: id('instanceId').optional(),
      })
      .strict(),
    'Opens an SSH connection to an instance of a pool; asks about unknown host keys via prompts.',
  ).returns<ConnectionInfo>(),

  'connections.list': method(empty, 'Open connections.').returns<ConnectionInfo[]>(),

  'connections.close': method(
    z.object({ connectionId: id('connectionId') }).strict(),
    'Closes a connection and every terminal on it.',
  ).returns<void>(),
} as const;

export interface ConnectionEvents {
  /** A connection changed state (connected, failed, closed). */
  'connections.onDidChange': ConnectionInfo;
}

export const connectionEventNames = [
  'connections.onDidChange',
] as const satisfies readonly (keyof ConnectionEvents)[];
