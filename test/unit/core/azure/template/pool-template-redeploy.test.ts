// A redeployment's parameters: the wizard input read back from a deployment's ARM parameters gives
// the same pool, with storage or without, and the redeployment leaves the autoscale setting out.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildDeploymentParameters } from '../../../../../src/core/azure/template/pool-template';
import {
  buildRedeployParameters,
  poolInputFromDeployment,
} from '../../../../../src/core/azure/template/pool-template-redeploy';
import { validatePoolParameters } from '../../../../../src/core/azure/template/pool-template-validation';
import { validInput } from './pool-fixtures';

/** As ARM returns a deployment's parameters: `{ type, value }`, secure ones without a value. */
function asReturned(values: Record<string, { value: unknown }>) {
  const out: Record<string, { type: string; value?: unknown }> = {};
  for (const [name, { value }] of Object.entries(values)) {
    out[name] =
      name === 'agentBundleUri' ? { type: 'SecureString' } : { type: typeof value, value };
  }
  return out;
}

describe('redeployment parameters', () => {
  for (const [what, input] of [
    ['without storage', validInput({ instanceCount: 2, maxInstances: 5 })],
    [
      'with a created share',
      validInput({
        storageAccountName: 'teamstore',
        fileShareName: 'team-share',
        shareQuotaGiB: 200,
      }),
    ],
    [
      'with an existing share elsewhere',
      validInput({
        storageAccountName: 'teamstore',
        fileShareName: 'team-share',
        storageResourceGroup: 'data-rg',
      }),
    ],
    [
      'with a marketplace plan and SSH open to all',
      validInput({
        allowedSourceCidrs: ['0.0.0.0/0'],
        allowInternetSsh: true,
        image: {
          publisher: 'microsoft-ads',
          offer: 'linux-data-science-vm-ubuntu',
          sku: 'linuxdsvmubuntu',
          version: 'latest',
          plan: {
            name: 'linuxdsvmubuntu',
            publisher: 'microsoft-ads',
            product: 'linux-data-science-vm-ubuntu',
          },
        },
      }),
    ],
  ] as const) {
    test(`read back from a deployment: the same pool (${what})`, () => {
      const params = validatePoolParameters(input);
      const back = validatePoolParameters(
        poolInputFromDeployment(asReturned(buildDeploymentParameters(params))),
      );
      assert.deepEqual(back, params);
    });
  }

  test('the agent bundle URL (a secure parameter ARM does not return) is not carried over', () => {
    const params = validatePoolParameters(
      validInput({
        storageAccountName: 'teamstore',
        fileShareName: 'team-share',
        agentBundleUri:
          'https://teamstore.file.core.windows.net/team-share/.pool/agent/dsvm-pool-agent.js?sv=2024&sig=abc',
      }),
    );
    const input = poolInputFromDeployment(asReturned(buildDeploymentParameters(params)));
    assert.equal('agentBundleUri' in input, false);
  });

  test('a redeployment leaves the autoscale setting out and keeps the given instance count', () => {
    const params = validatePoolParameters(validInput({ instanceCount: 3, maxInstances: 4 }));
    const values = buildRedeployParameters(params);
    assert.deepEqual(values.deployAutoscale, { value: false });
    assert.deepEqual(values.instanceCount, { value: 3 });
    assert.equal(
      buildDeploymentParameters(params).deployAutoscale,
      undefined,
      'creation deploys it',
    );
  });
});
