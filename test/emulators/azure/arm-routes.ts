// ARM's own routes: subscriptions, tenants, locations, resource groups, operation status/result
// URLs, and the generic resource routes that dispatch to a type's provider.
import { ArmError } from './arm-error';
import type { ArmRequest, ArmResponse, ArmRouter } from './arm-router';
import { queryParam, splitPath } from './arm-router';
import type { AsyncOperation } from './async-operations';
import type { DeploymentService } from './deployment-service';
import type { EmulatorContext } from './emulator-context';
import { acceptOperation, providerScope } from './lro';
import { buildResourceId, parseResourceId } from './resource-ids';
import type { ResourceGroup, StoredResource, Subscription } from './resource-store';

type Json = Record<string, unknown>;

const SUB = '/subscriptions/{subscriptionId}';
const RG = `${SUB}/resourceGroups/{resourceGroupName}`;
const LOCATIONS: [string, string][] = [
  ['westeurope', 'West Europe'],
  ['northeurope', 'North Europe'],
  ['swedencentral', 'Sweden Central'],
  ['francecentral', 'France Central'],
  ['germanywestcentral', 'Germany West Central'],
  ['uksouth', 'UK South'],
  ['eastus', 'East US'],
  ['eastus2', 'East US 2'],
  ['westus2', 'West US 2'],
  ['westus', 'West US'],
  ['southcentralus', 'South Central US'],
];

