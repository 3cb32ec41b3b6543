// Contract handlers for tests of the RPC plumbing: answers the cheap calls, refuses the rest.
import type { Handlers } from '../../src/common/rpc';

function notUsed(): never {
  throw new Error('not used in this test');
}

export function simpleHandlers(overrides: Partial<Handlers> = {}): Handlers {
  return {
    'app.info': () => ({
      version: '1.2.3',
      shell: 'headless',
      platform: 'linux',
      dataDir: '/tmp/x',
    }),
    'pools.list': () => [],
    'connections.connect': notUsed,
    'connections.list': () => [],
    'connections.close': notUsed,
    'terminals.open': notUsed,
    'terminals.list': () => [],
    'terminals.write': () => undefined,
    'terminals.resize': () => undefined,
    'terminals.ack': () => undefined,
    'terminals.close': notUsed,
    'prompts.list': () => [],
    'prompts.answer': notUsed,
    'jupyter.open': notUsed,
    'forwards.list': () => [],
    'forwards.add': notUsed,
    'forwards.remove': notUsed,
    'pools.saveSshHosts': notUsed,
    'pools.remove': notUsed,
    'sshConfig.list': () => [],
    'keys.generate': notUsed,
    'keys.appPublicKey': notUsed,
    'sandbox.dropConnections': notUsed,
    'azure.status': notUsed,
    'azure.signIn': notUsed,
    'azure.signOut': notUsed,
    'azure.listSubscriptions': notUsed,
    'azure.listResourceGroups': notUsed,
    'azure.listPools': notUsed,
    'azure.addPool': notUsed,
    'azure.validatePool': notUsed,
    'azure.createPool': notUsed,
    'azure.instanceAction': notUsed,
    'azure.setScaleInProtection': notUsed,
    'azure.scale': notUsed,
    'azure.stopAll': notUsed,
    'azure.previewAz': notUsed,
    'azure.deletePool': notUsed,
    'azure.importArticleParameters': notUsed,
    'operations.list': notUsed,
    'operations.dismiss': notUsed,
    ...overrides,
  };
}
