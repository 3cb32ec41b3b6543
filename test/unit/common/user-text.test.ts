// The rules for names people type (no control, direction or invisible characters), host
// addresses, fields in words, and counts with their noun.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  fieldWords,
  hostAddressProblem,
  isIpv6,
  pathWords,
  plural,
  unsafeCharacter,
  unsafeTextProblem,
} from '../../../src/common/user-text';

describe('unsafe characters in names', () => {
  test('control, direction and invisible characters are found and named by code point', () => {
    const cases: Array<[string, string, string]> = [
      ['a\u202Eb', 'U+202E', 'a text direction override'],
      ['a\u2067b', 'U+2067', 'a text direction override'],
      ['a\u200Fb', 'U+200F', 'a text direction mark'],
      ['a\u200Bb', 'U+200B', 'an invisible character'],
      ['a\uFEFFb', 'U+FEFF', 'an invisible character'],
      ['a\u0007b', 'U+0007', 'a control character'],
      ['a\nb', 'U+000A', 'a control character'],
      ['a\u0085b', 'U+0085', 'a control character'],
    ];
    for (const [text, code, what] of cases) {
      assert.deepEqual(unsafeCharacter(text), { code, what }, code);
    }
  });

  test('ordinary names pass, accents and other scripts included; the message never quotes the text', () => {
    for (const ok of ['Lab GPUs', 'Équipe données', 'データ', 'שלום', 'a-b_c.d (2)']) {
      assert.equal(unsafeTextProblem(ok), undefined, ok);
    }
    const problem = unsafeTextProblem('evil\u202Etxt.exe')!;
    assert.equal(
      problem,
      'must not contain a text direction override (U+202E): retype it without invisible or direction characters',
    );
    assert.ok(!problem.includes('evil'));
  });
});

describe('host addresses for a forward', () => {
  test('host names, localhost, IPv4 and IPv6 literals are accepted', () => {
    for (const ok of [
      'localhost',
      '127.0.0.1',
      'db.internal',
      'my_service',
      '::1',
      'fe80::1',
      '[::1]',
      '2001:db8::8a2e:370:7334',
      '::ffff:192.0.2.1',
    ]) {
      assert.equal(hostAddressProblem(ok), undefined, ok);
    }
  });

  test('spaces, shell characters, bad IPv4 and empty brackets are refused with a reason', () => {
    assert.match(hostAddressProblem(' ')!, /give a host name or an IP address/);
    assert.match(hostAddressProblem('a b;c')!, /must be a host name .* with no spaces/);
    assert.match(hostAddressProblem('300.1.1.1')!, /not an IPv4 address/);
    assert.match(hostAddressProblem('1.2.3')!, /not an IPv4 address/);
    assert.match(hostAddressProblem('[nope]')!, /brackets but no IPv6 address/);
    assert.match(hostAddressProblem('-lead.example')!, /must be a host name/);
    assert.equal(isIpv6('1:2:3:4:5:6:7:8:9'), false);
    assert.equal(isIpv6('1::2::3'), false);
  });
});

describe('fields in words', () => {
  test('keys split at their capitals, a few by their UI name; list items counted from 1', () => {
    assert.equal(fieldWords('remoteHost'), 'remote host');
    assert.equal(fieldWords('sshKeys'), 'SSH keys');
    assert.equal(fieldWords('poolId'), 'pool');
    assert.equal(pathWords(['hosts', 1, 'address']), 'host 2, address');
    assert.equal(pathWords(['sshKeys', 0]), 'SSH key 1');
    assert.equal(
      pathWords(['settings', 'defaultProfile', 'capacity', 'maximum']),
      'settings, default profile, capacity, maximum',
    );
  });

  test('counts take the singular for one', () => {
    assert.equal(plural(1, 'instance'), '1 instance');
    assert.equal(plural(0, 'instance'), '0 instances');
    assert.equal(plural(2, 'SSH port'), '2 SSH ports');
  });
});
