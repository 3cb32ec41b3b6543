// Azure RBAC for managed-identity tokens: a request is allowed only when a role assignment of the
// identity's principal, at the request's scope or above, grants a role whose actions cover the
// request's operation; else 403 AuthorizationFailed worded as ARM words it.
import { ArmError } from './arm-error';
import type { ResourceStore, StoredResource } from './resource-store';
import type { TokenClaims } from './token-issuer';

type Json = Record<string, unknown>;

/** Built-in roles the emulator knows by id (learn.microsoft.com, "Azure built-in roles"). */
const BUILT_IN_ROLES: Record<string, { actions: string[]; notActions: string[] }> = {
  // Owner
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': { actions: ['*'], notActions: [] },
  // Contributor
  'b24988ac-6180-42a0-ab88-20f7382dd24c': {
    actions: ['*'],
    notActions: [
      'Microsoft.Authorization/*/Delete',
      'Microsoft.Authorization/*/Write',
      'Microsoft.Authorization/elevateAccess/Action',
    ],
  },
  // Reader
  'acdd72a7-3385-48ef-bd42-f606fba81ae7': { actions: ['*/read'], notActions: [] },
};

/** The operation and scope of an ARM request, as RBAC names them. */
export interface RequestOperation {
  /** e.g. `Microsoft.Compute/virtualMachineScaleSets/virtualMachines/write` */
  action: string;
  /** The resource (or collection's parent) the request addresses. */
  scope: string;
}

/**
 * The RBAC operation of a request, or undefined for what RBAC does not check here (operation
 * status URLs, which carry no resource scope).
 */
export function requestOperation(method: string, path: string): RequestOperation | undefined {
  const segments = path.split('/').filter((s) => s !== '');
  const providerAt = segments.findIndex((s) => s.toLowerCase() === 'providers');
  const verb = (m: string) =>
    m === 'GET' || m === 'HEAD' ? 'read' : m === 'DELETE' ? 'delete' : 'write';
  if (providerAt < 0) {
    // ARM's own: subscriptions, resource groups, their resources listing, deployments.
    const types = segments.filter((_, i) => i % 2 === 0);
    const action =
      segments.length % 2 === 1 && method === 'POST'
        ? `Microsoft.Resources/${types.slice(0, -1).join('/')}/${types.at(-1)}/action`
        : `Microsoft.Resources/${types.join('/')}/${verb(method)}`;
    return {
      action,
      scope: `/${segments.slice(0, segments.length - (segments.length % 2)).join('/')}`,
    };
  }
  const namespace = segments[providerAt + 1];
  if (!namespace) return undefined;
  const rest = segments.slice(providerAt + 2);
  const types = rest.filter((_, i) => i % 2 === 0);
  if (types[0]?.toLowerCase() === 'locations' && /operation/i.test(types.at(-1) ?? '')) {
    return undefined; // polling an operation: not authorized by resource scope
  }
  const base = `/${segments.slice(0, providerAt + 2).join('/')}`;
  if (rest.length % 2 === 1 && method === 'POST') {
    const scope = `${base}/${rest.slice(0, -1).join('/')}`.replace(/\/$/, '');
    return {
      action: [namespace, ...types.slice(0, -1), types.at(-1), 'action'].join('/'),
      scope,
    };
  }
  // A collection (GET of a list) reads the type listed; its scope is the parent.
  const scope =
    rest.length % 2 === 1 ? `${base}/${rest.slice(0, -1).join('/')}`.replace(/\/$/, '') : path;
  return { action: [namespace, ...types, verb(method)].join('/'), scope };
}

/** Whether an RBAC action pattern (`*`, `Microsoft.Compute/*`, a star then `/read`) covers an action. */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return re.test(action);
}

/** Whether `scope` is `parent` or below it (ids compare case-insensitively). */
function within(scope: string, parent: string): boolean {
  const s = scope.toLowerCase().replace(/\/+$/, '');
  const p = parent.toLowerCase().replace(/\/+$/, '');
  return s === p || s.startsWith(`${p}/`);
}

/** The role definition a role assignment names: a built-in one, or a custom one stored. */
function roleOf(
  store: ResourceStore,
  roleDefinitionId: string,
): { actions: string[]; notActions: string[] } | undefined {
  const guid = roleDefinitionId.split('/').pop()?.toLowerCase() ?? '';
  if (BUILT_IN_ROLES[guid]) return BUILT_IN_ROLES[guid];
  // A custom role's id is subscription-scoped; a template may have deployed it by its group.
  const custom = store
    .all()
    .find(
      (r) =>
        r.type.toLowerCase() === 'microsoft.authorization/roledefinitions' &&
        r.name.toLowerCase() === guid,
    );
  if (!custom) return undefined;
  const props = obj(custom.body.properties);
  const actions: string[] = [];
  const notActions: string[] = [];
  for (const permission of arr(props.permissions)) {
    actions.push(...arr(permission.actions).map(String));
    notActions.push(...arr(permission.notActions).map(String));
  }
  return { actions, notActions };
}

/** Role assignments of a principal, with their scope (the id before `/providers/Microsoft.Authorization`). */
export function assignmentsOf(store: ResourceStore, principalId: string): StoredResource[] {
  return store
    .all()
    .filter(
      (r) =>
        r.type.toLowerCase() === 'microsoft.authorization/roleassignments' &&
        String(obj(r.body.properties).principalId ?? '').toLowerCase() ===
          principalId.toLowerCase(),
    );
}

function assignmentScope(assignment: StoredResource): string {
  const at = assignment.id.toLowerCase().lastIndexOf('/providers/microsoft.authorization/');
  return at >= 0 ? assignment.id.slice(0, at) : assignment.id;
}

/**
 * Throws ARM's 403 AuthorizationFailed unless one of the principal's role assignments covers the
 * request. Only managed-identity tokens (`xms_mirid`) are checked (see README).
 */
export function authorizeManagedIdentity(
  store: ResourceStore,
  claims: TokenClaims,
  method: string,
  path: string,
): void {
  const operation = requestOperation(method, path);
  if (!operation) return;
  for (const assignment of assignmentsOf(store, claims.oid)) {
    if (!within(operation.scope, assignmentScope(assignment))) continue;
    const role = roleOf(store, String(obj(assignment.body.properties).roleDefinitionId ?? ''));
    if (!role) continue;
    const allowed =
      role.actions.some((a) => actionMatches(a, operation.action)) &&
      !role.notActions.some((a) => actionMatches(a, operation.action));
    if (allowed) return;
  }
  throw new ArmError(
    403,
    'AuthorizationFailed',
    `The client '${claims.appid}' with object id '${claims.oid}' does not have authorization to ` +
      `perform action '${operation.action}' over scope '${operation.scope}' or the scope is ` +
      'invalid. If access was recently granted, please refresh your credentials.',
  );
}

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function arr(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}
