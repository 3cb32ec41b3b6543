// The create-pool wizard's form model: defaults, the parameters it sends, imports, and which
// step shows which field's error. Checked against the real validation in core.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validatePoolParameters } from '../../../../../src/core/azure/template/index';
import {
  derivedDnsLabel,
  draftParameters,
  draftWithParameters,
  emptyDraft,
  errorFor,
  unshownErrors,
  resourceGroupOf,
  stepOfField,
} from '../../../../../src/renderer/admin/create-pool/pool-draft';

const KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHUkWpQkq8hRMHmrnUJ8CPtqfL3OuOZQ+nBZNrh0ozNz ann@laptop';

describe('pool draft', () => {
  it('becomes parameters that pass core validation once the required fields are filled', () => {
    const draft = {
      ...emptyDraft(() => 0.5),
      poolName: 'Team Pool',
      sshPublicKey: KEY,
      allowedSourceCidrs: '203.0.113.0/24\n198.51.100.7/32, ',
    };
    const params = draftParameters(draft);
    assert.deepEqual(params.allowedSourceCidrs, ['203.0.113.0/24', '198.51.100.7/32']);
    assert.equal(params.instanceCount, 2);
    assert.equal(params.dnsLabel, 'team-pool-iiiiii');
    const valid = validatePoolParameters({ ...params, poolName: 'team-pool' });
    assert.equal(valid.instanceCount, 2);
    assert.equal(valid.image.offer, 'ubuntu-2204');
  });

  it('passes what is not a number through as text, so the app can say what is wrong', () => {
    const params = draftParameters({ ...emptyDraft(), instanceCount: 'two', maxInstances: '' });
    assert.equal(params.instanceCount, 'two');
    assert.equal('maxInstances' in params, false);
  });

  it('derives a DNS label that starts with a letter, and a resource group from the name', () => {
    assert.equal(
      derivedDnsLabel({ poolName: '42_GPU.Pool', dnsSuffix: 'abc123' }),
      'gpu-pool-abc123',
    );
    assert.equal(derivedDnsLabel({ poolName: '', dnsSuffix: 'abc123' }), 'pool-abc123');
    const draft = { ...emptyDraft(), poolName: 'gpu' };
    assert.equal(resourceGroupOf(draft), 'gpu-rg');
    assert.equal(resourceGroupOf({ ...draft, newResourceGroup: 'mine' }), 'mine');
    assert.equal(
      resourceGroupOf({ ...draft, resourceGroupMode: 'existing', existingResourceGroup: 'shared' }),
      'shared',
    );
  });

  it("fills itself from the article's imported parameters, keeping what they do not name", () => {
    const draft = draftWithParameters(
      { ...emptyDraft(), sshPublicKey: KEY },
      {
        poolName: 'dsvmpool',
        instanceCount: 3,
        allowedSourceCidrs: ['1.2.3.0/24'],
        image: { sku: 'x' },
      },
    );
    assert.equal(draft.poolName, 'dsvmpool');
    assert.equal(draft.instanceCount, '3');
    assert.equal(draft.allowedSourceCidrs, '1.2.3.0/24');
    assert.equal(draft.imageSku, 'x');
    assert.equal(draft.imageOffer, 'ubuntu-2204');
    assert.equal(draft.sshPublicKey, KEY);
  });

  it('puts each error on the step that shows its field', () => {
    assert.equal(stepOfField('poolName'), 'basics');
    assert.equal(stepOfField('resourceGroup'), 'basics');
    assert.equal(stepOfField('image.sku'), 'machines');
    assert.equal(stepOfField('allowedSourceCidrs.2'), 'access');
    assert.equal(stepOfField('fileShareName'), 'storage');
    assert.equal(stepOfField('input'), 'review');
    assert.equal(errorFor({ 'image.sku': 'must be…' }, 'image'), 'Image SKU: Must be….');
    // Every message of a field and its parts, not just the first: "(2 to fix)" shows two.
    assert.equal(
      errorFor(
        { allowedSourceCidrs: 'needs a range', 'allowedSourceCidrs.1': '"10.0.0.0/8" is private' },
        'allowedSourceCidrs',
      ),
      'Needs a range. Line 2: "10.0.0.0/8" is private.',
    );
    assert.equal(errorFor({ poolName: 'x' }, 'image'), undefined);
  });
});

describe('unshownErrors', () => {
  it('errors of a step that no field shows are listed in the wizard’s words', () => {
    const errors = {
      poolName: 'Must be 1 to 64 characters.',
      allowInternetSsh: 'must be true or false',
      singlePlacementGroup: 'must be true or false',
      storageSku: 'must be one of Standard_LRS',
    };
    assert.deepEqual(unshownErrors(errors, 'basics'), []);
    assert.deepEqual(unshownErrors(errors, 'access'), [
      'I accept 0.0.0.0/0: Must be true or false.',
    ]);
    assert.deepEqual(unshownErrors(errors, 'machines'), [
      'Single placement group: Must be true or false.',
    ]);
    assert.deepEqual(unshownErrors(errors, 'storage'), [
      'Storage redundancy: Must be one of Standard_LRS.',
    ]);
  });
});
