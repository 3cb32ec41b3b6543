// Which Azure cloud the app talks to: ARM endpoint, sign-in authority and token scopes, from
// options or DSVM_POOL_ARM_ENDPOINT / DSVM_POOL_AUTHORITY_HOST (emulator, sovereign clouds).
import { ErrorCode, RpcError } from '../../../common/errors';

export interface AzureEnvironment {
  /** Azure Resource Manager, e.g. `https://management.azure.com` (no trailing slash). */
  resourceManagerEndpoint: string;
  /** Microsoft Entra sign-in host, e.g. `https://login.microsoftonline.com`. */
  authorityHost: string;
  /** Token scopes for ARM, e.g. `["https://management.azure.com/.default"]`. */
  scopes: string[];
  /**
   * MSAL's instance discovery always asks login.microsoftonline.com, which knows only Microsoft's
   * own clouds; any other authority (the emulator, a private Entra endpoint) must skip it.
   */
  disableInstanceDiscovery: boolean;
}

export const DEFAULT_RESOURCE_MANAGER_ENDPOINT = 'https://management.azure.com';
export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';

/** The environment variables that point the app elsewhere. */
export const AZURE_ENV_VARS = {
  resourceManagerEndpoint: 'DSVM_POOL_ARM_ENDPOINT',
  authorityHost: 'DSVM_POOL_AUTHORITY_HOST',
} as const;

/** Authorities MSAL's instance discovery knows (public, US Government, China clouds). */
const KNOWN_AUTHORITY_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
]);

export interface AzureEnvironmentOptions {
  resourceManagerEndpoint?: string;
  authorityHost?: string;
  scopes?: string[];
}

/**
 * Options win over environment variables, which win over the public cloud's defaults. The ARM
 * scope is derived from the endpoint (`<endpoint>/.default`), which is right for every cloud.
 */
export function resolveAzureEnvironment(
  options: AzureEnvironmentOptions = {},
  env: Record<string, string | undefined> = process.env,
): AzureEnvironment {
  const resourceManagerEndpoint = httpsOrigin(
    options.resourceManagerEndpoint ??
      nonEmpty(env[AZURE_ENV_VARS.resourceManagerEndpoint]) ??
      DEFAULT_RESOURCE_MANAGER_ENDPOINT,
    options.resourceManagerEndpoint !== undefined
      ? 'resourceManagerEndpoint'
      : AZURE_ENV_VARS.resourceManagerEndpoint,
  );
  const authorityHost = httpsOrigin(
    options.authorityHost ?? nonEmpty(env[AZURE_ENV_VARS.authorityHost]) ?? DEFAULT_AUTHORITY_HOST,
    options.authorityHost !== undefined ? 'authorityHost' : AZURE_ENV_VARS.authorityHost,
  );
  const scopes = options.scopes?.length
    ? [...options.scopes]
    : [`${resourceManagerEndpoint}/.default`];
  return {
    resourceManagerEndpoint,
    authorityHost,
    scopes,
    disableInstanceDiscovery: !KNOWN_AUTHORITY_HOSTS.has(new URL(authorityHost).hostname),
  };
}

/** Whether this is Microsoft's public cloud (the production default). */
export function isPublicCloud(environment: AzureEnvironment): boolean {
  return environment.resourceManagerEndpoint === DEFAULT_RESOURCE_MANAGER_ENDPOINT;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** `https://host[:port]` without path or trailing slash; anything else is refused. */
function httpsOrigin(value: string, source: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RpcError(
      ErrorCode.BadInput,
      `${source} must be an https address such as https://management.azure.com; not "${value}".`,
    );
  }
  // Tokens travel to these hosts: never over plain HTTP.
  if (url.protocol !== 'https:') {
    throw new RpcError(
      ErrorCode.BadInput,
      `${source} must use https (tokens are sent to it); not "${value}".`,
    );
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new RpcError(
      ErrorCode.BadInput,
      `${source} must be just the address, without a path; not "${value}" — try "${url.origin}".`,
    );
  }
  return url.origin;
}
