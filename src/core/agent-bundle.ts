// The on-VM agent as the app ships it: dsvm-pool-agent.js (scripts/build-agent.mjs) in the agent
// folder of resource-paths.ts — out/agent in a checkout, <resources>/agent in an installed app.
// The app hands it to VMs (through the share, or over SFTP).
import { readFile } from 'node:fs/promises';
import { ErrorCode, RpcError } from '../common/errors';
import { resourcePaths } from './resource-paths';

/** The agent bundle's text; `path` defaults to the checkout's out/agent/dsvm-pool-agent.js. */
export async function readAgentBundle(path = resourcePaths().agentBundle): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new RpcError(
      ErrorCode.Internal,
      `The pool agent is missing from this build (no file at ${path}). From a checkout, run \`npm run build\` (or \`npm start\`, which builds it) and try again; an installed app is incomplete: reinstall it.`,
    );
  }
}
