// Turning what the Azure SDKs throw into specific, actionable RpcErrors.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode, RpcError } from '../../../../../src/common/errors';
import { innermostError } from '../../../../../src/core/azure/pools/azure-deployment-watcher';
import {
  describeAzureFailure,
  NOT_SIGNED_IN,
  translateAzureError,
} from '../../../../../src/core/azure/arm/azure-errors';
import { AzureDeadlineError } from '../../../../../src/core/azure/arm/azure-deadline';
import { AzureThrottledError } from '../../../../../src/core/azure/arm/azure-retry-policy';

/** What @azure/core-rest-pipeline's RestError looks like to the app. */
function restError(statusCode: number, code: string, message: string, retryAfter?: string): Error {
  return Object.assign(new Error(message), {
    name: 'RestError',
    statusCode,
    code,
    details: { error: { code, message } },
    response: {
      headers: { get: (name: string) => (name === 'retry-after' ? retryAfter : undefined) },
    },
  });
}

/** core-lro's failed operation: the code only in the message. */
function lroError(code: string, message: string): Error {
  return new Error(`The long-running operation has failed. ${code}. ${message}`);
}

const ctx = {
  action: 'start instance 1 of pool team',
  vmSize: 'Standard_D4s_v5',
  location: 'westeurope',
  scope: 'resource group rg',
};

