// ARM resource ids: parsed into subscription, group, provider namespace, types and names, and
// built back with one canonical casing.

export interface ResourceIdParts {
  subscriptionId: string;
  resourceGroup: string;
  /** `Microsoft.Network` */
  namespace: string;
  /** `['loadBalancers', 'inboundNatRules']` */
  types: string[];
  /** `['myLb', 'ssh']` */
  names: string[];
  /** `Microsoft.Network/loadBalancers/inboundNatRules` */
  type: string;
  /** The last name: `ssh` */
  name: string;
}

/** Parses a resource-group-scoped id; undefined for anything else. */
export function parseResourceId(id: string): ResourceIdParts | undefined {
  const segments = id.split('/').filter((s) => s !== '');
  if (
    segments.length < 8 ||
    segments[0].toLowerCase() !== 'subscriptions' ||
    segments[2].toLowerCase() !== 'resourcegroups' ||
    segments[4].toLowerCase() !== 'providers'
  ) {
    return undefined;
  }
  const rest = segments.slice(6);
  if (rest.length % 2 !== 0) return undefined;
  const types = rest.filter((_, i) => i % 2 === 0);
  const names = rest.filter((_, i) => i % 2 === 1);
  return {
    subscriptionId: segments[1],
    resourceGroup: segments[3],
    namespace: segments[5],
    types,
    names,
    type: [segments[5], ...types].join('/'),
    name: names[names.length - 1],
  };
}

/** `/subscriptions/s/resourceGroups/g/providers/Ns/t1/n1/t2/n2` */
export function buildResourceId(
  subscriptionId: string,
  resourceGroup: string,
  type: string,
  names: string[],
): string {
  const [namespace, ...types] = type.split('/');
  const pairs = types.flatMap((t, i) => [t, names[i]]);
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${namespace}/${pairs.join('/')}`;
}

export function resourceGroupId(subscriptionId: string, resourceGroup: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
}

/** Ids compare case-insensitively in ARM. */
export function idKey(id: string): string {
  return id.toLowerCase().replace(/\/+$/, '');
}

export function sameId(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && idKey(a) === idKey(b);
}

/** `West Europe` → `westeurope`: how ARM normalizes a location on most resources. */
export function normalizeLocation(location: string): string {
  return location.toLowerCase().replace(/\s+/g, '');
}
