// Real Linux "VMs" (Debian's sshd and the bundled agent in private mount namespaces) sharing one
// share folder: a member added to the registry logs in with real OpenSSH on every VM within one
// agent cycle, sees the share through ~/notebooks/remote, survives a reboot and is refused once
// removed; then the same VMs behind the Azure emulator's NAT ports. The machine stays untouched.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AzureEmulator } from '../../emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../../emulators/azure/emulator-trust';
import { NamespaceVm } from '../../emulators/vm/namespace-vm';
import {
  FILE_SHARE_TAG,
  STORAGE_ACCOUNT_TAG,
  namespaceVmBackend,
  type NamespaceVmBackendFactory,
} from '../../emulators/vm/namespace-vm-backend';

// May run this file again with the certificate trusted: the Azure SDK is imported later, in the
// emulator's suite, so that first process stays light.
await trustEmulatorCertificate();

const repo = join(import.meta.dirname, '../../..');
const REAL_FILES = ['/etc/passwd', '/etc/shadow', '/etc/group', '/etc/gshadow', '/etc/fstab'];
const INTERVAL_MS = 1000;
const MOUNT_POINT = '/mnt/dsvm-pool';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function sh(file: string, args: string[], options: { cwd?: string } = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(file, args, { ...options, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({
        code: error ? (typeof error.code === 'number' ? error.code : -1) : 0,
        stdout,
        stderr,
      });
    });
  });
}

