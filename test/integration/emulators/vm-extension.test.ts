// The agent's CustomScript extension really runs: pool.json deployed in the Azure emulator whose
// instances are namespace VMs on an image without Node.js. The extension's protected script runs
// as root in the VM, installs the agent's own Node.js runtime from the share (sha512 checked) and
// the agent, whose heartbeat then appears on the share; the instance view reports the extension
// as Azure does ("Enable succeeded: \n[stdout]…"), never a secret. A scale-out whose instance's
// extension fails (a tampered runtime on the share) fails with VMExtensionProvisioningError, and
// that instance shows failed provisioning while it runs. Root only (namespaces, overlays).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AzureEmulator } from '../../emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../../emulators/azure/emulator-trust';
import type { EmulatorClients } from '../../emulators/azure/sdk-clients';
import type { NamespaceVmBackendFactory } from '../../emulators/vm/namespace-vm-backend';
import { until } from '../../helpers/until';
import { publicKey } from '../../unit/core/azure/template/pool-fixtures';

await trustEmulatorCertificate();
const { startAzureEmulator } = await import('../../emulators/azure/azure-emulator');
const { createEmulatorClients } = await import('../../emulators/azure/sdk-clients');
const { namespaceVmBackend } = await import('../../emulators/vm/namespace-vm-backend');
const { buildDeploymentParameters, loadPoolTemplate, validatePoolParameters } =
  await import('../../../src/core/azure/template/index');
const { findAgentRuntime } = await import('../../../src/core/agent-runtime');

type Json = Record<string, unknown>;

const repo = join(import.meta.dirname, '../../..');
const RG = 'ext-rg';
const POOL = 'extpool';
const ACCOUNT = `extvm${process.pid.toString(36)}`.slice(0, 24);
const SHARE = 'team';

