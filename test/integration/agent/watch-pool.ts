// The pool the agent's watch tests deploy: the emulator's pool fixture with the scale set's share
// tags, a system-assigned identity and (optionally) the template's least-privilege role on it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mkdir, writeFile } from 'node:fs/promises';
import { ActivityEventSchema, type ActivityEvent } from '../../../src/common/agent-protocol';
import type { AzureEmulator } from '../../emulators/azure/azure-emulator';
import type { EmulatorClients } from '../../emulators/azure/sdk-clients';
import {
  FILE_SHARE_TAG,
  STORAGE_ACCOUNT_TAG,
  namespaceVmBackend,
  type NamespaceVmBackendFactory,
  type NamespaceVmBackendOptions,
} from '../../emulators/vm/namespace-vm-backend';

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

/**
 * The emulator with namespace VMs behind it (their agent copied in, no apply timer) and one share
 * whose activity policy has an idle window of `idleMinutes` (5 is the shortest the policy allows).
 */
export async function startWatchEmulator(options: {
  account: string;
  share: string;
  idleMinutes: number;
  agentWatch?: NamespaceVmBackendOptions['agentWatch'];
}): Promise<{
  emulator: AzureEmulator;
  backend: NamespaceVmBackendFactory;
  azure: EmulatorClients;
  shareDir: string;
}> {
  // The backend comes first (the emulator starts with it) and finds the shares through it.
  const started: { emulator?: AzureEmulator } = {};
  const backend = namespaceVmBackend({
    shareDir: (vm) =>
      started.emulator!.files.dataDir(vm.tags[STORAGE_ACCOUNT_TAG], vm.tags[FILE_SHARE_TAG]),
    agentIntervalMs: 0,
    ...(options.agentWatch ? { agentWatch: options.agentWatch } : {}),
  });
  const { startAzureEmulator } = await import('../../emulators/azure/azure-emulator');
  const emulator = (started.emulator = await startAzureEmulator({ vmBackend: backend }));
  const { createEmulatorClients } = await import('../../emulators/azure/sdk-clients');
  const azure = createEmulatorClients(emulator);
  emulator.files.addAccount(options.account);
  emulator.files.createShare(options.account, options.share);
  const shareDir = emulator.files.dataDir(options.account, options.share);
  await mkdir(join(shareDir, '.pool'), { recursive: true });
  await writeFile(
    join(shareDir, '.pool/activity.json'),
    JSON.stringify({ version: 1, idleMinutes: options.idleMinutes }),
  );
  return { emulator, backend, azure, shareDir };
}

/** An ed25519 key pair for the pool's admin login: `<dir>/admin_key` and `admin_key.pub`. */
export async function adminKey(dir: string): Promise<void> {
  const run = await sh('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-f',
    join(dir, 'admin_key'),
  ]);
  assert.equal(run.code, 0, run.stderr);
}

/** The events a VM's agent logged on the share (`.pool/events/<computer>.jsonl`), checked. */
export async function activityEvents(
  shareDir: string,
  computerName: string,
): Promise<ActivityEvent[]> {
  const text = await readFile(join(shareDir, `.pool/events/${computerName}.jsonl`), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => ActivityEventSchema.parse(JSON.parse(line)));
}
