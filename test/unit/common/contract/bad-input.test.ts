// The contract's own refusals of loose input: names with control, direction or invisible
// characters, forwards to anything but a host or an IP, and sentences that name fields in words.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { methods } from '../../../../src/common/contract';
import { describeIssues } from '../../../../src/common/rpc';

const refusal = (name: keyof typeof methods, input: unknown): string => {
  const parsed = methods[name].input.safeParse(input);
  assert.equal(parsed.success, false, `${name} should refuse ${JSON.stringify(input)}`);
  return describeIssues(name, parsed.error!);
};

const host = { name: 'gpu1', address: '10.1.2.3', user: 'me' };

describe('names people type', () => {
  test('pool and host names of an ssh-hosts pool refuse direction and invisible characters', () => {
    assert.match(
      refusal('pools.saveSshHosts', { name: 'lab\u202Egpu', hosts: [host] }),
      /^Some of what was given needs changes — name: must not contain a text direction override \(U\+202E\)/,
    );
    assert.match(
      refusal('pools.saveSshHosts', { name: 'lab', hosts: [{ ...host, name: 'g\u200Bpu' }] }),
      /host 1, name: must not contain an invisible character \(U\+200B\)/,
    );
    assert.match(
      refusal('pools.saveSshHosts', { name: '  ', hosts: [host] }),
      /name: give the pool a name/,
    );
    assert.equal(
      methods['pools.saveSshHosts'].input.safeParse({ name: 'Équipe GPU', hosts: [host] }).success,
      true,
    );
  });

  test("a forward's label, a member's name and an autoscale profile's name likewise", () => {
    const forward = { connectionId: 'c', remotePort: 6006 };
    assert.match(
      refusal('forwards.add', { ...forward, label: 'Tensor\u2066Board' }),
      /label: must not contain a text direction override/,
    );
    assert.match(
      refusal('team.add', { poolId: 'p', name: 'ann\u0007', sshKeys: [] }),
      /name: must not contain a control character/,
    );
  });
});

describe('forwards lead to a host or an IP', () => {
  const forward = { connectionId: 'c', remotePort: 80 };
  test('spaces, shell characters and bad addresses are refused naming the remote host', () => {
    for (const remoteHost of [' ', 'a b;c', '$(reboot)', '999.0.0.1']) {
      const text = refusal('forwards.add', { ...forward, remoteHost });
      assert.match(text, /remote host: /, remoteHost);
      assert.doesNotMatch(text, /remoteHost/);
    }
  });

  test('localhost, names, IPv4 and IPv6 pass; the default is 127.0.0.1', () => {
    for (const remoteHost of ['localhost', 'mlflow.internal', '10.0.0.7', '::1', '[fe80::1]']) {
      assert.equal(
        methods['forwards.add'].input.safeParse({ ...forward, remoteHost }).success,
        true,
        remoteHost,
      );
    }
    const parsed = methods['forwards.add'].input.parse(forward) as { remoteHost: string };
    assert.equal(parsed.remoteHost, '127.0.0.1');
  });
});

describe('ids', () => {
  test('fuzz finding: an id with a direction override or a NUL is refused before any handler quotes it', () => {
    assert.match(
      refusal('terminals.write', { terminalId: 'x\u202eevil', data: 'ls' }),
      /terminal: must not contain a text direction override \(U\+202E\)/,
    );
    assert.match(
      refusal('connections.close', { connectionId: 'c\u0000' }),
      /connection: must not contain a control character \(U\+0000\)/,
    );
    assert.equal(
      methods['terminals.write'].input.safeParse({ terminalId: 'term-3', data: 'ls' }).success,
      true,
    );
  });
});

describe('sentences', () => {
  test('ids and nested fields are named in words, never by key', () => {
    const text = refusal('terminals.resize', { terminalId: '', cols: 'wide', rows: 0 });
    assert.match(
      text,
      /^Some of what was given needs changes — terminal: must not be empty; cols: .*; rows: /,
    );
    assert.doesNotMatch(text, /terminalId/);
    const scale = refusal('azure.scale', { poolId: 'p', capacity: 5000 });
    assert.match(scale, /capacity: the number of instances runs from 0 to 1000/);
  });
});
