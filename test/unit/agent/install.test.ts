// `install` against a temporary root: files and modes, the key never in argv or logs, the key
// file must be root-only, units and systemctl calls, idempotency, clear refusals.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentConfigSchema } from '../../../src/common/agent-protocol';
import { SERVICE_UNIT, SUDOERS_RULE, TIMER_UNIT, WATCH_UNIT } from '../../../src/agent/install';
import { runCli } from '../../../src/agent/run-cli';
import type { TestMachine } from './fake-system';
import { makeMachine } from './fake-system';

const KEY = `${'k'.repeat(40)}+/${'Q'.repeat(44)}==`;
const config = {
  version: 1,
  share: {
    protocol: 'smb',
    source: '//acct1.file.core.windows.net/share',
    mountPoint: '/mnt/dsvm-pool',
  },
  shareName: 'share',
  adminUser: 'azureuser',
};

describe('install', () => {
  let machine: TestMachine;
  let inputs: string;
  let out: string[];
  beforeEach(async () => {
    machine = await makeMachine();
    inputs = await mkdtemp(join(tmpdir(), 'dsvm-agent-install-'));
    await writeFile(join(inputs, 'dsvm-pool-agent.js'), '#!/usr/bin/env node\n// the bundle\n');
    machine.system.self = join(inputs, 'dsvm-pool-agent.js');
    await writeFile(join(inputs, 'agent.json'), JSON.stringify(config));
    await writeFile(join(inputs, 'key'), `${KEY}\n`, { mode: 0o600 });
    out = [];
  });
  afterEach(async () => {
    await machine.cleanup();
    await rm(inputs, { recursive: true, force: true });
  });

  const cli = (args: string[], stdin = '') =>
    runCli(args, {
      system: machine.system,
      readStdin: async () => stdin,
      write: (t) => out.push(t),
    });
  const file = (path: string) => join(machine.root, path);

  it('installs bundle, wrapper, config, a root-only credentials file and the units', async () => {
    const code = await cli([
      'install',
      '--config',
      join(inputs, 'agent.json'),
      '--storage-key-file',
      join(inputs, 'key'),
    ]);
    assert.equal(code, 0, machine.system.logs.join('\n'));
    const cred = file('etc/smbcredentials/acct1.cred');
    assert.equal(await readFile(cred, 'utf8'), `username=acct1\npassword=${KEY}\n`);
    assert.equal((await stat(cred)).mode & 0o777, 0o600);
    assert.equal((await stat(file('etc/smbcredentials'))).mode & 0o777, 0o700);
    assert.deepEqual(
      AgentConfigSchema.parse(JSON.parse(await readFile(file('etc/dsvm-pool/agent.json'), 'utf8'))),
      AgentConfigSchema.parse(config),
    );
    assert.equal(
      await readFile(file('usr/local/lib/dsvm-pool/dsvm-pool-agent.js'), 'utf8'),
      '#!/usr/bin/env node\n// the bundle\n',
    );
    assert.equal(
      (await stat(file('usr/local/lib/dsvm-pool/dsvm-pool-agent.js'))).mode & 0o777,
      0o755,
    );
    const wrapper = await readFile(file('usr/local/bin/dsvm-pool-agent'), 'utf8');
    assert.match(wrapper, /^#!\/bin\/sh\n/);
    assert.match(wrapper, /^NODE=\/usr\/bin\/node$/m);
    assert.match(wrapper, /if \[ "\$major" -lt 18 \]/);
    assert.match(
      wrapper,
      /^exec "\$NODE" \/usr\/local\/lib\/dsvm-pool\/dsvm-pool-agent\.js "\$@"$/m,
    );
    assert.equal((await stat(file('usr/local/bin/dsvm-pool-agent'))).mode & 0o777, 0o755);
    assert.equal(
      await readFile(file('etc/systemd/system/dsvm-pool-agent.service'), 'utf8'),
      SERVICE_UNIT,
    );
    assert.equal(
      await readFile(file('etc/systemd/system/dsvm-pool-agent.timer'), 'utf8'),
      TIMER_UNIT,
    );
    assert.match(SERVICE_UNIT, /^Type=oneshot$/m);
    assert.match(SERVICE_UNIT, /^After=network-online\.target/m);
    assert.match(SERVICE_UNIT, /^ExecStart=\/usr\/local\/bin\/dsvm-pool-agent apply$/m);
    assert.match(TIMER_UNIT, /^OnBootSec=30s$/m);
    assert.match(TIMER_UNIT, /^OnUnitActiveSec=1min$/m);
    assert.equal(
      await readFile(file('etc/systemd/system/dsvm-pool-agent-watch.service'), 'utf8'),
      WATCH_UNIT,
    );
    assert.match(WATCH_UNIT, /^ExecStart=\/usr\/local\/bin\/dsvm-pool-agent watch$/m);
    assert.match(WATCH_UNIT, /^Restart=always$/m);
    // No systemd running in the test root: enabled offline.
    assert.deepEqual(machine.system.callsOf('systemctl'), [
      [
        'systemctl',
        `--root=${machine.root}`,
        'enable',
        'dsvm-pool-agent.service',
        'dsvm-pool-agent.timer',
        'dsvm-pool-agent-watch.service',
      ],
    ]);
    const everything = JSON.stringify([
      machine.system.calls,
      machine.system.stdinOf,
      machine.system.logs,
      out,
    ]);
    assert.ok(
      !everything.includes(KEY),
      'the key is in no argv, stdin of a command, log or output',
    );

    // Again: nothing rewritten.
    const logs = machine.system.logs.length;
    assert.equal(
      await cli([
        'install',
        '--config',
        join(inputs, 'agent.json'),
        '--storage-key-file',
        join(inputs, 'key'),
      ]),
      0,
    );
    assert.deepEqual(
      machine.system.logs.slice(logs).filter((l) => /wrote|installed/.test(l)),
      [],
    );
  });

  it("runs the agent on its own runtime once an installer unpacked it, else on this machine's Node.js (said so)", async () => {
    const args = [
      'install',
      '--config',
      join(inputs, 'agent.json'),
      '--storage-key-file',
      join(inputs, 'key'),
    ];
    assert.equal(await cli(args), 0, machine.system.logs.join('\n'));
    assert.match(
      await readFile(file('usr/local/bin/dsvm-pool-agent'), 'utf8'),
      /^NODE=\/usr\/bin\/node$/m,
    );
    assert.match(
      machine.system.logs.join('\n'),
      /no agent runtime in \/usr\/local\/lib\/dsvm-pool\/node/,
    );

    // The template's script (or the app over SSH) unpacked the runtime: the wrapper uses it.
    await mkdir(file('usr/local/lib/dsvm-pool/node/bin'), { recursive: true });
    await writeFile(file('usr/local/lib/dsvm-pool/node/bin/node'), '#!/bin/sh\n', { mode: 0o755 });
    machine.system.logs.length = 0;
    assert.equal(await cli(args), 0, machine.system.logs.join('\n'));
    assert.match(
      await readFile(file('usr/local/bin/dsvm-pool-agent'), 'utf8'),
      /^NODE=\/usr\/local\/lib\/dsvm-pool\/node\/bin\/node$/m,
    );
    const logs = machine.system.logs.join('\n');
    assert.match(
      logs,
      /wrote \/usr\/local\/bin\/dsvm-pool-agent \(runs the agent on \/usr\/local\/lib\/dsvm-pool\/node\/bin\/node\)/,
    );
    assert.doesNotMatch(logs, /no agent runtime/);
  });

  it("lets any user run exactly `dsvm-pool-agent apply` through sudo (the app's Fix button)", async () => {
    await mkdir(file('etc/sudoers.d'), { recursive: true });
    assert.equal(
      await cli(['install', '--config', join(inputs, 'agent.json'), '--storage-key-stdin'], KEY),
      0,
    );
    const rule = file('etc/sudoers.d/dsvm-pool-agent');
    assert.equal(await readFile(rule, 'utf8'), SUDOERS_RULE);
    assert.equal((await stat(rule)).mode & 0o777, 0o440);
    // Only that command with that one argument: sudoers matches the arguments exactly.
    assert.match(
      SUDOERS_RULE,
      /^ALL ALL=\(root\) NOPASSWD: \/usr\/local\/bin\/dsvm-pool-agent apply$/m,
    );
  });

  it('with systemd running: daemon-reload, enable at boot, timer now, first apply started', async () => {
    await mkdir(file('run/systemd/system'), { recursive: true });
    assert.equal(
      await cli(['install', '--config', join(inputs, 'agent.json'), '--storage-key-stdin'], KEY),
      0,
    );
    assert.deepEqual(machine.system.callsOf('systemctl'), [
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', 'dsvm-pool-agent.service'],
      ['systemctl', 'enable', '--now', 'dsvm-pool-agent.timer'],
      ['systemctl', 'start', '--no-block', 'dsvm-pool-agent.service'],
      ['systemctl', 'enable', 'dsvm-pool-agent-watch.service'],
      ['systemctl', 'restart', '--no-block', 'dsvm-pool-agent-watch.service'],
    ]);
    assert.equal(
      await readFile(file('etc/smbcredentials/acct1.cred'), 'utf8'),
      `username=acct1\npassword=${KEY}\n`,
    );
  });

  it('takes config and key together on stdin', async () => {
    const code = await cli(['install'], JSON.stringify({ config, storageKey: KEY }));
    assert.equal(code, 0, machine.system.logs.join('\n'));
    assert.match(await readFile(file('etc/smbcredentials/acct1.cred'), 'utf8'), /password=/);
  });

  it('refuses a key file others can read, a key on the command line, a missing key, bad input', async () => {
    await writeFile(join(inputs, 'open-key'), KEY, { mode: 0o644 });
    const refusals: Array<[string[], string, RegExp]> = [
      [
        [
          'install',
          '--config',
          join(inputs, 'agent.json'),
          '--storage-key-file',
          join(inputs, 'open-key'),
        ],
        '',
        /readable by root only \(chmod 600/,
      ],
      [
        ['install', '--config', join(inputs, 'agent.json'), '--storage-key', KEY],
        '',
        /Unknown option '--storage-key'/,
      ],
      [['install', '--config', join(inputs, 'agent.json')], '', /needs the storage account key/],
      [
        ['install', '--storage-key-stdin'],
        KEY,
        /stdin carries the key: give the configuration with --config/,
      ],
      [['install'], '', /no configuration/],
      [['install'], '{"version":1', /stdin is not valid JSON/],
      [
        ['install', '--config', join(inputs, 'agent.json'), '--storage-key-stdin'],
        'not a key!',
        /does not look like an account key/,
      ],
    ];
    for (const [args, stdin, message] of refusals) {
      const errors: string[] = [];
      const original = process.stderr.write.bind(process.stderr);
      process.stderr.write = ((chunk: string) => (
        errors.push(String(chunk)),
        true
      )) as typeof process.stderr.write;
      let code: number;
      try {
        code = await cli(args, stdin);
      } finally {
        process.stderr.write = original;
      }
      assert.equal(code, 2, `${args.join(' ')}`);
      const said = [...machine.system.logs, ...errors].join('\n');
      assert.match(said, message);
      assert.ok(!said.includes(KEY), 'the key is never echoed');
    }
    await assert.rejects(stat(file('etc/smbcredentials/acct1.cred')), { code: 'ENOENT' });
  });

  it('refuses a Node.js older than 18 and a run not from the bundle', async () => {
    machine.system.nodeVersion = '16.20.2';
    assert.equal(
      await cli([
        'install',
        '--config',
        join(inputs, 'agent.json'),
        '--storage-key-file',
        join(inputs, 'key'),
      ]),
      3,
    );
    assert.match(
      machine.system.logs.join('\n'),
      /Node\.js 16\.20\.2 is too old: the agent needs Node\.js >= 18/,
    );
    machine.system.nodeVersion = '20.19.0';
    machine.system.self = undefined;
    assert.equal(
      await cli([
        'install',
        '--config',
        join(inputs, 'agent.json'),
        '--storage-key-file',
        join(inputs, 'key'),
      ]),
      2,
    );
    assert.match(machine.system.logs.join('\n'), /must run from the bundled agent/);
  });
});