describe('translateAzureError', () => {
  test('AllocationFailed (from a failed LRO) names size, region and what to do', () => {
    const err = translateAzureError(lroError('AllocationFailed', 'No capacity.'), ctx);
    assert.equal(err.code, ErrorCode.Internal);
    assert.equal(
      err.message,
      'Azure could not allocate Standard_D4s_v5 in westeurope right now (AllocationFailed). Try another size or region, or try again later.',
    );
    assert.deepEqual(err.details, { retryable: true, azureCode: 'AllocationFailed' });
    assert.match(
      translateAzureError(lroError('ZonalAllocationFailed', 'x'), ctx).message,
      /\(ZonalAllocationFailed\)/,
    );
    assert.match(
      translateAzureError(lroError('AllocationFailed', 'x'), { action: 'start' }).message,
      /^Azure could not allocate this VM size in this region right now/,
    );
  });

  test('quota and SKU problems say how to fix them', () => {
    const quota = translateAzureError(
      restError(
        409,
        'OperationNotAllowed',
        'Operation could not be completed as it results in exceeding approved standardDSv5Family Cores quota.',
      ),
      ctx,
    );
    assert.match(
      quota.message,
      /^This subscription has no quota left for Standard_D4s_v5 in westeurope \(OperationNotAllowed\): Operation could not .* quota\. Ask for a higher vCPU quota/,
    );
    assert.match(
      translateAzureError(lroError('QuotaExceeded', 'Quota exceeded.'), ctx).message,
      /\(QuotaExceeded\): Quota exceeded\. Ask/,
    );
    const sku = translateAzureError(
      restError(409, 'SkuNotAvailable', 'The requested size is not available.'),
      ctx,
    );
    assert.equal(
      sku.message,
      'Standard_D4s_v5 is not available to this subscription in westeurope (SkuNotAvailable). Choose another size or region (az vm list-skus --location westeurope --size Standard_D4s_v5 --output table shows where it is offered).',
    );
    // OperationNotAllowed without "quota" is not a quota problem.
    assert.doesNotMatch(
      translateAzureError(restError(409, 'OperationNotAllowed', 'The VM is being deleted.'), ctx)
        .message,
      /quota/,
    );
  });

  test('throttling: a final 429, and a Retry-After too long to wait', () => {
    const final = translateAzureError(restError(429, 'TooManyRequests', 'Throttled.', '17'), {
      ...ctx,
      maxRetries: 3,
    });
    assert.equal(
      final.message,
      'Azure is throttling requests from this subscription (TooManyRequests) and still refused after 3 retries, so the app could not start instance 1 of pool team. Try again in about 17 s.',
    );
    assert.deepEqual(final.details, {
      retryable: true,
      azureCode: 'TooManyRequests',
      statusCode: 429,
      retryAfterSeconds: 17,
    });
    const long = translateAzureError(new AzureThrottledError(429, 3_600_000), ctx);
    assert.match(
      long.message,
      /asked the app to wait longer than it waits by itself, so the app could not start instance 1 of pool team\. Try again in about 3600 s\.$/,
    );
  });

  test('sign-in, permission and missing resources', () => {
    const expired = translateAzureError(
      restError(401, 'ExpiredAuthenticationToken', 'expired'),
      ctx,
    );
    assert.equal(expired.code, ErrorCode.AuthFailed);
    assert.match(expired.message, /Sign in to Azure again, then start instance 1 of pool team\.$/);
    const unavailable = Object.assign(new Error('Please run az login.'), {
      name: 'CredentialUnavailableError',
    });
    assert.equal(translateAzureError(unavailable, ctx).code, ErrorCode.AuthFailed);
    // Nobody signed in: say so, with the action — not that the account lacks a role.
    const signedOut = Object.assign(
      new Error(`${NOT_SIGNED_IN}: sign in from the admin view first.`),
      { name: 'CredentialUnavailableError' },
    );
    const notSignedIn = translateAzureError(signedOut, ctx);
    assert.equal(notSignedIn.code, ErrorCode.NotSignedIn);
    assert.equal(
      notSignedIn.message,
      'Sign in to Azure to start instance 1 of pool team: the app is not signed in (Admin → Azure → Sign in).',
    );
    const forbidden = translateAzureError(
      restError(
        403,
        'AuthorizationFailed',
        "The client 'x' does not have authorization to perform action 'Microsoft.Compute/virtualMachineScaleSets/start/action'.",
      ),
      ctx,
    );
    assert.equal(forbidden.code, ErrorCode.AuthFailed);
    assert.equal(
      forbidden.message,
      'You are not allowed to start instance 1 of pool team (AuthorizationFailed). Ask an owner on resource group rg for a role that allows it (e.g. Virtual Machine Contributor), or ask a pool admin to do it.',
    );
    // The pool's instance role needs roleAssignments/write: say who may deploy it.
    const roleRefused = translateAzureError(
      lroError(
        'AuthorizationFailed',
        "The client 'x' with object id 'y' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/write' over scope '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/team/providers/Microsoft.Authorization/roleAssignments/z' or the scope is invalid.",
      ),
      { action: 'deploy pool team', scope: 'resource group rg' },
    );
    assert.equal(roleRefused.code, ErrorCode.AuthFailed);
    assert.equal(
      roleRefused.message,
      'You are not allowed to deploy pool team (AuthorizationFailed): the pool gives its instances a role of their own (so that a busy instance can protect itself from scale-in), and creating it needs Microsoft.Authorization/roleAssignments/write, which Contributor does not have. Ask an Owner or User Access Administrator on resource group rg to do it, or to give you one of those roles there.',
    );
    const missing = translateAzureError(
      restError(404, 'ResourceNotFound', "The Resource 'team' was not found."),
      ctx,
    );
    assert.equal(missing.code, ErrorCode.NotFound);
    assert.match(
      missing.message,
      /^Could not start instance 1 of pool team: The Resource 'team' was not found \(ResourceNotFound\)\. It may have been deleted/,
    );
  });

  test('bad templates, network failures, cancellations and the rest', () => {
    assert.equal(
      translateAzureError(restError(400, 'InvalidTemplate', 'bad'), ctx).code,
      ErrorCode.BadInput,
    );
    const offline = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), {
      name: 'RestError',
      code: 'REQUEST_SEND_ERROR',
    });
    const unreachable = translateAzureError(offline, ctx);
    assert.equal(unreachable.code, ErrorCode.Unreachable);
    assert.match(unreachable.message, /Check the network, proxy or VPN\.$/);
    const aborted = Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
    assert.equal(translateAzureError(aborted, ctx).code, ErrorCode.Cancelled);
    const other = translateAzureError(restError(500, 'InternalServerError', 'Oops.'), ctx);
    assert.equal(
      other.message,
      'Could not start instance 1 of pool team: Oops (InternalServerError).',
    );
    assert.deepEqual(other.details, {
      retryable: true,
      azureCode: 'InternalServerError',
      statusCode: 500,
    });
    const mine = new RpcError(ErrorCode.BadInput, 'already clear');
    assert.equal(translateAzureError(mine, ctx), mine, 'RpcErrors pass through');
    assert.match(translateAzureError('weird', ctx).message, /weird/);
    assert.ok(
      translateAzureError(lroError('X', 'y'.repeat(2000)), ctx).message.length < 700,
      'long messages are cut',
    );
  });

  test('describeAzureFailure reads code, status and message from every shape', () => {
    assert.deepEqual(describeAzureFailure(lroError('AllocationFailed', 'No capacity.')), {
      kind: 'Error',
      code: 'AllocationFailed',
      message: 'No capacity.',
    });
    assert.equal(
      describeAzureFailure(restError(429, 'TooManyRequests', 'x', '5')).retryAfterMs,
      5000,
    );
  });

  test('a read Azure did not answer in time names the call and what happens next', () => {
    const err = translateAzureError(
      new AzureDeadlineError(30_000, 'the VM list of scale set team'),
      {
        action: 'read pool team',
        afterTimeout: 'the next refresh tries again',
      },
    );
    assert.equal(err.code, ErrorCode.Unreachable);
    assert.equal(
      err.message,
      'Azure did not answer in 30 s (read pool team: the VM list of scale set team); the next refresh tries again.',
    );
    assert.deepEqual(err.details, { retryable: true, deadlineMs: 30_000 });
    assert.match(
      translateAzureError(new AzureDeadlineError(500, 'GET resourcegroups'), {
        action: 'list the resource groups of subscription s',
      }).message,
      /^Azure did not answer in 500 ms \(list the resource groups of subscription s: GET resourcegroups\); try again\.$/,
    );
  });

  test('innermostError finds the specific code inside DeploymentFailed', () => {
    assert.deepEqual(
      innermostError({
        code: 'DeploymentFailed',
        message: 'At least one resource deployment operation failed.',
        details: [
          {
            code: 'DeploymentFailed',
            details: [{ code: 'SkuNotAvailable', message: 'Not here.' }],
          },
        ],
      }),
      { code: 'SkuNotAvailable', message: 'Not here.' },
    );
    assert.equal(innermostError(undefined), undefined);
    assert.deepEqual(innermostError({ code: 'DeploymentFailed' }), { code: 'DeploymentFailed' });
  });
});
