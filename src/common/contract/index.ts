// The one contract between the UI and the Node side: every method (zod input schema, output
// type) and every event. Both transports (MessagePort, WebSocket) carry exactly this.
//
// To add a method: add an entry to `methods` below with its input schema and `.returns<T>()`,
// then implement it in `src/core/app-handlers.ts` (the compiler lists what is missing).
import { z } from 'zod';
import type { OperationInfo } from '../models';
export { autoscaleSettingsSchema } from './autoscale';
import { empty, id, method } from './define';
import { agentMethods } from './agent';
import { teamMethods } from './team';
import { azureEventNames, azureMethods, type AzureEvents } from './azure';
import { poolEventNames, poolMethods, type PoolEvents } from './pools';
export { sshHostSchema, sshPoolShareSchema } from './pools';
import { forwardEventNames, forwardMethods, type ForwardEvents } from './forwards';
import { jupyterMethods } from './jupyter';
import { promptEventNames, promptMethods, type PromptEvents } from './prompts';
import { terminalEventNames, terminalMethods, type TerminalEvents } from './terminals';
import { connectionEventNames, connectionMethods, type ConnectionEvents } from './connections';
import { appEventNames, appMethods, type AppEvents } from './app';

export const methods = {
  ...appMethods,
  ...poolMethods,
  ...connectionMethods,
  ...terminalMethods,
  ...promptMethods,
  ...jupyterMethods,
  ...forwardMethods,
  ...azureMethods,
  ...teamMethods,
  ...agentMethods,

  'operations.list': method(empty, 'Azure operations, running and recent, newest first.').returns<
    OperationInfo[]
  >(),

  'operations.dismiss': method(
    z.object({ operationId: id('operationId') }).strict(),
    'Forgets a finished operation.',
  ).returns<void>(),
} as const;

/** Event payloads, Node side → UI. Names follow `onDid…` / `on…` like VS Code. */
export interface Events
  extends
    AppEvents,
    ConnectionEvents,
    TerminalEvents,
    PromptEvents,
    ForwardEvents,
    PoolEvents,
    AzureEvents {
  /** An Azure operation started, progressed or ended. */
  'operations.onDidChange': OperationInfo;
}

export const eventNames = [
  ...appEventNames,
  ...poolEventNames,
  ...connectionEventNames,
  ...terminalEventNames,
  ...forwardEventNames,
  ...promptEventNames,
  ...azureEventNames,
  'operations.onDidChange',
] as const satisfies readonly (keyof Events)[];

export type Methods = typeof methods;
export type MethodName = keyof Methods;
/** What a caller sends. */
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>;
/** What a handler receives, after validation. */
export type MethodParams<M extends MethodName> = z.output<Methods[M]['input']>;
export type MethodOutput<M extends MethodName> = Methods[M]['output'];
export type EventName = keyof Events;

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, name);
}

export function isEventName(name: string): name is EventName {
  return (eventNames as readonly string[]).includes(name);
}
