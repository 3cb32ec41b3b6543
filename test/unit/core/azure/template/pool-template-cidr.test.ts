// CIDR parsing for the NSG's source ranges: canonical form, host bits, wildcards, private ranges.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCidr } from '../../../../../src/core/azure/template/pool-template-cidr';

function ok(text: string) {
  const parsed = parseCidr(text);
  assert.ok(parsed.ok, parsed.ok ? '' : `${text}: ${parsed.reason}`);
  return parsed;
}

function refused(text: string): string {
  const parsed = parseCidr(text);
  assert.ok(!parsed.ok, `${text} should be refused`);
  return parsed.reason;
}

describe('parseCidr', () => {
  test('IPv4 ranges and single addresses', () => {
    assert.deepEqual(ok('203.0.113.0/24'), {
      ok: true,
      cidr: '203.0.113.0/24',
      version: 4,
      prefix: 24,
      isAny: false,
      isPrivate: false,
    });
    assert.equal(ok(' 198.51.100.7 ').cidr, '198.51.100.7/32');
    assert.equal(ok('198.51.100.7/32').prefix, 32);
    assert.equal(ok('0.0.0.0/0').isAny, true);
  });

  test('IPv6 ranges in RFC 5952 form', () => {
    assert.equal(ok('2001:DB8:0:0:0:0:0:0/32').cidr, '2001:db8::/32');
    assert.equal(ok('2001:db8::1').cidr, '2001:db8::1/128');
    assert.equal(ok('2001:0db8:0000:0001:0000:0000:0000:0000/64').cidr, '2001:db8:0:1::/64');
    assert.equal(ok('::/0').isAny, true);
    assert.equal(ok('::ffff:192.0.2.1').cidr, '::ffff:c000:201/128');
    assert.equal(ok('1:0:0:2:0:0:0:3').cidr, '1:0:0:2::3/128');
    assert.equal(ok('fd00::/8').isPrivate, true);
  });

  test('refuses host bits set, naming the network and the single address', () => {
    assert.match(refused('10.1.2.3/8'), /did you mean 10\.0\.0\.0\/8 .* or 10\.1\.2\.3\/32/);
    assert.match(refused('2001:db8::1/32'), /2001:db8::\/32/);
  });

  test('refuses malformed addresses and prefixes', () => {
    for (const text of [
      '256.0.0.0/8',
      '1.2.3/24',
      '1.2.3.4/33',
      '01.2.3.4/32',
      '1.2.3.4/',
      'a.b.c.d',
    ]) {
      assert.match(refused(text), /IPv4|prefix/, text);
    }
    for (const text of [
      '2001:db8:::1',
      '1::2::3',
      '12345::/16',
      '2001:db8::/129',
      '1:2:3:4:5:6:7:8:9',
    ]) {
      assert.match(refused(text), /IPv6|prefix/, text);
    }
  });

  test('refuses wildcards and service tags that mean "everyone"', () => {
    for (const text of ['*', 'Internet', 'any']) assert.match(refused(text), /whole internet/);
    assert.match(refused(''), /empty/);
  });

  test('marks ranges no packet to a public IP can come from', () => {
    for (const text of [
      '10.0.0.0/8',
      '10.20.0.0/16',
      '192.168.1.0/24',
      '172.16.0.0/12',
      '100.64.0.0/10',
    ]) {
      assert.equal(ok(text).isPrivate, true, text);
    }
    for (const text of ['172.32.0.0/16', '8.0.0.0/7', '11.0.0.0/8']) {
      assert.equal(ok(text).isPrivate, false, text);
    }
  });
});
