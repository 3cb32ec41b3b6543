// Host keys per Azure VM (its vmId), not per NAT port, against the Azure emulator with the real
// SDK clients: a VM recreated behind a reused NAT port is a first-use question that says what it
// replaced; a changed key on the same VM is refused without a question, and can be replaced only
// with the fingerprint the user confirmed.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import ssh2 from 'ssh2';
import { ErrorCode, isRpcError } from '../../../../src/common/errors';
import type { HostKeyPrompt } from '../../../../src/common/models';
import { resolveAzureEnvironment } from '../../../../src/core/azure/arm/index';
import { AzureCredential } from '../../../../src/core/azure/identity/index';
import { parseSshPublicKey } from '../../../../src/core/azure/template/index';
import { AzurePoolService, type AzurePoolRef } from '../../../../src/core/azure/pools/index';
import { generateEd25519 } from '../../../../src/core/keys/key-pair-file';
import { AzurePoolProvider } from '../../../../src/core/providers/azure/azure-pool-provider';
import { PromptService } from '../../../../src/core/prompts/prompt-service';
import { ConnectionService } from '../../../../src/core/sessions/connection-service';
import { fingerprintOf } from '../../../../src/core/ssh/host-key';
import { KnownHostsStore } from '../../../../src/core/ssh/known-hosts-store';
import { RefusedHostKeys } from '../../../../src/core/ssh/refused-host-keys';
import { startAzureEmulator, type AzureEmulator } from '../../../emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../../../emulators/azure/emulator-trust';

await trustEmulatorCertificate();

const { utils } = ssh2;
const RG = 'identity-rg';
const POOL = 'idpool';

function azureTestKey(): { public: string; private: string } {
  for (;;) {
    const key = utils.generateKeyPairSync('ed25519');
    if (parseSshPublicKey(key.public).ok) return key;
  }
}