describe(
  'the agent extension runs in namespace VMs without Node.js (root)',
  { timeout: 240_000 },
  () => {
    let emulator: AzureEmulator;
    let azure: EmulatorClients;
    let backend: NamespaceVmBackendFactory;
    let key: string;
    let runtime: NonNullable<Awaited<ReturnType<typeof findAgentRuntime>>>;

    before(async () => {
      if (process.getuid?.() !== 0) throw new Error('this test runs namespace VMs: run it as root');
      await new Promise<void>((resolve, reject) =>
        execFile(process.execPath, [join(repo, 'scripts/build-agent.mjs')], { cwd: repo }, (e) =>
          e ? reject(e) : resolve(),
        ),
      );
      const found = await findAgentRuntime('x64');
      assert.ok(found, 'the build has the x64 runtime');
      runtime = found;
      backend = namespaceVmBackend({ shareDir: () => undefined, agentIntervalMs: 1000 });
      emulator = await startAzureEmulator({
        delays: { vmCreate: 20, vmStart: 20, resource: 20 },
        vmBackend: backend,
      });
      azure = createEmulatorClients(emulator);
      await azure.resources.resourceGroups.createOrUpdate(RG, { location: 'westeurope' });
      // As createPool does: the share first, with the agent and its runtime on it.
      await azure.storage.storageAccounts.create(RG, ACCOUNT, {
        location: 'westeurope',
        kind: 'StorageV2',
        sku: { name: 'Standard_LRS' },
      });
      await azure.storage.fileShares.create(RG, ACCOUNT, SHARE, { shareQuota: 100 });
      key = (await azure.storage.storageAccounts.listKeys(RG, ACCOUNT)).keys?.[0]?.value ?? '';
      assert.ok(key.length > 40);
    });

    after(async () => {
      await emulator?.close();
    });

    const shareDir = () => emulator.files.dataDir(ACCOUNT, SHARE);
    const vmsOf = async () => {
      const list: Awaited<ReturnType<typeof azure.compute.virtualMachineScaleSetVMs.get>>[] = [];
      for await (const vm of azure.compute.virtualMachineScaleSetVMs.list(RG, POOL, {
        expand: 'instanceView',
      })) {
        list.push(vm);
      }
      return list;
    };

    it('installs the agent with its own Node.js at provisioning; the heartbeat reaches the share', async () => {
      // A share's files are a real folder of the Azure Files emulator: put them there directly.
      const agent = join(shareDir(), '.pool/agent');
      mkdirSync(agent, { recursive: true });
      writeFileSync(
        join(agent, 'dsvm-pool-agent.js'),
        readFileSync(join(repo, 'out/agent/dsvm-pool-agent.js')),
      );
      writeFileSync(join(agent, runtime.fileName), readFileSync(runtime.path));

      const params = validatePoolParameters({
        poolName: POOL,
        location: 'westeurope',
        instanceCount: 1,
        maxInstances: 3,
        adminUsername: 'azureadmin',
        sshPublicKey: publicKey('ed25519'),
        allowedSourceCidrs: ['203.0.113.0/24'],
        dnsLabel: 'ext-pool-test',
        natFrontendPortStart: 22_000 + Math.floor(Math.random() * 80) * 100,
        storageAccountName: ACCOUNT,
        fileShareName: SHARE,
      });
      const deployment = await azure.deployments.deployments.createOrUpdate(RG, 'dsvm-pool', {
        properties: {
          mode: 'Incremental',
          template: loadPoolTemplate() as unknown as Json,
          parameters: buildDeploymentParameters(params),
        },
      });
      assert.equal(deployment.properties?.provisioningState, 'Succeeded');

      const [vm] = await vmsOf();
      assert.ok(vm, 'one instance');
      assert.equal(vm.provisioningState, 'Succeeded');
      const [ext] = vm.instanceView?.extensions ?? [];
      assert.equal(ext?.name, 'dsvm-pool-agent');
      assert.equal(ext?.type, 'Microsoft.Azure.Extensions.CustomScript');
      assert.match(ext?.typeHandlerVersion ?? '', /^2\.1\.\d+$/);
      const status = ext?.statuses?.[0];
      assert.equal(status?.code, 'ProvisioningState/succeeded');
      assert.equal(status?.displayStatus, 'Provisioning succeeded');
      assert.match(status?.message ?? '', /^Enable succeeded: \n\[stdout\]\n[^]*\n\[stderr\]\n/);
      assert.match(
        status?.message ?? '',
        /installed the agent's own Node\.js [\d.]+ \(x64, sha512 checked\)/,
      );
      // Nothing secret in what any Reader sees: the VM list, the scale set's model.
      const model = await azure.compute.virtualMachineScaleSets.get(RG, POOL);
      for (const text of [JSON.stringify(vm), JSON.stringify(model)]) {
        assert.ok(!text.includes(key), 'no storage key');
        assert.ok(!text.includes('POOL_STORAGE_KEY'), 'no script');
      }

      const inside = backend.vms.get(vm.instanceView?.computerName ?? '');
      assert.ok(inside, 'the namespace VM');
      // The image has no Node.js; the agent brought its own, and systemd's stand-in runs it.
      assert.notEqual((await inside.exec('command -v node')).code, 0, 'no node on PATH');
      const own = await inside.exec(
        '/usr/local/lib/dsvm-pool/node/bin/node --version && grep ^NODE= /usr/local/bin/dsvm-pool-agent && cat /usr/local/lib/dsvm-pool/node/.sha512',
      );
      assert.equal(own.code, 0, own.stderr);
      assert.equal(
        own.stdout,
        `v${runtime.version}\nNODE=/usr/local/lib/dsvm-pool/node/bin/node\n${runtime.sha512}\n`,
      );
      // As CustomScript leaves it: the download folder with stdout/stderr; the script deleted itself.
      const left = await inside.exec(
        'ls /var/lib/waagent/custom-script/download/0; stat -c %a /var/lib/waagent/custom-script/download/0',
      );
      assert.deepEqual(left.stdout.trim().split('\n'), ['stderr', 'stdout', '700']);

      const heartbeat = join(shareDir(), `.pool/status/${inside.computerName}.json`);
      await until('the heartbeat on the share', () => existsSync(heartbeat), 30_000);
      const beat = JSON.parse(readFileSync(heartbeat, 'utf8')) as { mount?: Json };
      assert.equal(beat.mount?.protocol, 'smb');
      assert.equal(beat.mount?.healthy, true);
    });

    it('a scale-out whose extension fails reports VMExtensionProvisioningError; the instance runs with failed provisioning', async () => {
      // Someone replaced the runtime on the share: the installer refuses it.
      const tampered = readFileSync(runtime.path);
      tampered[tampered.length - 64] ^= 0xff;
      writeFileSync(join(shareDir(), '.pool/agent', runtime.fileName), tampered);

      await assert.rejects(
        azure.compute.virtualMachineScaleSets.beginUpdateAndWait(
          RG,
          POOL,
          { sku: { capacity: 2 } },
          {
            updateIntervalInMs: 50,
          },
        ),
        /VMExtensionProvisioningError/,
      );
      const vms = await vmsOf();
      const failed = vms.find((v) => v.instanceId === '1');
      assert.ok(failed, 'instance 1');
      assert.equal(failed.provisioningState, 'Failed');
      const statuses = failed.instanceView?.statuses ?? [];
      assert.equal(statuses[0]?.code, 'ProvisioningState/failed/VMExtensionProvisioningError');
      assert.match(
        statuses[0]?.message ?? '',
        /^VM has reported a failure when processing extension 'dsvm-pool-agent' \(publisher 'Microsoft\.Azure\.Extensions' and type 'CustomScript'\)\. Error message: 'Enable failed: failed to execute command: command terminated with exit status=1\n\[stdout\]\n[^]*\n\[stderr\]\n[^]*refusing to run it[^]*'\. More information on troubleshooting is available at https:\/\/aka\.ms\/VMExtensionCSELinuxTroubleshoot\. $/,
      );
      assert.equal(
        statuses[1]?.code,
        'PowerState/running',
        'it runs: SSH answers, the agent does not',
      );
      const ext = failed.instanceView?.extensions?.[0]?.statuses?.[0];
      assert.equal(ext?.code, 'ProvisioningState/failed/0');
      assert.equal(ext?.level, 'Error');
      assert.match(ext?.message ?? '', /not the pinned [0-9a-f]{128}: refusing to run it/);
      assert.ok(!JSON.stringify(vms).includes(key), 'no storage key');
      // The first instance is untouched; the scale set's summary counts each status.
      assert.equal(vms.find((v) => v.instanceId === '0')?.provisioningState, 'Succeeded');
      const view = await azure.compute.virtualMachineScaleSets.getInstanceView(RG, POOL);
      assert.deepEqual(
        view.extensions?.[0]?.statusesSummary?.map((s) => `${s.code}=${s.count}`).sort(),
        ['ProvisioningState/failed/0=1', 'ProvisioningState/succeeded=1'],
      );
    });
  },
);
