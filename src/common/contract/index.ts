// The one contract between the UI and the Node side: every method (zod input schema, output
// type) and every event. Both transports (MessagePort, WebSocket) carry exactly this.
//
// To add a method: add an entry to `methods` below with its input schema and `.returns<T>()`,
// then implement it in `src/core/app-handlers.ts` (the compiler lists what is missing).
import { z } from 'zod';
import type {
  ArticleImportResult,
  AutoscalePreview,
  AutoscaleView,
  AzCommand,
  AzurePoolSummary,
  AzureResourceGroup,
  AzureSignInStatus,
  AzureSubscription,
  OperationInfo,
  ShareCheck,
  StorageInfo,
  TeamInfo,
  PoolInfo,
} from '../models';
import { autoscaleSettingsSchema } from './autoscale';
export { autoscaleSettingsSchema } from './autoscale';
import { empty, id, method } from './define';
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

  // --- Azure pools (admin) -----------------------------------------------------------------------

  'azure.status': method(
    empty,
    'Whether the app is signed in to Azure, and as whom.',
  ).returns<AzureSignInStatus>(),

  'azure.signIn': method(
    z
      .object({
        kind: z.enum(['cli', 'browser', 'device-code', 'environment']),
        tenantId: id('tenantId').optional(),
      })
      .strict(),
    'Signs in to Azure (no secret ever travels here; device code instructions come as azure.onDeviceCode).',
  ).returns<AzureSignInStatus>(),

  'azure.signOut': method(empty, 'Forgets the Azure account and its tokens.').returns<void>(),

  'azure.listSubscriptions': method(empty, 'The subscriptions the account can see.').returns<
    AzureSubscription[]
  >(),

  'azure.listResourceGroups': method(
    z.object({ subscriptionId: id('subscriptionId') }).strict(),
    'The resource groups of a subscription.',
  ).returns<AzureResourceGroup[]>(),

  'azure.listPools': method(
    z.object({ subscriptionId: id('subscriptionId') }).strict(),
    'The pools (tagged scale sets) of a subscription.',
  ).returns<AzurePoolSummary[]>(),

  'azure.addPool': method(
    z
      .object({
        subscriptionId: id('subscriptionId'),
        resourceGroup: id('resourceGroup'),
        poolName: id('poolName'),
      })
      .strict(),
    'Adds an existing Azure pool to the app (remembered in settings).',
  ).returns<PoolInfo>(),

  'azure.validatePool': method(
    z
      .object({
        parameters: z.record(z.string(), z.unknown()),
        /** Where it would go, for exact az commands; default subscription and `<pool>-rg`. */
        subscriptionId: id('subscriptionId').optional(),
        resourceGroup: id('resourceGroup').optional(),
        createResourceGroup: z.boolean().optional(),
      })
      .strict(),
    "Checks a new pool's parameters; returns warnings and the az commands that would create it.",
  ).returns<{ warnings: string[]; az: AzCommand[] }>(),

  'azure.createPool': method(
    z
      .object({
        subscriptionId: id('subscriptionId'),
        resourceGroup: id('resourceGroup'),
        createResourceGroup: z.boolean().default(false),
        parameters: z.record(z.string(), z.unknown()),
      })
      .strict(),
    'Creates a pool from the template; the pool is added to the app when it succeeds.',
  ).returns<OperationInfo>(),

  'azure.instanceAction': method(
    z
      .object({
        poolId: id('poolId'),
        action: z.enum(['start', 'deallocate', 'restart', 'delete']),
        instanceIds: z.array(id('instanceId')).min(1, 'name at least one instance').max(1000),
      })
      .strict(),
    'Starts, stops (deallocates), restarts or deletes instances of an Azure pool.',
  ).returns<OperationInfo>(),

  'azure.setScaleInProtection': method(
    z.object({ poolId: id('poolId'), instanceId: id('instanceId'), protect: z.boolean() }).strict(),
    'Protects an instance from scale-in, or lifts the protection.',
  ).returns<OperationInfo>(),

  'azure.scale': method(
    z
      .object({
        poolId: id('poolId'),
        capacity: z
          .number()
          .int()
          .min(0, 'capacity runs from 0 to 1000')
          .max(1000, 'capacity runs from 0 to 1000'),
      })
      .strict(),
    "Sets an Azure pool's number of instances.",
  ).returns<OperationInfo>(),

  'azure.previewAz': method(
    z
      .object({
        poolId: id('poolId'),
        action: z.enum([
          'start',
          'deallocate',
          'restart',
          'delete',
          'scale',
          'stopAll',
          'protect',
          'deletePool',
          'repairAgent',
        ]),
        instanceIds: z.array(id('instanceId')).max(1000).optional(),
        capacity: z.number().int().min(0).max(1000).optional(),
        protect: z.boolean().optional(),
      })
      .strict(),
    'The az commands an admin action would run, to show before it runs.',
  ).returns<AzCommand[]>(),

  'azure.stopAll': method(
    z.object({ poolId: id('poolId') }).strict(),
    'Deallocates every instance of an Azure pool.',
  ).returns<OperationInfo>(),

  'azure.getAutoscale': method(
    z.object({ poolId: id('poolId') }).strict(),
    "An Azure pool's autoscale setting (the one that targets its scale set, ours or portal-made) as an editable model, with notes and the time zones a schedule may use.",
  ).returns<AutoscaleView>(),

  'azure.previewAutoscale': method(
    z.object({ poolId: id('poolId'), settings: autoscaleSettingsSchema }).strict(),
    'Checks an edited autoscale setting without saving it: problems per field, notes, and the az commands a save amounts to.',
  ).returns<AutoscalePreview>(),

  'azure.setAutoscale': method(
    z.object({ poolId: id('poolId'), settings: autoscaleSettingsSchema }).strict(),
    'Saves an edited autoscale setting; what the app does not show (notifications, other profiles, portal-made names) is kept as it is.',
  ).returns<OperationInfo>(),

  'azure.deletePool': method(
    z.object({ poolId: id('poolId'), confirmName: z.string().max(200) }).strict(),
    "Deletes an Azure pool's resources; confirmName must be the pool's name.",
  ).returns<OperationInfo>(),

  'azure.importArticleParameters': method(
    z.object({ json: z.string().max(1_000_000, 'the file is over 1 MB') }).strict(),
    "Reads the article's ARM parameters file into pool parameters.",
  ).returns<ArticleImportResult>(),

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
  extends AppEvents, ConnectionEvents, TerminalEvents, PromptEvents, ForwardEvents, PoolEvents {
  /** Signed in or out of Azure. */
  'azure.onDidChangeSignIn': AzureSignInStatus;
  /** Device code sign-in: show this to the user. */
  'azure.onDeviceCode': { message: string; userCode: string; verificationUri: string };
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
  'azure.onDidChangeSignIn',
  'azure.onDeviceCode',
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