describe('host keys per Azure VM identity (emulator)', () => {
  let emulator: AzureEmulator;
  let credential: AzureCredential;
  let service: AzurePoolService;
  let provider: AzurePoolProvider;
  let connections: ConnectionService;
  let prompts: PromptService;
  let knownHosts: KnownHostsStore;
  let refused: RefusedHostKeys;
  let dir: string;
  const asked: HostKeyPrompt[] = [];
  const key = azureTestKey();
  let ref: AzurePoolRef;

  const vm = (id: string) => emulator.vms(RG, POOL).find((v) => v.instanceId === id);

  /** Connects, runs `command`, closes; resolves with its output. */
  async function connectAndRun(instanceId: string, command = 'true'): Promise<string> {
    await provider.refresh();
    const info = await connections.connect(provider.id, instanceId);
    try {
      return (await connections.get(info.id).connection.exec(command)).stdout;
    } finally {
      await connections.close(info.id);
    }
  }

  before(async () => {
    emulator = await startAzureEmulator({
      maxSshServers: 4,
      delays: {
        vmCreate: 50,
        vmStart: 50,
        vmDeallocate: 50,
        vmRestart: 50,
        vmDelete: 50,
        resource: 20,
      },
    });
    credential = new AzureCredential({
      environment: resolveAzureEnvironment({
        resourceManagerEndpoint: emulator.url,
        authorityHost: emulator.url,
      }),
    });
    service = new AzurePoolService({
      clients: (id) => credential.clientsFor(id),
      deploymentPollIntervalMs: 100,
      lroPollIntervalMs: 50,
    });
    await credential.signIn({
      kind: 'service-principal',
      tenantId: emulator.tenantId,
      clientId: 'identity-tests',
      clientSecret: 'any',
    });
    await service.createPool({
      subscriptionId: emulator.subscriptionId,
      resourceGroup: RG,
      createResourceGroup: true,
      parameters: {
        poolName: POOL,
        location: 'westeurope',
        instanceCount: 2,
        maxInstances: 3,
        adminUsername: 'dsvmadmin',
        sshPublicKey: key.public,
        allowedSourceCidrs: ['203.0.113.0/24'],
        dnsLabel: `${POOL}-identity-test`,
        natFrontendPortStart: 24_000 + Math.floor(Math.random() * 40) * 100,
      },
    }).result;
    ref = { subscriptionId: emulator.subscriptionId, resourceGroup: RG, poolName: POOL };
    provider = new AzurePoolProvider({
      pool: ref,
      clients: credential.clientsFor(emulator.subscriptionId),
      keys: async () => ({ privateKey: key.private }),
      service,
      refreshIntervalMs: 0,
      lroPollIntervalMs: 50,
    });
    await provider.start();

    dir = await mkdtemp(join(tmpdir(), 'azure-host-identity-'));
    knownHosts = new KnownHostsStore(join(dir, 'known-hosts.json'));
    refused = new RefusedHostKeys(knownHosts);
    prompts = new PromptService();
    prompts.onDidOpen((p) => {
      if (p.kind === 'host-key') asked.push(p);
      setTimeout(() => prompts.answer(p.id, true), 1);
    });
    connections = new ConnectionService({
      providers: new Map([[provider.id, provider]]),
      knownHosts,
      prompts,
      log: () => {},
      onRefusedHostKey: refused.remember,
    });
  });

  after(async () => {
    connections?.dispose();
    prompts?.dispose();
    provider?.dispose();
    service?.dispose();
    credential?.dispose();
    await emulator?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('asks about a VM recreated behind a reused NAT port as a new VM, naming the one it replaced', async () => {
    await connectAndRun('0');
    assert.equal(asked.length, 1);
    assert.equal(asked[0]!.replaces, undefined, 'a first VM replaces nothing');
    const oldName = vm('0')!.computerName;
    const oldPort = vm('0')!.sshPort;
    assert.ok(oldPort);

    await service.instanceAction(ref, 'delete', ['0']).result;
    await service.scale(ref, 2).result;
    await provider.refresh();
    const fresh = emulator.vms(RG, POOL).find((v) => v.instanceId !== '0' && v.instanceId !== '1');
    assert.ok(fresh, 'scaling out made a new VM');
    assert.equal(fresh.sshPort, oldPort, 'Azure gave the new VM the freed NAT port');

    await connectAndRun(fresh.instanceId);
    assert.equal(asked.length, 2, 'the new VM is a first use, not a refusal');
    const question = asked[1]!;
    assert.equal(question.port, oldPort);
    assert.equal(question.replaces?.instanceName, oldName);
    assert.equal(question.replaces?.fingerprint, asked[0]!.fingerprint);
    assert.notEqual(question.fingerprint, asked[0]!.fingerprint);
    // Trusted now: connecting again asks nothing.
    await connectAndRun(fresh.instanceId);
    assert.equal(asked.length, 2);
  });

  it('refuses a changed key on the same VM without asking; a confirmed replace lets it in', async () => {
    const home = (await connectAndRun('1', 'printf %s "$HOME"')).trim();
    const before = asked.length;
    // As an admin regenerating the VM's host keys would, then a restart through Azure.
    const newKey = generateEd25519('rekeyed');
    await writeFile(join(dirname(home), 'ssh_host_ed25519_key'), newKey, { mode: 0o600 });
    await service.instanceAction(ref, 'restart', ['1']).result;

    await assert.rejects(connectAndRun('1'), (err) => {
      assert.ok(isRpcError(err, ErrorCode.HostKeyMismatch), String(err));
      assert.match(err.message, /same machine/);
      return true;
    });
    assert.equal(asked.length, before, 'a changed key is never a question');

    const parsed = utils.parseKey(newKey);
    assert.ok(!(parsed instanceof Error));
    const newFingerprint = fingerprintOf(
      (Array.isArray(parsed) ? parsed[0] : parsed).getPublicSSH(),
    );
    assert.throws(
      () =>
        refused.replace({
          poolId: provider.id,
          instanceId: '1',
          fingerprint: asked[before - 1]!.fingerprint,
        }),
      (err) => isRpcError(err, ErrorCode.BadInput),
    );
    const replaced = refused.replace({
      poolId: provider.id,
      instanceId: '1',
      fingerprint: newFingerprint,
    });
    assert.equal(replaced.fingerprint, newFingerprint);
    await connectAndRun('1');
    assert.equal(asked.length, before, 'the replaced key is trusted without a question');
  });
});
