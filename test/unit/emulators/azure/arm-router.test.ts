// ARM routing: case-insensitive literal segments, captured parameters, the rest of a path, and
// the difference between an unknown path and a wrong method.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArmRouter, queryParam } from '../../../emulators/azure/arm-router';

describe('ArmRouter', () => {
  const router = new ArmRouter();
  const handler = () => ({ status: 200 });
  router.add('GET', '/subscriptions/{sub}/resourceGroups/{rg}', handler);
  router.add(
    ['PUT', 'DELETE'],
    '/subscriptions/{sub}/resourceGroups/{rg}/providers/{ns}/{*rest}',
    handler,
  );

  it('matches literal segments case-insensitively and keeps the captured case', () => {
    const match = router.match('get', '/SUBSCRIPTIONS/Ab/resourcegroups/My%20Group/');
    assert.equal(match.kind, 'found');
    if (match.kind === 'found') assert.deepEqual(match.params, { sub: 'Ab', rg: 'My Group' });
  });

  it('captures the rest of a path', () => {
    const match = router.match(
      'PUT',
      '/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/loadBalancers/lb',
    );
    assert.equal(match.kind, 'found');
    if (match.kind === 'found') assert.equal(match.params.rest, 'loadBalancers/lb');
  });

  it('tells a wrong method from an unknown path', () => {
    assert.equal(
      router.match('POST', '/subscriptions/s/resourceGroups/g').kind,
      'method-not-allowed',
    );
    assert.equal(router.match('GET', '/subscriptions/s/other').kind, 'not-found');
  });

  it('reads query parameters case-insensitively', () => {
    const query = new URLSearchParams('API-Version=2024-11-01&$Expand=instanceView');
    assert.equal(queryParam(query, 'api-version'), '2024-11-01');
    assert.equal(queryParam(query, '$expand'), 'instanceView');
    assert.equal(queryParam(query, '$filter'), undefined);
  });
});