export function registerArmRoutes(
  router: ArmRouter,
  ctx: EmulatorContext,
  deployments: DeploymentService,
): void {
  const { store } = ctx;

  router.add('GET', '/subscriptions', () => {
    const value = [...store.subscriptions.values()].map(subscriptionView);
    return { status: 200, body: { value, count: { type: 'Total', value: value.length } } };
  });
  router.add('GET', SUB, (req) => ({
    status: 200,
    body: subscriptionView(store.subscription(req.params.subscriptionId)),
  }));
  router.add('GET', '/tenants', () => ({
    status: 200,
    body: {
      value: [...new Set([...store.subscriptions.values()].map((s) => s.tenantId))].map(
        (tenantId) => ({
          id: `/tenants/${tenantId}`,
          tenantId,
          tenantCategory: 'Home',
          displayName: 'Azure emulator tenant',
          defaultDomain: 'emulator.onmicrosoft.com',
        }),
      ),
    },
  }));
  router.add('GET', `${SUB}/locations`, (req) => {
    store.subscription(req.params.subscriptionId);
    return {
      status: 200,
      body: {
        value: LOCATIONS.map(([name, displayName]) => ({
          id: `/subscriptions/${req.params.subscriptionId}/locations/${name}`,
          name,
          type: 'Region',
          displayName,
          regionalDisplayName: displayName,
          metadata: { regionType: 'Physical', regionCategory: 'Recommended' },
        })),
      },
    };
  });
  router.add('GET', `${SUB}/providers`, (req) => {
    store.subscription(req.params.subscriptionId);
    return {
      status: 200,
      body: {
        value: [
          'Microsoft.Compute',
          'Microsoft.Network',
          'Microsoft.Insights',
          'Microsoft.Resources',
        ].map((ns) => providerView(req.params.subscriptionId, ns)),
      },
    };
  });
  router.add('GET', `${SUB}/providers/{namespace}`, (req) => ({
    status: 200,
    body: providerView(req.params.subscriptionId, req.params.namespace),
  }));
  router.add('POST', `${SUB}/providers/{namespace}/register`, (req) => ({
    status: 200,
    body: providerView(req.params.subscriptionId, req.params.namespace),
  }));

  // Operation status (Azure-AsyncOperation) and result (Location) URLs.
  const status = (req: ArmRequest): ArmResponse => {
    const operation = ctx.operations.get(req.params.operationId);
    if (!operation) throw operationNotFound(req.params.operationId);
    // ARM's status answers say when to ask again, as its 201/202 did.
    return {
      status: 200,
      headers: { 'Retry-After': String(ctx.retryAfterSeconds) },
      body: ctx.operations.statusBody(operation),
    };
  };
  const result = (req: ArmRequest): ArmResponse => {
    const operation = ctx.operations.get(req.params.operationId);
    if (!operation) throw operationNotFound(req.params.operationId);
    return resultResponse(ctx, req, operation);
  };
  router.add(
    'GET',
    `${SUB}/providers/{namespace}/locations/{location}/operations/{operationId}`,
    status,
  );
  router.add(
    'GET',
    `${SUB}/providers/{namespace}/locations/{location}/operationResults/{operationId}`,
    result,
  );
  router.add('GET', `${SUB}/operationStatuses/{operationId}`, status);
  router.add('GET', `${SUB}/operationresults/{operationId}`, result);
  const deploymentOps = `${RG}/providers/Microsoft.Resources/deployments/{deploymentName}`;
  router.add('GET', `${deploymentOps}/operationStatuses/{operationId}`, status);
  router.add('GET', `${deploymentOps}/operationResults/{operationId}`, result);

  // Resource groups.
  router.add('GET', `${SUB}/resourceGroups`, (req) => {
    store.subscription(req.params.subscriptionId);
    return {
      status: 200,
      body: { value: store.listGroups(req.params.subscriptionId).map(groupView) },
    };
  });
  router.add(['GET', 'HEAD'], RG, (req) => {
    if (req.method === 'HEAD') {
      store.subscription(req.params.subscriptionId);
      return {
        status: store.findGroup(req.params.subscriptionId, req.params.resourceGroupName)
          ? 204
          : 404,
      };
    }
    return {
      status: 200,
      body: groupView(store.group(req.params.subscriptionId, req.params.resourceGroupName)),
    };
  });
  router.add('PUT', RG, (req) => {
    const body = obj(req.body);
    if (typeof body.location !== 'string' || body.location === '') {
      throw ArmError.badRequest(
        'LocationRequired',
        'The location property is required for this definition.',
      );
    }
    const existing = store.findGroup(req.params.subscriptionId, req.params.resourceGroupName);
    if (existing?.provisioningState === 'Deleting') {
      throw new ArmError(
        409,
        'ResourceGroupBeingDeleted',
        `The resource group '${existing.name}' is in deprovisioning state and cannot perform this operation.`,
      );
    }
    const { group, created } = store.putGroup(
      req.params.subscriptionId,
      req.params.resourceGroupName,
      body.location,
      body.tags as Record<string, string> | undefined,
      body.managedBy as string | undefined,
    );
    return { status: created ? 201 : 200, body: groupView(group) };
  });
  router.add('PATCH', RG, (req) => {
    const group = store.group(req.params.subscriptionId, req.params.resourceGroupName);
    const body = obj(req.body);
    if (body.tags !== undefined) group.tags = body.tags as Record<string, string>;
    return { status: 200, body: groupView(group) };
  });
  router.add('DELETE', RG, (req) => {
    const group = store.group(req.params.subscriptionId, req.params.resourceGroupName);
    group.provisioningState = 'Deleting';
    const fault = ctx.faults.takeOperationFault(req.method, req.path);
    const done = (async () => {
      // Children go with their parents; delete top-level resources, scale sets included.
      const resources = store
        .list(group.subscriptionId, group.name)
        .filter((r) => r.type.split('/').length === 2);
      await Promise.all(resources.map((r) => ctx.provider(r.type).delete(r)));
      await ctx.scheduler.delay(ctx.delays.resource);
      if (fault) {
        group.provisioningState = 'Succeeded';
        throw new ArmError(500, fault.code, fault.message);
      }
      for (const r of store.list(group.subscriptionId, group.name)) store.remove(r.id);
      deployments.removeGroup(group.subscriptionId, group.name);
      store.removeGroup(group);
    })();
    return acceptOperation(
      ctx,
      req,
      { kind: 'subscription', subscriptionId: group.subscriptionId },
      done,
      {
        status: 202,
        location: true,
        asyncOperation: false,
      },
    ).response;
  });
  router.add('GET', `${RG}/resources`, (req) => {
    const group = store.group(req.params.subscriptionId, req.params.resourceGroupName);
    return { status: 200, body: { value: listResources(ctx, group.subscriptionId, group.name) } };
  });
  router.add('GET', `${SUB}/resources`, (req) => {
    store.subscription(req.params.subscriptionId);
    return { status: 200, body: { value: listResources(ctx, req.params.subscriptionId) } };
  });

  // Any resource by type: dispatched to its provider (generic for unknown types).
  router.add(
    ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE'],
    `${RG}/providers/{namespace}/{*rest}`,
    (req) => resourceRoute(ctx, req),
  );
  router.add('GET', `${SUB}/providers/{namespace}/{type}`, (req) => {
    store.subscription(req.params.subscriptionId);
    const type = `${req.params.namespace}/${req.params.type}`;
    const provider = ctx.provider(type);
    const value = store
      .list(req.params.subscriptionId, undefined, type)
      .map((r) => provider.view(r, req.query));
    return { status: 200, body: { value } };
  });
}

