// The api-versions the emulator serves, per resource type, and ARM's refusal of any other:
// 400 InvalidApiVersionParameter for ARM's own types, 400 NoRegisteredProviderFound for a
// resource provider's. The lists are what the real clients here send (the SDK packages in
// node_modules, resources/templates/pool.json, the app's raw calls) and what the official
// examples in shared/arm-examples use — never more than Azure serves (README: "api-versions").
import { ArmError } from './arm-error';
import { splitPath } from './arm-router';

/** Lower-case type → api-versions, newest first. */
const VERSIONS: Record<string, readonly string[]> = {
  // ARM itself (Microsoft.Resources): @azure/arm-resources 7 sends 2025-04-01; the app's
  // subscription list (src/core/azure/identity) sends 2022-12-01.
  'microsoft.resources/subscriptions': ['2022-12-01'],
  'microsoft.resources/tenants': ['2022-12-01'],
  'microsoft.resources/locations': ['2022-12-01'],
  'microsoft.resources/providers': ['2025-04-01'],
  'microsoft.resources/resourcegroups': ['2025-04-01'],
  'microsoft.resources/resources': ['2025-04-01'],
  // @azure/arm-resourcesdeployments 2 sends 2026-06-01; PutDeploymentResourceGroup.json 2025-04-01.
  'microsoft.resources/deployments': ['2026-06-01', '2025-04-01'],
  // @azure/arm-compute 24 sends 2026-03-01; pool.json and the VMSS examples use 2024-11-01.
  'microsoft.compute/virtualmachinescalesets': ['2026-03-01', '2024-11-01'],
  // A scale set's NICs are served by Microsoft.Network at its own (old) version:
  // @azure/arm-network 36 sends 2018-10-01 for them.
  'microsoft.compute/virtualmachinescalesets/networkinterfaces': ['2018-10-01'],
  'microsoft.compute/virtualmachinescalesets/virtualmachines/networkinterfaces': ['2018-10-01'],
  // @azure/arm-network 36 sends 2025-05-01; pool.json uses 2024-05-01.
  'microsoft.network/loadbalancers': ['2025-05-01', '2024-05-01'],
  'microsoft.network/publicipaddresses': ['2025-05-01', '2024-05-01'],
  'microsoft.network/networksecuritygroups': ['2025-05-01', '2024-05-01'],
  'microsoft.network/virtualnetworks': ['2025-05-01', '2024-05-01'],
  // @azure/arm-monitor 7 sends 2015-04-01; the app's raw calls, pool.json and the examples 2022-10-01.
  'microsoft.insights/autoscalesettings': ['2022-10-01', '2015-04-01'],
  // @azure/arm-storage 20 sends 2025-08-01; pool.json 2023-05-01; the FileShares examples 2024-01-01.
  'microsoft.storage/storageaccounts': ['2025-08-01', '2024-01-01', '2023-05-01'],
  'microsoft.storage/checknameavailability': ['2025-08-01', '2024-01-01', '2023-05-01'],
};

/** Namespaces the emulator knows: another type of theirs is unknown (InvalidResourceType). */
const PROVIDER_NAMESPACES = [
  'microsoft.compute',
  'microsoft.network',
  'microsoft.insights',
  'microsoft.storage',
];

export interface ApiVersionTarget {
  /** `Microsoft.Compute/virtualMachineScaleSets`, as written in the path. */
  type: string;
  /** The key in VERSIONS that serves it. */
  key: string;
  /** ARM's own type (Microsoft.Resources): refused with InvalidApiVersionParameter. */
  arm: boolean;
}

/**
 * Which type a request path addresses, for its api-version: the longest known type along the
 * path (`…/virtualMachineScaleSets/x/virtualMachines/0/start` → the scale set type), or
 * undefined for paths outside any known type (operation URLs, unknown namespaces).
 */
