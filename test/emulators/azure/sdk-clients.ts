// The real Azure SDK clients, unchanged, pointed at an emulator: how production code would be
// configured to talk to it (endpoint, scopes, authority host).
import { ComputeManagementClient } from '@azure/arm-compute';
import { MonitorClient } from '@azure/arm-monitor';
import { NetworkManagementClient } from '@azure/arm-network';
import { ResourceManagementClient } from '@azure/arm-resources';
import { DeploymentsClient } from '@azure/arm-resourcesdeployments';
import { StorageManagementClient } from '@azure/arm-storage';
import { ClientSecretCredential } from '@azure/identity';
import type { AzureEmulator } from './azure-emulator';

export interface EmulatorClients {
  credential: ClientSecretCredential;
  compute: ComputeManagementClient;
  network: NetworkManagementClient;
  resources: ResourceManagementClient;
  /** arm-resources 7 dropped deployments: they live in @azure/arm-resourcesdeployments now. */
  deployments: DeploymentsClient;
  monitor: MonitorClient;
  /** arm-storage 20 is a modular client too (`credentials.scopes`). */
  storage: StorageManagementClient;
}

/**
 * A ClientSecretCredential against the emulator's token endpoint. `disableInstanceDiscovery` is
 * required: MSAL's instance discovery always asks login.microsoftonline.com, which is unreachable.
 */
export function emulatorCredential(
  emulator: AzureEmulator,
  clientId = 'dsvm-pool-tests',
  clientSecret = 'emulator-secret',
): ClientSecretCredential {
  return new ClientSecretCredential(emulator.tenantId, clientId, clientSecret, {
    authorityHost: emulator.url,
    disableInstanceDiscovery: true,
  });
}

/** The four ARM clients the app uses, with `endpoint` and the token scope on the emulator. */
export function createEmulatorClients(emulator: AzureEmulator): EmulatorClients {
  const credential = emulatorCredential(emulator);
  const scopes = [`${emulator.url}/.default`];
  const id = emulator.subscriptionId;
  return {
    credential,
    // arm-compute 24 is a "modular" client: `credentials.scopes`; the others take credentialScopes.
    compute: new ComputeManagementClient(credential, id, {
      endpoint: emulator.url,
      credentials: { scopes },
    }),
    network: new NetworkManagementClient(credential, id, {
      endpoint: emulator.url,
      credentialScopes: scopes,
    }),
    resources: new ResourceManagementClient(credential, id, {
      endpoint: emulator.url,
      credentialScopes: scopes,
    }),
    deployments: new DeploymentsClient(credential, id, {
      endpoint: emulator.url,
      credentials: { scopes },
    }),
    monitor: new MonitorClient(credential, id, {
      endpoint: emulator.url,
      credentialScopes: scopes,
    }),
    storage: new StorageManagementClient(credential, id, {
      endpoint: emulator.url,
      credentials: { scopes },
    }),
  };
}
