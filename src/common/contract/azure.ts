// Azure pools (admin): sign-in, finding and adding pools, creating one from the template, instance
// actions, scale, autoscale and deletion; long work comes back as a tracked operation, and every
// action can show its az equivalent first.
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
  PoolInfo,
} from '../models';
import { autoscaleSettingsSchema } from './autoscale';
import { empty, id, method, safeText } from './define';

export const azureMethods = {
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
        resourceGroup: id('resourceGroup').pipe(safeText()),
        poolName: id('poolName').pipe(safeText()),
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

  'azure.showInstances': method(
    z
      .object({
        poolId: id('poolId'),
        instanceIds: z.array(id('instanceId')).max(1000, 'at most 1000 instances'),
      })
      .strict(),
    "The instances of an Azure pool now on screen (the admin table's page, in its order): their SSH NAT ports are asked from Azure, a few at a time and cached per instance; the others' are not. An empty list: none is on screen.",
  ).returns<void>(),

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
          .min(0, 'the number of instances runs from 0 to 1000')
          .max(1000, 'the number of instances runs from 0 to 1000'),
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
          'activityPolicy',
        ]),
        instanceIds: z.array(id('instanceId')).max(1000).optional(),
        capacity: z.number().int().min(0).max(1000).optional(),
        protect: z.boolean().optional(),
        /** activityPolicy: the policy Activity… would save. */
        idleMinutes: z
          .number()
          .int()
          .min(5)
          .max(24 * 60)
          .optional(),
        idleStop: z.boolean().optional(),
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
    z.object({ poolId: id('poolId'), confirmName: z.string().max(200, 'is too long') }).strict(),
    "Deletes an Azure pool's resources; confirmName must be the pool's name.",
  ).returns<OperationInfo>(),

  'azure.importArticleParameters': method(
    z.object({ json: z.string().max(1_000_000, 'the file is over 1 MB') }).strict(),
    "Reads the article's ARM parameters file into pool parameters.",
  ).returns<ArticleImportResult>(),
} as const;

export interface AzureEvents {
  /** Signed in or out of Azure. */
  'azure.onDidChangeSignIn': AzureSignInStatus;
  /** Device code sign-in: show this to the user. */
  'azure.onDeviceCode': { message: string; userCode: string; verificationUri: string };
}

export const azureEventNames = [
  'azure.onDidChangeSignIn',
  'azure.onDeviceCode',
] as const satisfies readonly (keyof AzureEvents)[];
