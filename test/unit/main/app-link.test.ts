// dsvm-pool:// links: the two the app knows are read; anything else is refused with a sentence.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findAppLink, parseAppLink } from '../../../src/main/app-link';
import { poolByName } from '../../../src/main/link-handler';
import { pool } from './fake-core';

function refusal(text: string): string {
  const result = parseAppLink(text);
  assert.equal(result.ok, false, text);
  return result.ok ? '' : result.message;
}

describe('parseAppLink', () => {
  it('reads connect and open', () => {
    assert.deepEqual(parseAppLink('dsvm-pool://connect?pool=Team%20VMs'), {
      ok: true,
      link: { action: 'connect', pool: 'Team VMs' },
    });
    assert.deepEqual(parseAppLink('dsvm-pool://connect/?pool=team'), {
      ok: true,
      link: { action: 'connect', pool: 'team' },
    });
    assert.deepEqual(parseAppLink('DSVM-POOL://OPEN?view=admin'), {
      ok: true,
      link: { action: 'open', view: 'admin' },
    });
    assert.deepEqual(parseAppLink('dsvm-pool://open?view=user'), {
      ok: true,
      link: { action: 'open', view: 'user' },
    });
  });

  it('refuses unknown actions and parameters, naming them when they are plain', () => {
    assert.match(
      refusal('dsvm-pool://delete?pool=team'),
      /asks for "delete", which dsvm-pool does not do/,
    );
    assert.match(
      refusal('dsvm-pool://connect?pool=a&then=rm'),
      /connect takes only pool, not then/,
    );
    assert.match(refusal('dsvm-pool://open?view=admin&x=1'), /open takes only view, not x/);
    assert.match(refusal('dsvm-pool://open?view=settings'), /view must be user or admin/);
    assert.match(refusal('dsvm-pool://open'), /view must be user or admin/);
    // Every refusal says what the app does understand.
    assert.match(
      refusal('dsvm-pool://nope'),
      /understands dsvm-pool:\/\/connect\?pool=<pool name>/,
    );
  });

  it('refuses other schemes, paths, credentials, fragments and repeated parameters', () => {
    assert.match(refusal('https://example.com/?pool=team'), /does not start with dsvm-pool:\/\//);
    assert.match(refusal('dsvm-pool://connect/x/y?pool=team'), /path after the action/);
    assert.match(refusal('dsvm-pool://me:pw@connect?pool=team'), /user name, password/);
    assert.match(refusal('dsvm-pool://connect?pool=team#x'), /# part/);
    assert.match(refusal('dsvm-pool://connect?pool=a&pool=b'), /pool is given more than once/);
    assert.match(refusal('not a link'), /not a valid address/);
  });

  it('checks the pool name: present, not too long, no invisible or direction characters', () => {
    assert.match(refusal('dsvm-pool://connect'), /names no pool/);
    assert.match(refusal('dsvm-pool://connect?pool=%20'), /names no pool/);
    assert.match(
      refusal(`dsvm-pool://connect?pool=${'a'.repeat(81)}`),
      /81 characters long \(at most 80\)/,
    );
    const rlo = refusal('dsvm-pool://connect?pool=team%E2%80%AEexe');
    assert.match(rlo, /U\+202E/);
    assert.ok(!rlo.includes('\u202e'), 'the character itself is not repeated');
    assert.match(refusal('dsvm-pool://connect?pool=a%00b'), /U\+0000/);
  });

  it('refuses an overlong link without repeating it, and odd parameter names by count only', () => {
    const long = `dsvm-pool://connect?pool=${'a'.repeat(600)}`;
    const message = refusal(long);
    assert.match(message, /at most 512/);
    assert.ok(!message.includes('aaaa'));
    const odd = refusal('dsvm-pool://connect?pool=a&%3Cscript%3E=1');
    assert.match(odd, /not other parameters/);
    assert.ok(!odd.includes('<script>'));
    assert.ok(!refusal('dsvm-pool://%3Cb%3E').includes('<b>'));
  });
});

describe('findAppLink and poolByName', () => {
  it('finds the link in a second launch argv', () => {
    assert.equal(
      findAppLink(['/usr/bin/dsvm-pool', '--no-sandbox', 'dsvm-pool://open?view=admin']),
      'dsvm-pool://open?view=admin',
    );
    assert.equal(findAppLink(['/usr/bin/dsvm-pool', '--hidden']), undefined);
  });

  it('matches the exact name, else the only one equal ignoring case', () => {
    const pools = [pool('a', 'Team'), pool('b', 'team'), pool('c', 'GPU boxes')];
    assert.equal(poolByName(pools, 'team')?.id, 'b');
    assert.equal(poolByName(pools, 'gpu BOXES')?.id, 'c');
    assert.equal(poolByName(pools, 'TEAM'), undefined, 'two match ignoring case: neither');
    assert.equal(poolByName(pools, 'nope'), undefined);
  });
});
