// The on-VM agent as the app ships it: out/agent/dsvm-pool-agent.js (scripts/build-agent.mjs),
// next to out/main where the app's own bundle runs. The app hands it to VMs (through the share).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, RpcError } from '../common/errors';

/** Where the agent bundle is looked for: next to the running bundle, then the project's out/. */
export function agentBundleCandidates(): string[] {
  return [
    fileURLToPath(new URL('../agent/dsvm-pool-agent.js', import.meta.url)),
    join(process.cwd(), 'out', 'agent', 'dsvm-pool-agent.js'),
  ];
}

export async function readAgentBundle(path?: string): Promise<string> {
  const candidates = path ? [path] : agentBundleCandidates();
  for (const candidate of candidates) {
    try {
      return await readFile(candidate, 'utf8');
    } catch {
      // the next one
    }
  }
  throw new RpcError(
    ErrorCode.Internal,
    `The pool agent is missing from this build (looked for ${candidates.join(', ')}). Run \`npm run build\` and try again.`,
  );
}
