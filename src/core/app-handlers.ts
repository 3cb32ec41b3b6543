// Implements every method of the contract on top of the services; the compiler checks that none
// is missing (see `Handlers` in src/common/rpc.ts).
import type { AppInfo, PoolInfo } from '../common/models';
import type { Handlers } from '../common/rpc';
import type { PromptService } from './prompts/prompt-service';
import type { ConnectionService } from './sessions/connection-service';
import type { TerminalService } from './ssh/terminal-service';

export interface HandlerServices {
  appInfo: AppInfo;
  listPools: () => PoolInfo[];
  connections: ConnectionService;
  terminals: TerminalService;
  prompts: PromptService;
}

export function createHandlers(s: HandlerServices): Handlers {
  return {
    'app.info': () => s.appInfo,
    'pools.list': () => s.listPools(),
    'connections.connect': ({ poolId, instanceId }, { signal }) =>
      s.connections.connect(poolId, instanceId, signal),
    'connections.list': () => s.connections.list(),
    'connections.close': ({ connectionId }) => s.connections.close(connectionId),
    'terminals.open': ({ connectionId, cols, rows }) => {
      const { info, connection } = s.connections.get(connectionId);
      return s.terminals.open(
        connection,
        {
          connectionId,
          poolId: info.poolId,
          instanceId: info.instanceId,
          instanceName: info.instanceName,
        },
        { cols, rows },
      );
    },
    'terminals.list': () => s.terminals.list(),
    'terminals.write': ({ terminalId, data }) => s.terminals.write(terminalId, data),
    'terminals.resize': ({ terminalId, cols, rows }) => s.terminals.resize(terminalId, cols, rows),
    'terminals.ack': ({ terminalId, chars }) => s.terminals.ack(terminalId, chars),
    'terminals.close': ({ terminalId }) => s.terminals.close(terminalId),
    'prompts.list': () => s.prompts.list(),
    'prompts.answer': ({ promptId, accept }) => s.prompts.answer(promptId, accept),
  };
}
