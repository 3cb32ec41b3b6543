// Fuzz of the bundled agent as root on a throwaway VM (private mount namespace, overlay /etc,
// /var, /usr/local, temp /home): generated team registries (hostile names, uids, keys, sizes,
// FIFOs and links for the file itself), then members' homes planted with FIFOs, sockets, device
// nodes, symlinks (to a root-only canary, to another user's Jupyter runtime, loops, dangling),
// huge and unreadable files at every path the agent reads. Pass: apply and status end within
// their deadlines, say what is wrong in sentences (no stack), and never follow a member's link.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { AgentHeartbeatSchema, type AgentHeartbeat } from '../../../src/common/agent-protocol';
import { parseRegistry } from '../../../src/agent/registry';
import { unsafeCharacter } from '../../../src/common/user-text';
import { fuzzRuns, fuzzSeed, sampleOf } from '../../helpers/fuzz';
import { RSA_2048_LINE, ed25519Line } from '../../helpers/ssh-keys';
import { makeTestVm, type TestVm } from './namespace';

const run = promisify(execFile);
const repo = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../..');
const bundle = join(repo, 'out/agent/dsvm-pool-agent.js');
const REAL_FILES = ['/etc/passwd', '/etc/shadow', '/etc/group', '/etc/gshadow', '/etc/fstab'];
const CANARY = `FZ-CANARY-${Date.now()}`;
const ROOT_TOKEN = `FZ-ROOT-TOKEN-${Date.now()}`;
/** zod's default wording, where plain words belong. */
const ZOD_DEFAULTS = /Invalid input|expected \w+, received|Too (big|small)|Unrecognized key/;
/** A stack trace or a raw JS error in what the agent says: an internal failure, not a sentence. */
const INTERNAL =
  /\n\s+at |TypeError|RangeError|ReferenceError|Cannot read propert|undefined is not/;

const hashes = async () =>
  Object.fromEntries(
    await Promise.all(
      REAL_FILES.map(async (f) => [
        f,
        createHash('sha256')
          .update(await readFile(f))
          .digest('hex'),
      ]),
    ),
  );

/** One case's output of the loop in the namespace: `<<case N>>` … `<<apply=rc status=rc>>`. */
interface CaseOutput {
  applyCode: number;
  statusCode: number;
  stderr: string;
  heartbeat: AgentHeartbeat | undefined;
}

function parseCases(stdout: string): Map<number, CaseOutput> {
  const cases = new Map<number, CaseOutput>();
  for (const block of stdout.split('<<case ').slice(1)) {
    const index = Number(block.slice(0, block.indexOf('>>')));
    const codes = /<<apply=(\d+) status=(\d+)>>/.exec(block);
    const json = block.slice(block.indexOf('>>') + 2, codes?.index ?? block.length).trim();
    let heartbeat: AgentHeartbeat | undefined;
    try {
      heartbeat = AgentHeartbeatSchema.parse(JSON.parse(json));
    } catch {
      heartbeat = undefined;
    }
    const stderr = /<<stderr>>([^]*?)<<end>>/.exec(block)?.[1] ?? '';
    cases.set(index, {
      applyCode: Number(codes?.[1] ?? -1),
      statusCode: Number(codes?.[2] ?? -1),
      stderr,
      heartbeat,
    });
  }
  return cases;
}

/** Shell lines that run apply then status with deadlines, framed for parseCases. */
const applyAndStatus = (index: number) =>
  [
    `echo '<<case ${index}>>'`,
    `timeout 150 dsvm-pool-agent apply 2>"$VM_DIR/err"; a=$?`,
    `timeout 60 dsvm-pool-agent status --json 2>>"$VM_DIR/err"; s=$?`,
    `echo "<<apply=$a status=$s>>"; echo '<<stderr>>'; cat "$VM_DIR/err"; echo '<<end>>'`,
  ].join('\n');

