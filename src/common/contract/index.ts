// The one contract between the UI and the Node side: every method (zod input schema, output
// type) and every event. Both transports (MessagePort, WebSocket) carry exactly this.
//
// Each domain has its own file here: its methods (`<domain>Methods`), then its events
// (`<Domain>Events` and `<domain>EventNames`). This file composes them into the one `methods`,
// `Events` and `eventNames` that every side imports as `common/contract`.
//
//   app.ts          app.info, app.resources, app.startView, app.setLastView, app.onDidRequest*
//   pools.ts        pools.*, sshConfig.list, sandbox.dropConnections, keys.*; the ssh-hosts schemas
//   connections.ts  connections.*
//   terminals.ts    terminals.*
//   prompts.ts      prompts.*
//   jupyter.ts      jupyter.open
//   forwards.ts     forwards.*
//   azure.ts        azure.*; autoscale.ts holds the autoscale setting's schema
//   team.ts         team.*, share.*, storage.*
//   agent.ts        agent.install
//   scaling.ts      scaling.history (why did / didn't the pool scale)
//   activity.ts     activity.* (the pool's idle policy on the share, Keep this VM)
//   diagnostics.ts  diagnostics.run, diagnostics.onDidUpdate (Test connection)
//   operations.ts   operations.*
//   updates.ts      updates.* (the app's own updates)
//   openssh.ts      openssh.* (the app's ssh config file, VS Code), hostKeys.replace
//   notifications.ts notifications.* (what deserves a notification, and the setting per kind)
//   define.ts       method() and the small schemas the others share (ids, ports, no input)
//
// To add a method: add an entry to its domain's `…Methods` with its input schema and
// `.returns<T>()` (a new domain: a new file, spread into `methods` below), then implement it in
// `src/core/app-handlers.ts` (the compiler lists what is missing).
import type { z } from 'zod';
import { activityMethods } from './activity';
import { agentMethods } from './agent';
import { appEventNames, appMethods, type AppEvents } from './app';
import { azureEventNames, azureMethods, type AzureEvents } from './azure';
import { connectionEventNames, connectionMethods, type ConnectionEvents } from './connections';
import { diagnosticsEventNames, diagnosticsMethods, type DiagnosticsEvents } from './diagnostics';
import { forwardEventNames, forwardMethods, type ForwardEvents } from './forwards';
import { jupyterMethods } from './jupyter';
import { opensshMethods } from './openssh';
import {
  notificationEventNames,
  notificationMethods,
  type NotificationEvents,
} from './notifications';
import { operationEventNames, operationMethods, type OperationEvents } from './operations';
import { poolEventNames, poolMethods, type PoolEvents } from './pools';
import { promptEventNames, promptMethods, type PromptEvents } from './prompts';
import { scalingMethods } from './scaling';
import { teamMethods } from './team';
import { terminalEventNames, terminalMethods, type TerminalEvents } from './terminals';
import { updateEventNames, updateMethods, type UpdateEvents } from './updates';

export type { AppResources } from './app';
export { autoscaleSettingsSchema } from './autoscale';
export { sshHostSchema, sshPoolShareSchema } from './pools';
export { SCROLLBACK_LINES, SCROLLBACK_RULE, scrollbackSchema } from './terminals';

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
  ...scalingMethods,
  ...activityMethods,
  ...operationMethods,
  ...diagnosticsMethods,
  ...updateMethods,
  ...opensshMethods,
  ...notificationMethods,
} as const;

/** Event payloads, Node side → UI. Names follow `onDid…` / `on…` like VS Code. */
export interface Events
  extends
    AppEvents,
    PoolEvents,
    ConnectionEvents,
    TerminalEvents,
    ForwardEvents,
    PromptEvents,
    AzureEvents,
    OperationEvents,
    DiagnosticsEvents,
    UpdateEvents,
    NotificationEvents {}

export const eventNames = [
  ...appEventNames,
  ...poolEventNames,
  ...connectionEventNames,
  ...terminalEventNames,
  ...forwardEventNames,
  ...promptEventNames,
  ...azureEventNames,
  ...operationEventNames,
  ...diagnosticsEventNames,
  ...updateEventNames,
  ...notificationEventNames,
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