/** Real OpenSSH client, no config, no known_hosts, key only. */
function ssh(port: number, user: string, key: string, command: string): Promise<Result> {
  return sh('ssh', [
    ...['-F', '/dev/null', '-i', key, '-p', String(port)],
    ...['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null'],
    ...['-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'ConnectTimeout=10'],
    ...['-o', 'LogLevel=ERROR'],
    `${user}@127.0.0.1`,
    command,
  ]);
}

function ok(result: Result, what: string): string {
  assert.equal(result.code, 0, `${what}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  return result.stdout.trim();
}

const fingerprint = async () => ({
  files: Object.fromEntries(
    await Promise.all(
      REAL_FILES.map(async (f) => [
        f,
        createHash('sha256')
          .update(await readFile(f))
          .digest('hex'),
      ]),
    ),
  ),
  homes: (await readdir('/home')).sort(),
  hostname: hostname(),
  mnt: existsSync(MOUNT_POINT),
});

/** Mount table lines of this (the machine's) namespace that mention `dir`. */
const straysOf = async (dir: string) =>
  (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((l) => l.includes(dir));

let built: Promise<void> | undefined;
/** Builds out/agent/dsvm-pool-agent.js once per file. */
function buildAgent(): Promise<void> {
  built ??= buildAgentNow();
  return built;
}

async function buildAgentNow(): Promise<void> {
  // Another engineer may be mid-edit on src/agent: retry a few times before giving up.
  let last: Result | undefined;
  for (let attempt = 0; attempt < 4; attempt++) {
    last = await sh(process.execPath, [join(repo, 'scripts/build-agent.mjs')], { cwd: repo });
    if (last.code === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 5_000));
  }
  assert.fail(`the agent does not build:\n${last?.stderr}`);
}

async function keygen(file: string, comment: string): Promise<string> {
  ok(
    await sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]),
    'ssh-keygen',
  );
  return (await readFile(`${file}.pub`, 'utf8')).trim();
}

describe('NamespaceVm: real sshd + agent VMs sharing a share (root)', () => {
  let root: string;
  let share: string;
  let adminKey: string;
  let aliceKey: string;
  let alicePub: string;
  let vms: NamespaceVm[] = [];
  let realBefore: Awaited<ReturnType<typeof fingerprint>>;
  const logs: string[] = [];
  /** Writes the registry as the app does (whole file, renamed into place); returns when. */
  const registry = async (members: Array<{ name: string; sshKeys: string[] }>) => {
    const file = join(share, '.pool/users.json');
    await writeFile(`${file}.tmp`, JSON.stringify({ version: 1, members }, null, 2));
    await rename(`${file}.tmp`, file);
    return Date.now();
  };

  before(async () => {
    realBefore = await fingerprint();
    await buildAgent();
    root = await mkdtemp(join(tmpdir(), 'dsvm-nsvm-it-'));
    share = join(root, 'share');
    await mkdir(join(share, '.pool'), { recursive: true });
    const adminPub = await keygen(join(root, 'admin_key'), 'admin@laptop');
    adminKey = join(root, 'admin_key');
    alicePub = await keygen(join(root, 'alice_key'), 'alice@laptop');
    aliceKey = join(root, 'alice_key');
    vms = [0, 1].map(
      (i) =>
        new NamespaceVm({
          dir: join(root, `vm${i}`),
          computerName: `nsvm00000${i}`,
          adminUser: 'azureuser',
          adminPublicKeys: adminPub,
          agentConfig: {
            version: 1,
            share: { protocol: 'bind', source: share, mountPoint: MOUNT_POINT },
            // Not "notebooks": the admin's ~/<shareName> link would then take ~/notebooks itself.
            shareName: 'teamshare',
            adminUser: 'azureuser',
            computerName: `nsvm00000${i}`,
          },
          agentIntervalMs: INTERVAL_MS,
          log: (line) => logs.push(line),
        }),
    );
    await Promise.all(vms.map((vm) => vm.boot()));
  });

  after(async () => {
    await Promise.all(vms.map((vm) => vm.destroy()));
    if (root) {
      assert.deepEqual(await straysOf(root), [], 'no VM mount is left in the machine');
      await rm(root, { recursive: true, force: true });
    }
    if (realBefore) assert.deepEqual(await fingerprint(), realBefore, 'the machine is untouched');
  });

  it('boots: the admin logs in with their key, the boot agent run mounted the share', async () => {
    const command = `hostname; id -un; findmnt -n -o TARGET ${MOUNT_POINT}; readlink ~/teamshare ~/notebooks/remote`;
    const outs = await Promise.all(vms.map((vm) => ssh(vm.port, 'azureuser', adminKey, command)));
    vms.forEach((vm, i) => {
      // The boot run (the timer may have run since, on a slow machine).
      const boot = vm.agentRuns.find((run) => run.reason === 'boot');
      assert.ok(boot, `${vm.computerName} ran the agent at boot`);
      assert.equal(boot?.code, 0, `boot run of ${vm.computerName}: ${boot?.stderr}`);
      assert.deepEqual(ok(outs[i], `admin on ${vm.computerName}`).split('\n'), [
        vm.computerName,
        'azureuser',
        MOUNT_POINT,
        MOUNT_POINT,
        `${MOUNT_POINT}/notebooks/azureuser`,
      ]);
    });
    assert.ok(existsSync(join(share, '.pool/status/nsvm000000.json')), 'heartbeat on the share');
    assert.equal(existsSync(MOUNT_POINT), realBefore.mnt, 'the machine has no such mount point');
  });

  it('a member added to the registry logs in on every VM within one agent cycle', async () => {
    const written = await registry([{ name: 'alice', sshKeys: [alicePub] }]);
    const runs = await Promise.all(vms.map((vm) => vm.agentRunAfter(written, 10_000)));
    for (const run of runs) assert.equal(run.code, 0, run.stderr);
    assert.ok(
      Math.max(...runs.map((r) => r.startedAt)) - written <= INTERVAL_MS + 3_000,
      'picked up by the next timer run',
    );
    const on0 = await ssh(
      vms[0].port,
      'alice',
      aliceKey,
      'id -un; readlink ~/notebooks/remote; echo "from vm0" > ~/notebooks/remote/hello.txt',
    );
    assert.deepEqual(ok(on0, 'alice on vm0').split('\n'), [
      'alice',
      `${MOUNT_POINT}/notebooks/alice`,
    ]);
    const on1 = await ssh(
      vms[1].port,
      'alice',
      aliceKey,
      'id -un; readlink ~/notebooks/remote; cat ~/notebooks/remote/hello.txt',
    );
    assert.deepEqual(ok(on1, 'alice on vm1').split('\n'), [
      'alice',
      `${MOUNT_POINT}/notebooks/alice`,
      'from vm0',
    ]);
    assert.equal(await readFile(join(share, 'notebooks/alice/hello.txt'), 'utf8'), 'from vm0\n');
  });

  it('a reboot drops the mounts; the boot run mounts the share again and alice still logs in', async () => {
    const [vm0] = vms;
    const pid = vm0.pid;
    const port = vm0.port;
    await vm0.shutdown();
    assert.equal(vm0.running, false);
    assert.equal(existsSync(`/proc/${pid}`), false, 'sshd is gone');
    await assert.rejects(vm0.exec('true'), /not running/);
    assert.notEqual((await ssh(port, 'alice', aliceKey, 'true')).code, 0, 'nobody answers');

    await vm0.boot();
    const boot = vm0.agentRuns.at(-1);
    assert.equal(boot?.reason, 'boot');
    assert.equal(boot?.code, 0, boot?.stderr);
    const out = ok(
      await ssh(
        vm0.port,
        'alice',
        aliceKey,
        `findmnt -n -o TARGET ${MOUNT_POINT}; cat ~/notebooks/remote/hello.txt`,
      ),
      'alice after the reboot',
    );
    assert.deepEqual(out.split('\n'), [MOUNT_POINT, 'from vm0']);
  });

  it('a member removed from the registry is refused on every VM after one cycle', async () => {
    const written = await registry([]);
    await Promise.all(vms.map((vm) => vm.agentRunAfter(written, 10_000)));
    const refused = await Promise.all(vms.map((vm) => ssh(vm.port, 'alice', aliceKey, 'true')));
    vms.forEach((vm, i) => {
      assert.equal(refused[i].code, 255, `alice on ${vm.computerName}: ${refused[i].stderr}`);
    });
    ok(await ssh(vms[0].port, 'azureuser', adminKey, 'true'), 'the admin still logs in');
    assert.ok(existsSync(join(share, 'notebooks/alice/hello.txt')), 'her data is kept');
  });

  it('leaves the machine alone: users, homes, mounts, host name', async () => {
    assert.deepEqual(await fingerprint(), realBefore);
    assert.equal((await sh('id', ['-u', 'alice'])).code, 1, 'no alice on the machine');
    assert.deepEqual(await straysOf(root), [], 'no VM mount in the machine namespace');
    assert.deepEqual(
      logs.filter((l) => /failed|ended/.test(l)),
      [],
      'no agent failure or sshd crash',
    );
  });
});

describe('Azure emulator with namespace VMs behind the NAT ports', () => {
  let emulator: AzureEmulator;
  let backend: NamespaceVmBackendFactory;
  let realBefore: Awaited<ReturnType<typeof fingerprint>>;
  let keyDir: string;

  before(async () => {
    realBefore = await fingerprint();
    await buildAgent();
    keyDir = await mkdtemp(join(tmpdir(), 'dsvm-nsvm-arm-'));
    backend = namespaceVmBackend({
      shareDir: (vm) =>
        emulator.files.dataDir(vm.tags[STORAGE_ACCOUNT_TAG], vm.tags[FILE_SHARE_TAG]),
      agentIntervalMs: 0,
    });
    const { startAzureEmulator } = await import('../../emulators/azure/azure-emulator');
    emulator = await startAzureEmulator({ vmBackend: backend });
  });

  after(async () => {
    const dataDirs = [...backend.vms.values()].map((vm) => vm.dir);
    await emulator?.close();
    for (const dir of dataDirs) {
      assert.equal(existsSync(dir), false, 'the VM disk went with the emulator');
      assert.deepEqual(await straysOf(dir), []);
    }
    await rm(keyDir, { recursive: true, force: true });
    assert.deepEqual(await fingerprint(), realBefore, 'the machine is untouched');
  });

  it('ssh through the NAT port reaches the VM’s own sshd; deallocate/start reboots its disk', async () => {
    const { createEmulatorClients } = await import('../../emulators/azure/sdk-clients');
    const azure = createEmulatorClients(emulator);
    emulator.files.addAccount('poolfiles');
    emulator.files.createShare('poolfiles', 'teamshare');
    const adminPub = await keygen(join(keyDir, 'admin_key'), 'admin@laptop');
    const adminKey = join(keyDir, 'admin_key');
    const template = JSON.parse(
      await readFile(join(repo, 'test/fixtures/azure-emulator/pool-template.json'), 'utf8'),
    ) as { resources: Array<Record<string, unknown>> };
    const vmss = template.resources.find(
      (r) => r.type === 'Microsoft.Compute/virtualMachineScaleSets',
    );
    assert.ok(vmss);
    vmss.tags = { [STORAGE_ACCOUNT_TAG]: 'poolfiles', [FILE_SHARE_TAG]: 'teamshare' };
    // Without the fixture's (empty) CustomScript extension the backend copies the agent in itself,
    // with the tagged share bound; vm-extension.test.ts runs pool.json's extension for real.
    const profile = (vmss.properties as { virtualMachineProfile: Record<string, unknown> })
      .virtualMachineProfile;
    delete profile.extensionProfile;
    await azure.resources.resourceGroups.createOrUpdate('ns-pool', { location: 'westeurope' });
    await azure.deployments.deployments.createOrUpdate('ns-pool', 'pool', {
      properties: {
        mode: 'Incremental',
        template,
        parameters: {
          poolName: { value: 'nspool' },
          sshPublicKey: { value: adminPub },
          natPortRangeStart: { value: 31_000 + Math.floor(Math.random() * 500) * 4 },
          instanceCount: { value: 1 },
          maxInstances: { value: 2 },
        },
      },
    });
    const [vm] = emulator.vms('ns-pool', 'nspool');
    assert.ok(vm.sshPort, 'a NAT port');
    const command = `hostname; findmnt -n -o SOURCE,TARGET ${MOUNT_POINT}; cat ~/.vm-id 2>/dev/null || (echo first > ~/.vm-id; echo new)`;
    const first = ok(await ssh(vm.sshPort, 'azureuser', adminKey, command), 'ssh via NAT');
    const share = emulator.files.dataDir('poolfiles', 'teamshare');
    const [host, mount, id] = first.split('\n');
    assert.equal(host, vm.computerName);
    assert.ok(mount.endsWith(`[${share}] ${MOUNT_POINT}`), `the tagged share is mounted: ${mount}`);
    assert.equal(id, 'new');
    const nsVm = backend.vms.get(vm.computerName);
    assert.ok(nsVm?.running);
    assert.equal(nsVm.agentRuns.at(-1)?.code, 0, nsVm.agentRuns.at(-1)?.stderr);
    assert.ok(existsSync(join(share, `.pool/status/${vm.computerName}.json`)), 'heartbeat');

    await azure.compute.virtualMachineScaleSetVMs.deallocate('ns-pool', 'nspool', '0');
    assert.equal(nsVm.running, false, 'deallocated: the namespace is gone');
    assert.notEqual((await ssh(vm.sshPort, 'azureuser', adminKey, 'true')).code, 0);

    await azure.compute.virtualMachineScaleSetVMs.start('ns-pool', 'nspool', '0');
    const again = ok(await ssh(vm.sshPort, 'azureuser', adminKey, command), 'after start');
    assert.deepEqual(
      again.split('\n').slice(1),
      [mount, 'first'],
      'same disk, share mounted again',
    );
  });

  it('IMDS: the VM finds its own IMDS and ARM in /etc/dsvm-pool; its token is refused outside its scope', async () => {
    const [vm] = emulator.vms('ns-pool', 'nspool');
    const nsVm = backend.vms.get(vm.computerName);
    assert.ok(nsVm?.running);
    const endpoint = await emulator.imdsEndpoint('ns-pool', 'nspool', vm.instanceId);
    const files = ok(
      await nsVm.exec(
        'cat /etc/dsvm-pool/imds-endpoint /etc/dsvm-pool/arm-endpoint; stat -c %a /etc/dsvm-pool/arm-ca.pem',
      ),
      'the access files',
    );
    assert.deepEqual(files.split('\n'), [endpoint, emulator.url, '644']);
    const inside = ok(
      await nsVm.exec(
        [
          'set -e',
          'I=$(cat /etc/dsvm-pool/imds-endpoint)',
          'curl -sf -H Metadata:true "$I/metadata/instance?api-version=2021-02-01" | grep -o \'"name":"nspool_[0-9]*"\'',
          'curl -s -o /dev/null -w "%{http_code}\\n" "$I/metadata/instance?api-version=2021-02-01"',
          'T=$(curl -sf -H Metadata:true "$I/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/" | sed \'s/.*"access_token":"\\([^"]*\\)".*/\\1/\')',
          `curl -s --cacert /etc/dsvm-pool/arm-ca.pem -H "Authorization: Bearer $T" -X PUT -H 'Content-Type: application/json' -d '{"location":"westeurope","sku":{"capacity":3}}' "$(cat /etc/dsvm-pool/arm-endpoint)/subscriptions/${emulator.subscriptionId}/resourceGroups/ns-pool/providers/Microsoft.Compute/virtualMachineScaleSets/nspool?api-version=2024-11-01" | grep -o '"code":"[A-Za-z]*"'`,
        ].join('\n'),
      ),
      'IMDS and ARM from inside the VM',
    );
    assert.deepEqual(inside.split('\n'), [
      `"name":"nspool_${vm.instanceId}"`,
      '400',
      '"code":"AuthorizationFailed"',
    ]);
  });
});
