// Which cloud the app talks to: defaults, DSVM_POOL_* variables, options, and refused values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, type RpcError } from '../../../../../src/common/errors';
import {
  isPublicCloud,
  resolveAzureEnvironment,
} from '../../../../../src/core/azure/arm/azure-environment';

test('production defaults: the public cloud, with instance discovery', () => {
  const env = resolveAzureEnvironment({}, {});
  assert.deepEqual(env, {
    resourceManagerEndpoint: 'https://management.azure.com',
    authorityHost: 'https://login.microsoftonline.com',
    scopes: ['https://management.azure.com/.default'],
    disableInstanceDiscovery: false,
  });
  assert.equal(isPublicCloud(env), true);
});

test('environment variables point it elsewhere (the emulator); options win over them', () => {
  const vars = {
    DSVM_POOL_ARM_ENDPOINT: 'https://127.0.0.1:4443/',
    DSVM_POOL_AUTHORITY_HOST: ' https://127.0.0.1:4443 ',
  };
  const env = resolveAzureEnvironment({}, vars);
  assert.equal(env.resourceManagerEndpoint, 'https://127.0.0.1:4443');
  assert.equal(env.authorityHost, 'https://127.0.0.1:4443');
  assert.deepEqual(env.scopes, ['https://127.0.0.1:4443/.default']);
  assert.equal(env.disableInstanceDiscovery, true, 'MSAL would ask login.microsoftonline.com');
  assert.equal(isPublicCloud(env), false);

  const options = resolveAzureEnvironment(
    { resourceManagerEndpoint: 'https://management.usgovcloudapi.net', scopes: ['x/.default'] },
    { ...vars, DSVM_POOL_AUTHORITY_HOST: 'https://login.microsoftonline.us' },
  );
  assert.equal(options.resourceManagerEndpoint, 'https://management.usgovcloudapi.net');
  assert.deepEqual(options.scopes, ['x/.default']);
  assert.equal(options.disableInstanceDiscovery, false, 'a sovereign cloud MSAL knows');
  assert.equal(
    resolveAzureEnvironment({}, { DSVM_POOL_ARM_ENDPOINT: '  ' }).resourceManagerEndpoint,
    'https://management.azure.com',
  );
});

test('refuses plain HTTP, paths and garbage, naming the setting', () => {
  const refused = (options: object, vars: Record<string, string>, pattern: RegExp) =>
    assert.throws(
      () => resolveAzureEnvironment(options, vars),
      (err: RpcError) => err.code === ErrorCode.BadInput && pattern.test(err.message),
    );
  refused(
    {},
    { DSVM_POOL_ARM_ENDPOINT: 'http://127.0.0.1:8080' },
    /^DSVM_POOL_ARM_ENDPOINT must use https/,
  );
  refused(
    { authorityHost: 'https://login.example/tenant' },
    {},
    /^authorityHost must be just the address.*"https:\/\/login\.example"/,
  );
  refused(
    {},
    { DSVM_POOL_AUTHORITY_HOST: 'login' },
    /^DSVM_POOL_AUTHORITY_HOST must be an https address/,
  );
});
