// pool.json with storage, deployed in the Azure emulator: the template creates the account and
// the share with its quota, and the scale set's model carries the agent's CustomScript extension
// whose protectedSettings hold the account's real key (what the compute RP receives; never
// returned by GET) while its public settings hold nothing. Then the extension's script runs for
// real, as root, in a throwaway "VM" (a private mount namespace with overlay /etc, /var and
// /usr/local, a tmpfs /run and a temp /home): it writes agent.json and the root-only SMB
// credentials file, installs the agent's own Node.js runtime from the share (sha512 checked; a
// tampered tarball is refused), the wrapper and systemd units, and the key never appears in any
// process's argv or environment (every execve traced with strace, plus PATH shims) nor in its
// output. SMB cannot mount here (no cifs module): a `mount` shim bind-mounts the share's folder
// from the Azure Files emulator instead, so the share fallback (no agentBundleUri) runs too.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AzureEmulator } from '../../../../emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../../../../emulators/azure/emulator-trust';
import {
  OVERLAY_ROOT_DIRS,
  OVERLAY_ROOT_SETUP,
  overlayRootArgv,
} from '../../../../helpers/overlay-root';
import type { EmulatorClients } from '../../../../emulators/azure/sdk-clients';
import { publicKey } from '../../../../unit/core/azure/template/pool-fixtures';

// Node reads NODE_EXTRA_CA_CERTS only at start: this re-runs the file with it set if needed.
await trustEmulatorCertificate();
const { ShareServiceClient, StorageSharedKeyCredential } =
  await import('@azure/storage-file-share');
const { startAzureEmulator } = await import('../../../../emulators/azure/azure-emulator');
const { createEmulatorClients } = await import('../../../../emulators/azure/sdk-clients');
const { TemplateEvaluation } = await import('../../../../emulators/azure/template-engine');
const { buildDeploymentParameters, loadPoolTemplate, validatePoolParameters } =
  await import('../../../../../src/core/azure/template/index');
const { findAgentRuntime } = await import('../../../../../src/core/agent-runtime');

type Json = Record<string, unknown>;

const repo = join(import.meta.dirname, '../../../../..');
const bundle = join(repo, 'out/agent/dsvm-pool-agent.js');
const RG = 'agent-rg';
const POOL = 'agentpool';
const ACCOUNT = `agentit${process.pid.toString(36)}`.slice(0, 24);
const SHARE = 'team-share';
const QUOTA = 256;
const SAS = `https://${ACCOUNT}.file.core.windows.net/${SHARE}/.pool/agent/dsvm-pool-agent.js?sv=2024-11-04&sr=f&sp=r&se=2030-01-01T00%3A00%3A00Z&sig=dGVzdC1zYXMtc2lnbmF0dXJl`;
const HAS_STRACE = (() => {
  try {
    execFileSync('strace', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
/** The script runs as root in a mount namespace; without root only the deployment is checked. */
/** The script runs in throwaway mount namespaces, as the agent's own integration tests do. */
function requireRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'this test runs the install script as root in a mount namespace: run it as root, as CI does',
    );
  }
}

const get = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v as Json | undefined)?.[k], value);

// --- A throwaway "VM" (after test/integration/agent/namespace.ts) -------------------------------

/** argv of every shimmed command, NUL-separated, one line per call. */
const LOGGING_SHIM = (real: string, log: string) => `#!/bin/sh
{ printf '%s\\0' "$0" "$@"; printf '\\n'; } >> ${log}
exec ${real} "$@"
`;

/** apt-get: only logged (the test installs nothing). */
const APT_SHIM = (log: string) => `#!/bin/sh
{ printf '%s\\0' "$0" "$@"; printf '\\n'; } >> ${log}
exit 0
`;

/**
 * mount: a cifs mount becomes a bind mount of the share's folder in the Azure Files emulator,
 * after recording how it was asked for: its options, and the credentials file's mode, owner and
 * a hash of its content (never the content).
 */