describe('agent fuzz: hostile registries and homes on a throwaway VM (root, mount namespace)', () => {
  let vm: TestVm;
  let realBefore: Record<string, string>;
  let share: string;
  let mountPoint: string;
  let canary: Server;
  const seenTokens: string[] = [];
  const annKey = ed25519Line('fzann@laptop');
  const bobKey = RSA_2048_LINE;
  const seed = fuzzSeed('agent fuzz', 20261209);
  const members = (list: unknown[]) => JSON.stringify({ version: 1, members: list });

  before(async () => {
    await run(process.execPath, [join(repo, 'scripts/build-agent.mjs')], { cwd: repo });
    realBefore = await hashes();
    vm = await makeTestVm();
    share = join(vm.dir, 'share');
    mountPoint = join(vm.dir, 'mnt/pool');
    await mkdir(join(share, '.pool'), { recursive: true });
    await writeFile(
      join(vm.dir, 'agent.json'),
      JSON.stringify({
        version: 1,
        share: { protocol: 'bind', source: share, mountPoint },
        shareName: 'pool',
        adminUser: 'fzadmin',
        computerName: 'fz-vm-1',
      }),
    );
    // Records every token a Jupyter request carries: another user's must never arrive.
    canary = createServer((req, res) => {
      seenTokens.push(String(req.headers.authorization ?? ''));
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('[{"execution_state":"busy"}]');
    });
    await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
    const result = await vm.run(
      [
        'useradd --create-home --shell /bin/bash fzadmin',
        `node ${bundle} install --config ${vm.dir}/agent.json`,
        // A root-only file that no member may reach through a link.
        `printf '%s\\n' '${CANARY}' > /etc/fz-canary && chmod 600 /etc/fz-canary`,
      ].join(' && '),
    );
    assert.equal(result.code, 0, result.stderr);
  });

  after(async () => {
    canary?.close();
    await vm?.cleanup();
    assert.deepEqual(await hashes(), realBefore, "the machine's own users and fstab are untouched");
  });

  it('fuzz: generated registries (hostile names, uids, keys, sizes, the file a FIFO or a link) never hang or crash the agent', async () => {
    const name = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('fzann', 'fzbob') },
      {
        weight: 3,
        arbitrary: fc.constantFrom(
          'root',
          'sshd',
          'nobody',
          'fzadmin',
          '-rf',
          '../etc',
          'fz ann',
          'fz\u202eann',
          'FZANN',
          'fz\u0000ann',
          'a'.repeat(40),
          '',
          '0day',
          '__proto__',
          'fzann\n',
        ),
      },
      { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    );
    const uid = fc.option(
      fc.constantFrom<unknown>(0, 999, 1000, 65534, 60001, 20001, -1, 1.5, null, '20001', 1e300),
      { freq: 2 },
    );
    const key = fc.constantFrom(
      annKey,
      bobKey,
      'garbage',
      '',
      `command="touch /etc/fz-pwned" ${annKey}`,
      `${annKey}\nssh-ed25519 AAAA injected`,
      `ssh-ed25519 ${'A'.repeat(100_000)}`,
      'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7',
      `${annKey} \u202ecomment`,
    );
    const member = fc.record(
      {
        name,
        sshKeys: fc.oneof(fc.array(key, { maxLength: 3 }), fc.constantFrom<unknown>('x', null, {})),
        admin: fc.constantFrom<unknown>(true, false, 'yes', 1),
        uid,
        extra: fc.constant(1),
      },
      { requiredKeys: ['name', 'sshKeys'] },
    );
    const registry = fc.oneof(
      { weight: 6, arbitrary: fc.array(member, { maxLength: 3 }).map((list) => members(list)) },
      {
        weight: 3,
        arbitrary: fc.constantFrom(
          members([
            { name: 'fzann', sshKeys: [annKey] },
            { name: 'fzbob', sshKeys: [bobKey] },
          ]),
          members([
            { name: 'fzann', sshKeys: [annKey] },
            { name: 'fzann', sshKeys: [bobKey] },
          ]),
          JSON.stringify({ version: 2, members: [] }),
          JSON.stringify({ version: 1, members: 'fzann' }),
          '{"version":1,"members":[],"__proto__":{"admin":true}}',
          '{"version":1,"members":[',
          '',
          '\u0000\u0000',
          `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
          members(Array.from({ length: 5_001 }, (_, i) => ({ name: `fz${i}`, sshKeys: [] }))),
          `{"version":1,"members":[],"pad":"${'x'.repeat(5 * 1024 * 1024)}"}`,
        ),
      },
      // The file itself: a FIFO, a link to the canary, a loop, a folder.
      { weight: 2, arbitrary: fc.constantFrom('<fifo>', '<link-canary>', '<link-loop>', '<dir>') },
    );
    // First a good registry (accounts are made, and become the last good copy), then generated ones.
    const cases = [
      members([
        { name: 'fzann', sshKeys: [annKey] },
        { name: 'fzbob', sshKeys: [bobKey], admin: true },
      ]),
      ...sampleOf(registry, seed, fuzzRuns(8)),
    ];
    const lines: string[] = ['PATH=/usr/local/sbin:/usr/local/bin:$PATH'];
    const users = `${share}/.pool/users.json`;
    for (const [index, text] of cases.entries()) {
      lines.push(`rm -rf '${users}'`);
      if (text === '<fifo>') lines.push(`mkfifo '${users}'`);
      else if (text === '<link-canary>') lines.push(`ln -s /etc/fz-canary '${users}'`);
      else if (text === '<link-loop>') lines.push(`ln -s '${users}' '${users}'`);
      else if (text === '<dir>') lines.push(`mkdir '${users}'`);
      else {
        await writeFile(join(vm.dir, `registry-${index}.json`), text);
        lines.push(`cp '${vm.dir}/registry-${index}.json' '${users}'`);
      }
      lines.push(applyAndStatus(index));
    }
    lines.push(`echo '<<passwd>>'; getent passwd | grep 'dsvm-pool member' | cut -d: -f1`);
    const result = await vm.run(lines.join('\n'), 600_000);
    const outputs = parseCases(result.stdout);
    const validNames = new Set<string>();
    for (const [index, text] of cases.entries()) {
      const out = outputs.get(index);
      const what = `registry case ${index} (seed ${seed}): ${JSON.stringify(text.slice(0, 300))}\n${out?.stderr ?? result.stderr.slice(-2000)}`;
      assert.ok(out, `no output: ${what}`);
      assert.ok([0, 1].includes(out.applyCode), `apply exit ${out.applyCode}: ${what}`);
      assert.equal(out.statusCode, 0, `status exit ${out.statusCode}: ${what}`);
      assert.doesNotMatch(out.stderr, INTERNAL, what);
      assert.ok(out.heartbeat, `status --json gave no heartbeat: ${what}`);
      const parsed = text.startsWith('<') ? undefined : parseRegistry(text);
      const last = out.heartbeat.lastApply;
      assert.ok(last, what);
      if (parsed?.ok) {
        assert.equal(last.registry.source, 'share', what);
        for (const m of parsed.registry.members) validNames.add(m.name);
      } else {
        assert.notEqual(last.registry.source, 'share', what);
        assert.ok(
          last.errors.some((e) => /team registry/.test(e)),
          `no error names the registry: ${what}\n${last.errors.join('\n')}`,
        );
      }
      for (const line of [...last.errors, ...last.warnings]) {
        assert.doesNotMatch(line, INTERNAL, what);
        assert.doesNotMatch(line, ZOD_DEFAULTS, `zod's own words: ${what}\n${line}`);
        assert.equal(
          unsafeCharacter(line),
          undefined,
          `an unsafe character echoed: ${what}\n${line}`,
        );
        assert.ok(!line.includes(CANARY), `the canary leaked: ${what}`);
      }
    }
    // Only names of a registry that passed ever became accounts.
    const created = (result.stdout.split('<<passwd>>')[1] ?? '').trim().split('\n').filter(Boolean);
    for (const user of created) assert.ok(validNames.has(user), `account ${user} was created`);
    assert.equal((await vm.read('/etc/fz-canary')).trim(), CANARY);
    assert.doesNotMatch(await vm.read('/etc/passwd'), /fz-pwned/);
    console.log(
      `agent fuzz (seed ${seed}): ${cases.length} registries, accounts made: ${created.join(', ') || 'none'}`,
    );
  });

  it("fuzz: hostile homes (FIFOs, sockets, devices, links, huge and unreadable files) never hang the agent nor lead it through a member's link", async () => {
    const port = (canary.address() as AddressInfo).port;
    // The last registry case may have left a FIFO, a link or a folder there.
    await rm(join(share, '.pool/users.json'), { recursive: true, force: true });
    await writeFile(
      join(share, '.pool/users.json'),
      members([
        { name: 'fzann', sshKeys: [annKey] },
        { name: 'fzbob', sshKeys: [bobKey] },
      ]),
    );
    const hazard = fc.constantFrom(
      'fifo',
      'socket',
      'chardev',
      'blockdev',
      'link-canary',
      'link-secret',
      'link-loop',
      'link-dangling',
      'huge',
      'unreadable',
      'dir',
      'file',
      'json-crlf-token',
      'json-space-base',
      'json-canary-port',
      'json-garbage',
    );
    const paths = [
      '.ssh',
      '.ssh/authorized_keys',
      'notebooks',
      'notebooks/remote',
      '.local',
      '.local/share/jupyter/runtime',
      '.local/share/jupyter/runtime/jpserver-__PID__.json',
      '.local/share/jupyter/runtime/nbserver-__PID__.json',
    ];
    const plan = fc.record({
      fzann: fc.dictionary(fc.constantFrom(...paths), hazard, { minKeys: 1, maxKeys: 4 }),
      fzbob: fc.dictionary(fc.constantFrom(...paths), hazard, { minKeys: 1, maxKeys: 4 }),
    });
    // Fixed rounds first, so every run plants the hazards that once got through (a member's link
    // to another user's runtime folder, a CR/LF token, a space in base_url) and one good runtime
    // file (proof that runtime files are read at all); then generated rounds.
    const J = '.local/share/jupyter/runtime';
    const fixed: Array<Record<'fzann' | 'fzbob', Record<string, string>>> = [
      {
        fzann: {
          '.local': 'link-secret',
          '.ssh/authorized_keys': 'link-canary',
          notebooks: 'fifo',
        },
        fzbob: { [J]: 'link-secret', '.ssh': 'link-canary', 'notebooks/remote': 'socket' },
      },
      {
        fzann: {
          [`${J}/jpserver-__PID__.json`]: 'json-crlf-token',
          '.ssh/authorized_keys': 'fifo',
        },
        fzbob: {
          [`${J}/jpserver-__PID__.json`]: 'json-space-base',
          '.ssh/authorized_keys': 'huge',
        },
      },
      {
        fzann: {
          [`${J}/jpserver-__PID__.json`]: 'json-canary-port',
          '.ssh/authorized_keys': 'chardev',
        },
        fzbob: {
          [`${J}/jpserver-__PID__.json`]: 'link-secret',
          '.ssh/authorized_keys': 'unreadable',
        },
      },
    ];
    const rounds = [...fixed, ...sampleOf(plan, seed, fuzzRuns(2))];
    // Another user's Jupyter runtime, root-only, naming the member's server pid and its own token.
    const secret = '/var/lib/fz-secret/.local/share/jupyter/runtime';
    const json = (fields: Record<string, unknown>) =>
      JSON.stringify({
        port,
        pid: '__PIDNUM__',
        token: 'member-token',
        base_url: '/',
        ...fields,
      }).replace('"__PIDNUM__"', '__PID__');
    await writeFile(join(vm.dir, 'json-crlf-token'), json({ token: 'a\r\nX-Injected: 1' }));
    await writeFile(join(vm.dir, 'json-space-base'), json({ base_url: '/a b/' }));
    await writeFile(join(vm.dir, 'json-canary-port'), json({}));
    await writeFile(join(vm.dir, 'json-garbage'), '{"port": [1e999], "pid": {}}');
    await writeFile(join(vm.dir, 'json-secret'), json({ token: ROOT_TOKEN }));
    const plant = (user: string, path: string, kind: string) => {
      const target = `/home/${user}/${path.replace('__PID__', '$P')}`;
      const parent = target.slice(0, target.lastIndexOf('/'));
      const own = `chown -h ${user}:${user} "${target}" 2>/dev/null`;
      const lines = [
        // The folders on the way, as the member would have them (ignored when a hazard is there).
        `mkdir -p "${parent}" 2>/dev/null; chown ${user}:${user} "${parent}" 2>/dev/null`,
        `rm -rf "${target}"`,
      ];
      const make: Record<string, string> = {
        fifo: `mkfifo "${target}" && ${own}`,
        socket: `python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "${target}" && ${own}`,
        chardev: `mknod "${target}" c 1 3 && ${own}`,
        blockdev: `mknod "${target}" b 7 200 && ${own}`,
        'link-canary': `ln -s /etc/fz-canary "${target}" && ${own}`,
        'link-secret': `ln -s ${path.startsWith('.local/share/jupyter/runtime/') ? `${secret}/jpserver-$P.json` : path.startsWith('.local') && path !== '.local' ? secret : '/var/lib/fz-secret/.local'} "${target}" && ${own}`,
        'link-loop': `ln -s "${target}" "${target}" && ${own}`,
        'link-dangling': `ln -s /nonexistent/fz "${target}" && ${own}`,
        huge: `truncate -s 3G "${target}" && ${own}`,
        unreadable: `printf x > "${target}" && chmod 000 "${target}"`,
        dir: `mkdir "${target}" && ${own}`,
        file: `printf 'not what you expect' > "${target}" && ${own}`,
      };
      const body = make[kind] ?? `sed "s/__PID__/$P/g" "${vm.dir}/${kind}" > "${target}" && ${own}`;
      return [...lines, body].join('\n');
    };
    const lines = [
      'PATH=/usr/local/sbin:/usr/local/bin:$PATH',
      'dsvm-pool-agent apply >/dev/null 2>&1',
      `mkdir -p ${secret} && chmod -R go-rwx /var/lib/fz-secret`,
    ];
    for (const [index, round] of rounds.entries()) {
      lines.push(`echo '<<round ${index}>>'`);
      for (const user of ['fzann', 'fzbob'] as const) {
        // A Jupyter server of the member's: its pid goes into the runtime files planted.
        lines.push(
          `setpriv --reuid=$(id -u ${user}) --regid=$(id -g ${user}) --clear-groups -- bash -c 'exec -a jupyter-lab sleep 600' & P=$!`,
          `echo $P >> "$VM_DIR/pids"`,
          `sed "s/__PID__/$P/g" "${vm.dir}/json-secret" > ${secret}/jpserver-$P.json`,
          `rm -rf /home/${user}/.ssh /home/${user}/notebooks /home/${user}/.local`,
        );
        for (const [path, kind] of Object.entries(round[user])) lines.push(plant(user, path, kind));
      }
      lines.push(applyAndStatus(index));
    }
    lines.push('kill $(cat "$VM_DIR/pids") 2>/dev/null; rm -f "$VM_DIR/pids"');
    lines.push(
      `echo '<<leaks>>'; grep -rlF -D skip -d recurse '${CANARY}' /home '${share}' 2>/dev/null | grep -v fz-canary; echo '<<end leaks>>'`,
    );
    const result = await vm.run(lines.join('\n'), 600_000);
    const outputs = parseCases(result.stdout.replaceAll('<<round ', '<<skip '));
    for (const [index, round] of rounds.entries()) {
      const out = outputs.get(index);
      const what = `home round ${index} (seed ${seed}): ${JSON.stringify(round)}\n${out?.stderr ?? result.stderr.slice(-2000)}`;
      assert.ok(out, `no output: ${what}`);
      assert.ok([0, 1].includes(out.applyCode), `apply exit ${out.applyCode}: ${what}`);
      assert.equal(out.statusCode, 0, `status exit ${out.statusCode}: ${what}`);
      assert.doesNotMatch(out.stderr, INTERNAL, what);
      assert.ok(out.heartbeat, `status --json gave no heartbeat: ${what}`);
      assert.ok(!out.stderr.includes(CANARY), `the canary leaked into the log: ${what}`);
      for (const user of ['fzann', 'fzbob']) {
        assert.ok((out.heartbeat.jupyter[user]?.servers ?? 0) >= 1, `${user}'s server: ${what}`);
      }
      for (const line of [
        ...(out.heartbeat.lastApply?.errors ?? []),
        ...(out.heartbeat.lastApply?.warnings ?? []),
      ]) {
        assert.doesNotMatch(line, INTERNAL, what);
      }
    }
    assert.deepEqual(
      seenTokens.filter((token) => token.includes(ROOT_TOKEN)),
      [],
      "another user's Jupyter token was sent",
    );
    assert.ok(
      seenTokens.length > 0 && seenTokens.every((token) => token === 'token member-token'),
      `tokens seen: ${JSON.stringify(seenTokens)}`,
    );
    const leaks = /<<leaks>>([^]*)<<end leaks>>/.exec(result.stdout)?.[1]?.trim();
    assert.equal(leaks, '', `the canary's content was copied to: ${leaks}`);
    assert.equal((await vm.read('/etc/fz-canary')).trim(), CANARY);
    console.log(
      `agent fuzz (seed ${seed}): ${rounds.length} rounds of hostile homes; Jupyter requests with the member's token: ${seenTokens.length}`,
    );
  });
});