export function apiVersionTarget(path: string): ApiVersionTarget | undefined {
  const s = splitPath(path);
  const lower = s.map((x) => x.toLowerCase());
  const arm = (name: string, type = name): ApiVersionTarget => ({
    type: `Microsoft.Resources/${type}`,
    key: `microsoft.resources/${name.toLowerCase()}`,
    arm: true,
  });
  if (lower[0] === 'tenants') return arm('tenants');
  if (lower[0] !== 'subscriptions') return undefined;
  if (s.length <= 2) return arm('subscriptions');
  // Operation status and result URLs carry the api-version of the request that started them.
  if (['operationstatuses', 'operationresults'].includes(lower[2])) return undefined;
  if (lower[2] === 'locations' && s.length === 3) return arm('locations');
  if (lower[2] === 'resources') return arm('resources');
  if (lower[2] === 'providers') return providerTarget(s, lower, 2, arm);
  if (lower[2] !== 'resourcegroups') return undefined;
  if (s.length <= 4 || lower[4] === 'resources') {
    return arm(s.length <= 4 ? 'resourceGroups' : 'resources');
  }
  if (lower[4] !== 'providers') return undefined;
  return providerTarget(s, lower, 4, arm);
}

function providerTarget(
  s: string[],
  lower: string[],
  at: number,
  arm: (name: string) => ApiVersionTarget,
): ApiVersionTarget | undefined {
  const namespace = lower[at + 1];
  if (namespace === undefined) return arm('providers');
  if (namespace === 'microsoft.resources') {
    return lower[at + 2] === 'deployments' ? arm('deployments') : undefined;
  }
  if (!PROVIDER_NAMESPACES.includes(namespace)) return undefined;
  if (lower[at + 2] === undefined) return arm('providers');
  // Inside a type's operation URLs (…/locations/x/operations/id): the starting request's version.
  if (lower[at + 2] === 'locations') return undefined;
  let found: ApiVersionTarget | undefined;
  const types: string[] = [s[at + 1]];
  for (let i = at + 2; i < s.length; i += 2) {
    types.push(s[i]);
    const key = types.join('/').toLowerCase();
    if (VERSIONS[key]) found = { type: types.join('/'), key, arm: false };
  }
  return found;
}

/** The newest api-version of the type a path addresses (for raw test requests). */
export function defaultApiVersion(path: string): string | undefined {
  const target = apiVersionTarget(path);
  return target ? VERSIONS[target.key]?.[0] : undefined;
}

/** Every api-version the emulator serves for a type (lower-case key or `Ns/type`). */
export function supportedApiVersions(type: string): readonly string[] | undefined {
  return VERSIONS[type.toLowerCase()];
}

/**
 * Refuses an api-version the addressed type does not serve, as ARM does. `location` names the
 * region in NoRegisteredProviderFound (the resource's, the body's or the group's).
 */
export function checkApiVersion(
  path: string,
  apiVersion: string,
  location: () => string | undefined,
): void {
  const target = apiVersionTarget(path);
  if (!target) return;
  const versions = VERSIONS[target.key];
  if (!versions || versions.includes(apiVersion)) return;
  const list = versions.join(',');
  if (target.arm) {
    throw ArmError.badRequest(
      'InvalidApiVersionParameter',
      `The api-version '${apiVersion}' is invalid. The supported versions are '${list}'. ` +
        'Please go to https://aka.ms/api-versions for more information.',
    );
  }
  const shortType = target.type.split('/').slice(1).join('/');
  throw ArmError.badRequest(
    'NoRegisteredProviderFound',
    `No registered resource provider found for location '${location() ?? 'global'}' and API ` +
      `version '${apiVersion}' for type '${shortType}'. The supported api-versions are ` +
      `'${list}'. The supported locations are '${SUPPORTED_LOCATIONS.join(', ')}'.`,
  );
}

/** The regions every type here is served in (arm-routes' location list). */
export const SUPPORTED_LOCATIONS = [
  'westeurope',
  'northeurope',
  'swedencentral',
  'francecentral',
  'germanywestcentral',
  'uksouth',
  'eastus',
  'eastus2',
  'westus2',
  'westus',
  'southcentralus',
];