const MOUNT_SHIM = (realMount: string, log: string, shareDir: string) => `#!/bin/sh
{ printf '%s\\0' "$0" "$@"; printf '\\n'; } >> ${log}
if [ "$1" = "-t" ] && [ "$2" = "cifs" ]; then
  target=$4
  options=$6
  creds=$(printf '%s' "$options" | tr ',' '\\n' | sed -n 's/^credentials=//p')
  {
    printf 'cifs-options=%s\\n' "$options"
    printf 'cifs-credentials=%s %s\\n' "$(stat -c '%a %u' "$creds")" "$(sha256sum < "$creds" | cut -d' ' -f1)"
  } >> ${log}.cifs
  exec ${realMount} --bind ${shareDir} "$target"
fi
exec ${realMount} "$@"
`;

interface Vm {
  dir: string;
  etc: string;
  usrLocal: string;
  var: string;
  /** Where the extension would have put its files: script.sh (and a downloaded bundle). */
  download: string;
  argvLog: string;
  straceLog: string;
  run(script: string): Promise<{ code: number; stdout: string; stderr: string }>;
}

function makeVm(shareDir: string): Vm {
  requireRoot();
  const dir = mkdtempSync(join(tmpdir(), 'dsvm-pool-template-agent-'));
  for (const sub of [...OVERLAY_ROOT_DIRS, 'shims']) mkdirSync(join(dir, sub), { mode: 0o755 });
  writeFileSync(join(dir, 'setup.sh'), OVERLAY_ROOT_SETUP, { mode: 0o755 });
  const argvLog = join(dir, 'argv.log');
  const which = (cmd: string) =>
    execFileSync('sh', ['-c', `command -v ${cmd}`])
      .toString()
      .trim();
  const shims = join(dir, 'shims');
  writeFileSync(join(shims, 'apt-get'), APT_SHIM(argvLog), { mode: 0o755 });
  writeFileSync(join(shims, 'mount'), MOUNT_SHIM(which('mount'), argvLog, shareDir), {
    mode: 0o755,
  });
  for (const cmd of ['node', 'umount', 'cp', 'cat', 'rm', 'rmdir', 'mktemp', 'grep', 'systemctl']) {
    writeFileSync(join(shims, cmd), LOGGING_SHIM(which(cmd), argvLog), { mode: 0o755 });
  }
  const download = join(dir, 'var.up/lib/waagent/custom-script/download/0');
  mkdirSync(download, { recursive: true, mode: 0o700 });
  return {
    dir,
    etc: join(dir, 'etc.up'),
    usrLocal: join(dir, 'usrlocal.up'),
    var: join(dir, 'var.up'),
    download,
    argvLog,
    straceLog: join(dir, 'strace.log'),
    run: (script) =>
      new Promise((resolve) => {
        execFile(
          ...overlayRootArgv(join(dir, 'setup.sh'), script),
          {
            // A CustomScript-like environment: root, a short PATH (the shims first).
            env: { PATH: `${shims}:/usr/sbin:/usr/bin:/sbin:/bin`, VM_DIR: dir, LANG: 'C.UTF-8' },
            timeout: 60_000,
            maxBuffer: 16 * 1024 * 1024,
          },
          (error, stdout, stderr) => {
            const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
            resolve({ code, stdout, stderr });
          },
        );
      }),
  };
}

