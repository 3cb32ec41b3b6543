// The pool the agent's watch tests deploy: the emulator's pool fixture with the scale set's share
// tags, a system-assigned identity and (optionally) the template's least-privilege role on it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FILE_SHARE_TAG, STORAGE_ACCOUNT_TAG } from '../../emulators/vm/namespace-vm-backend';

const repo = join(import.meta.dirname, '../../..');
export const VM_ACTIONS = [
  'Microsoft.Compute/virtualMachineScaleSets/virtualMachines/read',
  'Microsoft.Compute/virtualMachineScaleSets/virtualMachines/write',
  'Microsoft.Compute/virtualMachineScaleSets/virtualMachines/deallocate/action',
];

/** The pool fixture with the template's least-privilege role on the scale set (or none). */
export async function poolTemplate(
  withRole: boolean,
  share: { account: string; name: string } = { account: 'protfiles', name: 'protshare' },
): Promise<Record<string, unknown>> {
  const template = JSON.parse(
    await readFile(join(repo, 'test/fixtures/azure-emulator/pool-template.json'), 'utf8'),
  ) as { resources: Array<Record<string, unknown>> };
  const vmss = template.resources.find(
    (r) => r.type === 'Microsoft.Compute/virtualMachineScaleSets',
  );
  assert.ok(vmss);
  vmss.tags = { [STORAGE_ACCOUNT_TAG]: share.account, [FILE_SHARE_TAG]: share.name };
  vmss.identity = { type: 'SystemAssigned' };
  // The backend copies the agent in itself (vm-extension.test.ts runs the extension for real).
  delete (vmss.properties as { virtualMachineProfile: Record<string, unknown> })
    .virtualMachineProfile.extensionProfile;
  if (withRole) {
    const id = "[resourceId('Microsoft.Compute/virtualMachineScaleSets', variables('vmssName'))]";
    template.resources.push(
      {
        type: 'Microsoft.Authorization/roleDefinitions',
        apiVersion: '2022-04-01',
        name: "[guid(resourceGroup().id, variables('vmssName'), 'instance-self')]",
        properties: {
          roleName: "[concat('dsvm-pool instance self-service ', variables('vmssName'))]",
          type: 'CustomRole',
          assignableScopes: ['[resourceGroup().id]'],
          permissions: [{ actions: VM_ACTIONS, notActions: [] }],
        },
      },
      {
        type: 'Microsoft.Authorization/roleAssignments',
        apiVersion: '2022-04-01',
        scope: id,
        name: "[guid(resourceGroup().id, variables('vmssName'), 'instance-self-assignment')]",
        dependsOn: [id, "[guid(resourceGroup().id, variables('vmssName'), 'instance-self')]"],
        properties: {
          roleDefinitionId:
            "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', guid(resourceGroup().id, variables('vmssName'), 'instance-self'))]",
          principalId: `[reference(${id.slice(1, -1)}, '2024-11-01', 'full').identity.principalId]`,
          principalType: 'ServicePrincipal',
        },
      },
    );
  }
  return template;
}

export function sh(
  file: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: repo, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({
        code: error ? (typeof error.code === 'number' ? error.code : -1) : 0,
        stdout,
        stderr,
      });
    });
  });
}

export async function buildAgent(): Promise<void> {
  // Another engineer may be mid-edit on src/agent: retry a few times before giving up.
  let last;
  for (let attempt = 0; attempt < 4; attempt++) {
    last = await sh(process.execPath, [join(repo, 'scripts/build-agent.mjs')]);
    if (last.code === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 5_000));
  }
  assert.fail(`the agent does not build:\n${last?.stderr}`);
}
