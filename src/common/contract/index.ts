// The one contract between the UI and the Node side: every method (zod input schema, output
// type) and every event. Both transports (MessagePort, WebSocket) carry exactly this.
//
// To add a method: add an entry to `methods` below with its input schema and `.returns<T>()`,
// then implement it in `src/core/app-handlers.ts` (the compiler lists what is missing).
import { z } from 'zod';
import type { OperationInfo, ShareCheck, StorageInfo, TeamInfo } from '../models';
export { autoscaleSettingsSchema } from './autoscale';
import { empty, id, method } from './define';
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

  // --- The team and the share (DESIGN.md §7) ------------------------------------------------

  'team.list': method(
    z.object({ poolId: id('poolId') }).strict(),
    "The pool's team: the members in its share's registry (.pool/users.json).",
  ).returns<TeamInfo>(),

  'team.add': method(
    z
      .object({
        poolId: id('poolId'),
        name: z.string().max(64, 'name: at most 32 characters'),
        sshKeys: z.array(z.string().max(16_384)).max(64, 'at most 64 keys per member'),
        admin: z.boolean().optional(),
        /** Replace the member of the same name (edit) instead of refusing. */
        replace: z.boolean().optional(),
      })
      .strict(),
    'Adds (or, with replace, edits) a member; within one agent cycle they can sign in on every VM.',
  ).returns<TeamInfo>(),

  'team.remove': method(
    z.object({ poolId: id('poolId'), name: z.string().max(64) }).strict(),
    'Removes a member: the agents lock their account and remove their keys; their files stay.',
  ).returns<TeamInfo>(),

  'share.check': method(
    z.object({ connectionId: id('connectionId') }).strict(),
    'Whether the share is mounted on the connected instance and ~/notebooks/remote points at your folder.',
  ).returns<ShareCheck>(),

  'share.fix': method(
    z.object({ connectionId: id('connectionId') }).strict(),
    "Asks the instance's agent to re-apply now (mount, links), then checks again.",
  ).returns<ShareCheck>(),

  'storage.info': method(
    z.object({ poolId: id('poolId') }).strict(),
    "The pool's share: usage, quota and each member's folder size.",
  ).returns<StorageInfo>(),

  'storage.setQuota': method(
    z
      .object({
        poolId: id('poolId'),
        quotaGiB: z
          .number()
          .int('quota: a whole number of GiB')
          .min(1, 'quota: at least 1 GiB')
          .max(102_400, 'quota: at most 102,400 GiB (100 TiB)'),
      })
      .strict(),
    "Sets the share's quota (GiB).",
  ).returns<StorageInfo>(),

  // --- The agent on the instances (src/agent) -------------------------------------------------

  'agent.install': method(
    z
      .object({
        poolId: id('poolId'),
        /** Omit for every instance (host) of the pool. */
        instanceIds: z
          .array(id('instanceId'))
          .min(1, 'name at least one instance')
          .max(1000)
          .optional(),
      })
      .strict(),
    "Installs or repairs the pool agent over SSH (SFTP upload, sudo) on instances of an Azure or ssh-hosts pool: a tracked operation; an SMB share's key is asked for (ssh-hosts) or read from Azure, never stored.",
  ).returns<OperationInfo>(),

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