/** Runs the extension's script as CustomScript does: `/bin/sh -c ./script.sh` in its folder. */
async function runExtensionScript(vm: Vm, script: string) {
  writeFileSync(join(vm.download, 'script.sh'), script, { mode: 0o700 });
  const trace = HAS_STRACE
    ? `strace -f --seccomp-bpf -qq -v -s 1000000 -e trace=execve -o ${vm.straceLog} `
    : '';
  return vm.run(
    `cd /var/lib/waagent/custom-script/download/0 && ${trace}/bin/sh -c ./script.sh; code=$?; ls -a /run > ${vm.dir}/run-after.txt; exit $code`,
  );
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

describe('pool.json installs the agent on every instance (Azure emulator + a real run)', () => {
  let emulator: AzureEmulator;
  let azure: EmulatorClients;
  /** What the compute RP received for the scale set: the model with its protectedSettings. */
  let received: Json | undefined;
  let restore: () => void;
  let key1: string;
  let script: string;
  let runtime: Awaited<ReturnType<typeof findAgentRuntime>>;
  const vms: Vm[] = [];

  before(async () => {
    const build = new Promise<void>((resolve, reject) =>
      execFile(process.execPath, [join(repo, 'scripts/build-agent.mjs')], { cwd: repo }, (e) =>
        e ? reject(e) : resolve(),
      ),
    );
    // The evaluated resource bodies are what the deployment PUTs to the providers; the compute
    // provider drops protectedSettings before storing (GET never shows them), so the test reads
    // them here.
    const original = TemplateEvaluation.prototype.evaluateResource;
    TemplateEvaluation.prototype.evaluateResource = function (resource) {
      const body = original.call(this, resource);
      if (resource.type === 'Microsoft.Compute/virtualMachineScaleSets') {
        received = structuredClone(body);
      }
      return body;
    };
    restore = () => (TemplateEvaluation.prototype.evaluateResource = original);
    emulator = await startAzureEmulator({
      delays: { vmCreate: 20, vmStart: 20, resource: 20 },
      maxSshServers: 0,
    });
    azure = createEmulatorClients(emulator);
    await azure.resources.resourceGroups.createOrUpdate(RG, { location: 'westeurope' });
    await build;
  });

  after(async () => {
    restore?.();
    await emulator?.close();
    for (const vm of vms) rmSync(vm.dir, { recursive: true, force: true });
  });

  it('deploys storage with the quota and the extension whose protectedSettings hold the real key', async () => {
    const params = validatePoolParameters({
      poolName: POOL,
      location: 'westeurope',
      instanceCount: 2,
      maxInstances: 4,
      adminUsername: 'azureadmin',
      sshPublicKey: publicKey('ed25519'),
      allowedSourceCidrs: ['203.0.113.0/24'],
      dnsLabel: 'agent-pool-test',
      natFrontendPortStart: 21_000 + Math.floor(Math.random() * 80) * 100,
      storageAccountName: ACCOUNT,
      fileShareName: SHARE,
      shareQuotaGiB: QUOTA,
      agentBundleUri: SAS,
    });
    const deployment = await azure.deployments.deployments.createOrUpdate(RG, 'dsvm-pool', {
      properties: {
        mode: 'Incremental',
        template: loadPoolTemplate() as unknown as Json,
        parameters: buildDeploymentParameters(params),
      },
    });
    assert.equal(deployment.properties?.provisioningState, 'Succeeded');
    // A secureString parameter is not echoed by the deployment.
    assert.doesNotMatch(JSON.stringify(deployment), /sig=/);

    const account = await azure.storage.storageAccounts.getProperties(RG, ACCOUNT);
    assert.equal(account.kind, 'StorageV2');
    assert.equal(account.sku?.name, 'Standard_LRS');
    assert.equal(account.minimumTlsVersion, 'TLS1_2');
    assert.equal(account.allowBlobPublicAccess, false);
    assert.equal(account.enableHttpsTrafficOnly, true);
    assert.equal(account.tags?.['dsvm-pool'], POOL);
    const share = await azure.storage.fileShares.get(RG, ACCOUNT, SHARE);
    assert.equal(share.shareQuota, QUOTA);
    const { keys } = await azure.storage.storageAccounts.listKeys(RG, ACCOUNT);
    key1 = keys?.[0].value ?? '';
    assert.ok(key1.length > 40);

    // The model as anyone with Reader access sees it: the extension, nothing secret.
    const vmss = await azure.compute.virtualMachineScaleSets.get(RG, POOL);
    const extensions = vmss.virtualMachineProfile?.extensionProfile?.extensions ?? [];
    assert.equal(extensions.length, 1);
    const ext = extensions[0];
    assert.equal(ext.name, 'dsvm-pool-agent');
    assert.equal(ext.publisher, 'Microsoft.Azure.Extensions');
    assert.equal(ext.typePropertiesType, 'CustomScript');
    assert.equal(ext.typeHandlerVersion, '2.1');
    assert.deepEqual(ext.settings ?? {}, {});
    assert.equal(ext.protectedSettings, undefined, 'protectedSettings are never returned');
    const visible = JSON.stringify(vmss);
    for (const secret of [key1, 'sig=', Buffer.from(key1).toString('base64')]) {
      assert.ok(!visible.includes(secret), 'the public model holds no secret');
    }
    // Both instances exist with that model (scale-out adds more with the same model).
    const instances: unknown[] = [];
    for await (const vm of azure.compute.virtualMachineScaleSetVMs.list(RG, POOL))
      instances.push(vm);
    assert.equal(instances.length, 2);

    // What the compute RP received: the key (listKeys' key1) in the script, the SAS in fileUris.
    assert.ok(received, 'the scale set body was captured');
    const [sent] = get(
      received,
      'properties.virtualMachineProfile.extensionProfile.extensions',
    ) as Json[];
    assert.deepEqual(get(sent, 'properties.settings'), {});
    const protectedSettings = get(sent, 'properties.protectedSettings') as Json;
    assert.deepEqual(protectedSettings.fileUris, [SAS]);
    script = Buffer.from(protectedSettings.script as string, 'base64').toString('utf8');
    assert.ok(script.includes(`POOL_STORAGE_KEY='${key1}'`), "the account's real key");
    const { protectedSettings: _p, ...publicPart } = sent.properties as Json;
    assert.ok(!JSON.stringify(publicPart).includes(key1));

    // The app uploads the bundle to the share first (the fallback when nothing is downloaded).
    const files = new ShareServiceClient(
      account.primaryEndpoints?.file ?? '',
      new StorageSharedKeyCredential(ACCOUNT, key1),
    ).getShareClient(SHARE);
    await files.getDirectoryClient('.pool').createIfNotExists();
    await files.getDirectoryClient('.pool/agent').createIfNotExists();
    await files
      .getDirectoryClient('.pool/agent')
      .getFileClient('dsvm-pool-agent.js')
      .uploadData(readFileSync(bundle));
    // …and the agent's own Node.js beside it (the build fetched it: out/agent/runtime).
    runtime = await findAgentRuntime('x64');
    assert.ok(runtime, 'out/agent/runtime holds the x64 runtime (npm run build:agent)');
    await files
      .getDirectoryClient('.pool/agent')
      .getFileClient(runtime.fileName)
      .uploadFile(runtime.path);
  });

  /** What every run of the script must leave: config, credentials, bundle, wrapper, units; no key anywhere else. */
  function checkInstalled(vm: Vm, result: { code: number; stdout: string; stderr: string }) {
    assert.equal(
      result.code,
      0,
      `the script failed\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
    );
    assert.deepEqual(JSON.parse(readFileSync(join(vm.etc, 'dsvm-pool/agent.json'), 'utf8')), {
      version: 1,
      share: {
        protocol: 'smb',
        source: `//${ACCOUNT}.file.core.windows.net/${SHARE}`,
        mountPoint: '/mnt/dsvm-pool',
        account: ACCOUNT,
      },
      shareName: SHARE,
      adminUser: 'azureadmin',
      adminGroup: 'sudo',
    });
    const cred = join(vm.etc, `smbcredentials/${ACCOUNT}.cred`);
    const info = statSync(cred);
    assert.equal(info.mode & 0o777, 0o600);
    assert.equal(info.uid, 0);
    assert.equal(statSync(join(vm.etc, 'smbcredentials')).mode & 0o777, 0o700);
    assert.equal(readFileSync(cred, 'utf8'), `username=${ACCOUNT}\npassword=${key1}\n`);
    assert.ok(statSync(join(vm.usrLocal, 'lib/dsvm-pool/dsvm-pool-agent.js')).isFile());
    const wrapper = readFileSync(join(vm.usrLocal, 'bin/dsvm-pool-agent'), 'utf8');
    assert.match(wrapper, /exec "\$NODE" \/usr\/local\/lib\/dsvm-pool\/dsvm-pool-agent\.js/);
    // The agent's own Node.js, not the image's: unpacked, stamped with its pinned sha512.
    assert.match(wrapper, /^NODE=\/usr\/local\/lib\/dsvm-pool\/node\/bin\/node$/m);
    assert.ok(statSync(join(vm.usrLocal, 'lib/dsvm-pool/node/bin/node')).mode & 0o111);
    assert.equal(
      readFileSync(join(vm.usrLocal, 'lib/dsvm-pool/node/.sha512'), 'utf8'),
      `${runtime!.sha512}\n`,
    );
    assert.deepEqual(readdirSync(join(vm.usrLocal, 'lib/dsvm-pool')).sort(), [
      'dsvm-pool-agent.js',
      'node',
    ]);
    assert.ok(existsSync(join(vm.etc, 'systemd/system/dsvm-pool-agent.service')));
    assert.ok(existsSync(join(vm.etc, 'systemd/system/dsvm-pool-agent.timer')));
    assert.equal(
      readlinkSync(join(vm.etc, 'systemd/system/timers.target.wants/dsvm-pool-agent.timer')),
      '/etc/systemd/system/dsvm-pool-agent.timer',
    );
    assert.ok(
      lstatSync(
        join(vm.etc, 'systemd/system/multi-user.target.wants/dsvm-pool-agent.service'),
      ).isSymbolicLink(),
    );

    // Nothing left behind: the script deleted itself and its temp folder.
    assert.equal(existsSync(join(vm.download, 'script.sh')), false, 'script.sh deleted');
    assert.doesNotMatch(readFileSync(join(vm.dir, 'run-after.txt'), 'utf8'), /dsvm-pool-install/);
    // The key: not in the output (the extension reports it to anyone with Reader access) …
    assert.ok(!result.stdout.includes(key1) && !result.stderr.includes(key1), 'not in the output');
    // … and in no argv (nor environment) of any process the script or the agent started.
    const argv = readFileSync(vm.argvLog, 'utf8');
    assert.ok(!argv.includes(key1), 'not in any shimmed argv');
    // The image's node (shimmed here) never ran: the runtime did.
    assert.ok(!argv.split('\n').some((l) => l.startsWith(`${vm.dir}/shims/node\0`)), argv);
    if (HAS_STRACE) {
      const trace = readFileSync(vm.straceLog, 'utf8');
      assert.match(
        trace,
        /execve\("\/usr\/local\/lib\/dsvm-pool\/node\/bin\/node", \[[^\]]*"install", "--config", "\/run\/dsvm-pool-install\.[^/]+\/agent\.json", "--storage-key-stdin"/,
        'the trace saw the install, run by the runtime',
      );
      assert.ok(trace.split('\n').filter((l) => l.includes('execve(')).length > 10);
      assert.ok(!trace.includes(key1), 'not in any execve argv or environment');
    }
  }

  it('the script installs the downloaded bundle: agent.json, root-only credentials, wrapper, units', async (t) => {
    assert.ok(script, 'the deployment ran');
    if (!HAS_STRACE) t.diagnostic('strace is missing: argv is checked through PATH shims only');
    const shareDir = emulator.files.dataDir(ACCOUNT, SHARE);
    const vm = makeVm(shareDir);
    vms.push(vm);
    // The extension downloaded fileUris (agentBundleUri) next to the script.
    writeFileSync(join(vm.download, 'dsvm-pool-agent.js'), readFileSync(bundle), { mode: 0o644 });
    const result = await runExtensionScript(vm, script);
    checkInstalled(vm, result);
    assert.match(result.stderr, /using the agent bundle the extension downloaded/);
    assert.match(
      result.stderr,
      /installed the agent's own Node\.js [\d.]+ \(x64, sha512 checked\)/,
    );
    assert.equal(existsSync(join(vm.download, 'dsvm-pool-agent.js')), false, 'download removed');
    // cifs-utils is missing here: the script asked apt for it (the shim installs nothing).
    const apt = readFileSync(vm.argvLog, 'utf8')
      .split('\n')
      .filter((l) => l.includes('apt-get'))
      .map((l) => l.split('\0').slice(1, -1).join(' '));
    assert.ok(
      apt.some((l) => /install -y --no-install-recommends cifs-utils$/.test(l)),
      apt.join('\n'),
    );
    // The share was mounted once, for the runtime only.
    assert.equal(readFileSync(`${vm.argvLog}.cifs`, 'utf8').match(/^cifs-options=/gm)?.length, 1);
  });

  it('without a downloaded bundle it copies the one on the share, mounting with a temporary credentials file', async () => {
    assert.ok(script, 'the deployment ran');
    const vm = makeVm(emulator.files.dataDir(ACCOUNT, SHARE));
    vms.push(vm);
    const result = await runExtensionScript(vm, script);
    checkInstalled(vm, result);
    assert.match(result.stderr, /fetching the agent from the share/);
    assert.deepEqual(
      readFileSync(join(vm.usrLocal, 'lib/dsvm-pool/dsvm-pool-agent.js')),
      readFileSync(bundle),
    );
    const cifs = readFileSync(`${vm.argvLog}.cifs`, 'utf8');
    assert.match(
      cifs,
      /^cifs-options=ro,vers=3\.1\.1,credentials=\/run\/dsvm-pool-install\.[^/]+\/smb\.cred$/m,
    );
    assert.doesNotMatch(cifs, /password=/);
    const expected = sha256(`username=${ACCOUNT}\npassword=${key1}\n`);
    assert.match(cifs, new RegExp(`^cifs-credentials=600 0 ${expected}$`, 'm'));
    const mounts = readFileSync(vm.argvLog, 'utf8')
      .split('\n')
      .filter((l) => /\/mount\0-t\0cifs\0/.test(l));
    assert.equal(mounts.length, 1);
    assert.ok(mounts[0].includes(`//${ACCOUNT}.file.core.windows.net/${SHARE}`));
    assert.ok(readFileSync(vm.argvLog, 'utf8').includes('umount'), 'the temporary mount is undone');
  });

  it('fails clearly when no bundle is anywhere, leaving no key, mount or temp file behind', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'dsvm-pool-empty-share-'));
    const vm = makeVm(empty);
    vms.push(vm);
    try {
      const result = await runExtensionScript(vm, script);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /the share holds no \.pool\/agent\/dsvm-pool-agent\.js/);
      assert.ok(!result.stdout.includes(key1) && !result.stderr.includes(key1));
      assert.equal(existsSync(join(vm.etc, 'smbcredentials')), false, 'the agent never ran');
      assert.equal(existsSync(join(vm.download, 'script.sh')), false, 'script.sh deleted');
      assert.doesNotMatch(readFileSync(join(vm.dir, 'run-after.txt'), 'utf8'), /dsvm-pool-install/);
      assert.ok(!readFileSync(vm.argvLog, 'utf8').includes(key1));
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('refuses a runtime on the share whose sha512 is not the pinned one: nothing of it runs', async () => {
    const share = mkdtempSync(join(tmpdir(), 'dsvm-pool-tampered-share-'));
    try {
      mkdirSync(join(share, '.pool/agent'), { recursive: true });
      writeFileSync(join(share, '.pool/agent/dsvm-pool-agent.js'), readFileSync(bundle));
      const tampered = Buffer.from(readFileSync(runtime!.path));
      tampered[tampered.length - 100] ^= 0xff;
      writeFileSync(join(share, '.pool/agent', runtime!.fileName), tampered);
      const vm = makeVm(share);
      vms.push(vm);
      const result = await runExtensionScript(vm, script);
      assert.equal(result.code, 1, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(
          `${runtime!.fileName.replace(/\./g, '\\.')} on the share has sha512 [0-9a-f]{128}, not the pinned ${runtime!.sha512}: refusing to run it`,
        ),
      );
      assert.equal(existsSync(join(vm.usrLocal, 'lib/dsvm-pool/node')), false, 'nothing unpacked');
      assert.equal(existsSync(join(vm.etc, 'smbcredentials')), false, 'the agent never ran');
      assert.ok(!result.stderr.includes(key1));
    } finally {
      rmSync(share, { recursive: true, force: true });
    }
  });

  it('a second run (the extension re-run) keeps the installed agent and changes nothing', async () => {
    const vm = vms[1];
    assert.ok(vm, 'the second test made the VM');
    const before = readdirSync(join(vm.etc, 'dsvm-pool'));
    const result = await runExtensionScript(vm, script);
    checkInstalled(vm, result);
    assert.match(result.stderr, /using the agent already installed/);
    assert.match(result.stderr, /the agent runs on its own Node\.js/);
    assert.doesNotMatch(result.stderr, /fetching the agent from the share/);
    assert.deepEqual(readdirSync(join(vm.etc, 'dsvm-pool')), before);
    assert.doesNotMatch(
      result.stderr,
      /wrote \/etc\/dsvm-pool\/agent\.json|wrote \/etc\/smbcredentials/,
    );
  });
});
