// Who may reach a pool's SSH, read from its network security group in the emulator with the real
// SDK client: the template's rule, a rule added by hand with a port range, and what is ignored.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readAllowedSources } from '../../../../../src/core/azure/admin/index';
import { startAzureEmulator, type AzureEmulator } from '../../../../emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../../../../emulators/azure/emulator-trust';
import {
  createEmulatorClients,
  type EmulatorClients,
} from '../../../../emulators/azure/sdk-clients';

await trustEmulatorCertificate();

describe('readAllowedSources (the NSG of a pool)', () => {
  let emulator: AzureEmulator;
  let clients: EmulatorClients;
  const pool = () => ({
    subscriptionId: emulator.subscriptionId,
    resourceGroup: 'access-rg',
    poolName: 'teampool',
  });

  before(async () => {
    emulator = await startAzureEmulator();
    emulator.createResourceGroup('access-rg', 'westeurope');
    clients = createEmulatorClients(emulator);
  });
  after(async () => {
    await emulator?.close();
  });

  test('no NSG (or no right to read it): undefined, so the hint speaks of "the ranges"', async () => {
    assert.equal(await readAllowedSources(clients, pool()), undefined);
  });

  test('the allowed sources of every inbound Allow rule that covers port 22', async () => {
    await clients.network.networkSecurityGroups.beginCreateOrUpdateAndWait(
      'access-rg',
      'teampool-nsg',
      {
        location: 'westeurope',
        securityRules: [
          {
            name: 'allow-ssh-from-allowed-sources',
            priority: 100,
            direction: 'Inbound',
            access: 'Allow',
            protocol: 'Tcp',
            sourceAddressPrefixes: ['203.0.113.0/24', '198.51.100.7/32'],
            sourcePortRange: '*',
            destinationAddressPrefix: 'VirtualNetwork',
            destinationPortRange: '22',
          },
          {
            name: 'admin-vpn',
            priority: 110,
            direction: 'Inbound',
            access: 'Allow',
            protocol: '*',
            sourceAddressPrefix: '192.0.2.0/24',
            sourcePortRange: '*',
            destinationAddressPrefix: '*',
            destinationPortRange: '20-25',
          },
          {
            name: 'https-only',
            priority: 120,
            direction: 'Inbound',
            access: 'Allow',
            protocol: 'Tcp',
            sourceAddressPrefix: 'Internet',
            sourcePortRange: '*',
            destinationAddressPrefix: '*',
            destinationPortRange: '443',
          },
          {
            name: 'deny-bad',
            priority: 130,
            direction: 'Inbound',
            access: 'Deny',
            protocol: 'Tcp',
            sourceAddressPrefix: '100.64.0.0/10',
            sourcePortRange: '*',
            destinationAddressPrefix: '*',
            destinationPortRange: '22',
          },
        ],
      },
    );
    assert.deepEqual(await readAllowedSources(clients, pool()), [
      '203.0.113.0/24',
      '198.51.100.7/32',
      '192.0.2.0/24',
    ]);
  });
});
