// Operations: long work (Azure actions, agent installs) tracked with its progress and its az
// equivalents, running and recent.
import { z } from 'zod';
import type { OperationInfo } from '../models';
import { empty, id, method } from './define';

export const operationMethods = {
  'operations.list': method(empty, 'Azure operations, running and recent, newest first.').returns<
    OperationInfo[]
  >(),

  'operations.dismiss': method(
    z.object({ operationId: id('operationId') }).strict(),
    'Forgets a finished operation.',
  ).returns<void>(),
} as const;

export interface OperationEvents {
  /** An Azure operation started, progressed or ended. */
  'operations.onDidChange': OperationInfo;
}

export const operationEventNames = [
  'operations.onDidChange',
] as const satisfies readonly (keyof OperationEvents)[];