async function resourceRoute(ctx: EmulatorContext, req: ArmRequest): Promise<ArmResponse> {
  const { store } = ctx;
  const { subscriptionId, resourceGroupName, namespace } = req.params;
  const rest = splitPath(req.params.rest);
  const group = store.group(subscriptionId, resourceGroupName);
  if (rest.length % 2 === 1) {
    // A collection: `.../providers/Ns/type` or `.../type/name/childType`.
    if (req.method !== 'GET')
      throw new ArmError(405, 'MethodNotAllowed', `${req.method} is not allowed on a collection.`);
    const types = rest.filter((_, i) => i % 2 === 0);
    const names = rest.filter((_, i) => i % 2 === 1);
    const type = [namespace, ...types].join('/');
    const prefix = names.length
      ? buildResourceId(
          group.subscriptionId,
          group.name,
          [namespace, ...types.slice(0, -1)].join('/'),
          names,
        ).toLowerCase()
      : '';
    const provider = ctx.provider(type);
    const value = store
      .list(group.subscriptionId, group.name, type)
      .filter((r) => r.id.toLowerCase().startsWith(prefix))
      .map((r) => provider.view(r, req.query));
    return { status: 200, body: { value } };
  }
  const parts = parseResourceId(req.path);
  if (!parts)
    throw ArmError.badRequest('InvalidResourceId', `'${req.path}' is not a valid resource id.`);
  const provider = ctx.provider(parts.type);
  const resource = store.get(req.path);
  switch (req.method) {
    case 'HEAD':
      return { status: resource ? 204 : 404 };
    case 'GET': {
      if (!resource) throw ArmError.notFound(parts.type, parts.names.join('/'), group.name);
      return { status: 200, body: provider.view(resource, req.query) };
    }
    case 'PUT': {
      const body = obj(req.body);
      const fault = ctx.faults.takeOperationFault(req.method, req.path);
      const apiVersion = queryParam(req.query, 'api-version') ?? '';
      const result = provider.put({ id: req.path, parts, body, apiVersion, fault });
      const status = result.created ? 201 : 200;
      if (!provider.longRunning) return { status, body: result.view };
      return acceptOperation(
        ctx,
        req,
        providerScope(
          group.subscriptionId,
          parts.namespace,
          resource?.location ?? (body.location as string | undefined),
        ),
        result.done,
        {
          status,
          body: result.view,
        },
      ).response;
    }
    case 'PATCH': {
      if (!resource) throw ArmError.notFound(parts.type, parts.names.join('/'), group.name);
      const fault = ctx.faults.takeOperationFault(req.method, req.path);
      const result = provider.patch
        ? provider.patch(resource, obj(req.body), fault)
        : defaultPatch(ctx, resource, obj(req.body));
      if (!provider.longRunningPatch) {
        await result.done;
        return { status: 200, body: provider.view(resource, req.query) };
      }
      return acceptOperation(
        ctx,
        req,
        providerScope(group.subscriptionId, parts.namespace, resource.location),
        result.done,
        {
          status: 200,
          body: result.view,
        },
      ).response;
    }
    case 'DELETE': {
      if (!resource) return { status: 204 };
      provider.checkDelete?.(resource);
      const fault = ctx.faults.takeOperationFault(req.method, req.path);
      const done = provider.delete(resource, fault);
      if (!provider.longRunning) {
        await done;
        return { status: 200 };
      }
      return acceptOperation(
        ctx,
        req,
        providerScope(group.subscriptionId, parts.namespace, resource.location),
        done,
        {
          status: 202,
          location: true,
        },
      ).response;
    }
    default:
      throw new ArmError(405, 'MethodNotAllowed', `${req.method} is not allowed here.`);
  }
}

function defaultPatch(ctx: EmulatorContext, resource: StoredResource, body: Json) {
  if (body.tags !== undefined) resource.body.tags = body.tags;
  ctx.store.touch(resource);
  return { created: false, view: undefined, done: Promise.resolve() };
}

/** What a Location URL answers: 202 while running, then the result or the error. */
function resultResponse(
  ctx: EmulatorContext,
  req: ArmRequest,
  operation: AsyncOperation,
): ArmResponse {
  if (operation.status === 'InProgress') {
    const query = new URLSearchParams(req.query);
    return {
      status: 202,
      headers: {
        Location: `${req.origin}${req.path}?${query.toString()}`,
        'Retry-After': String(ctx.retryAfterSeconds),
      },
    };
  }
  // Every polling answer carries Retry-After, the final one too (the client stops anyway).
  const headers = { 'Retry-After': String(ctx.retryAfterSeconds) };
  if (operation.status === 'Failed' && operation.error) {
    return { status: operation.errorStatus ?? 500, headers, body: { error: operation.error } };
  }
  if (operation.status === 'Canceled') {
    return {
      status: 409,
      headers,
      body: { error: { code: 'OperationCanceled', message: 'The operation was canceled.' } },
    };
  }
  const value = operation.result?.();
  return value === undefined ? { status: 200, headers } : { status: 200, headers, body: value };
}

function listResources(
  ctx: EmulatorContext,
  subscriptionId: string,
  resourceGroup?: string,
): Json[] {
  return ctx.store
    .list(subscriptionId, resourceGroup)
    .filter((r) => r.type.split('/').length === 2)
    .map((r) => {
      const view: Json = { id: r.id, name: r.name, type: r.type };
      for (const key of [
        'location',
        'tags',
        'sku',
        'kind',
        'identity',
        'zones',
        'plan',
        'managedBy',
      ]) {
        if (r.body[key] !== undefined) view[key] = r.body[key];
      }
      return view;
    });
}

function subscriptionView(s: Subscription): Json {
  return {
    id: `/subscriptions/${s.subscriptionId}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: s.subscriptionId,
    tenantId: s.tenantId,
    displayName: s.displayName,
    state: 'Enabled',
    subscriptionPolicies: {
      locationPlacementId: 'Public_2014-09-01',
      quotaId: 'PayAsYouGo_2014-09-01',
      spendingLimit: 'Off',
    },
  };
}

function groupView(g: ResourceGroup): Json {
  const view: Json = {
    id: g.id,
    name: g.name,
    type: 'Microsoft.Resources/resourceGroups',
    location: g.location,
  };
  if (g.tags) view.tags = g.tags;
  if (g.managedBy) view.managedBy = g.managedBy;
  view.properties = { provisioningState: g.provisioningState };
  return view;
}

function providerView(subscriptionId: string, namespace: string): Json {
  return {
    id: `/subscriptions/${subscriptionId}/providers/${namespace}`,
    namespace,
    registrationState: 'Registered',
    registrationPolicy: 'RegistrationRequired',
    resourceTypes: [],
  };
}

function operationNotFound(id: string): ArmError {
  return new ArmError(404, 'OperationNotFound', `The operation '${id}' was not found.`);
}

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}
