// Reads and validates /etc/dsvm-pool/agent.json, with errors that say which field and why.
import type { AgentConfig } from '../common/agent-protocol';
import { AgentConfigSchema, formatSchemaIssues } from '../common/agent-protocol';
import type { AgentSystem } from './agent-system';
import { hostPath } from './agent-system';
import { AgentError, messageOf } from './errors';
import { AGENT_PATHS } from './paths';
import { readSmallFile } from './safe-fs';

/** Exit code for a missing or invalid configuration. */
export const EXIT_BAD_CONFIG = 2;

/** Parses config JSON text; `where` names the source in messages. */
export function parseConfig(text: string, where: string): AgentConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AgentError(`${where} is not valid JSON: ${messageOf(error)}`, EXIT_BAD_CONFIG);
  }
  const parsed = AgentConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issues = formatSchemaIssues(parsed.error);
    throw new AgentError(
      `${where} is not a valid agent configuration: ${issues.join('; ')}`,
      EXIT_BAD_CONFIG,
    );
  }
  return parsed.data;
}

export async function loadConfig(system: AgentSystem, path?: string): Promise<AgentConfig> {
  const file = path ?? AGENT_PATHS.config;
  let text: string | undefined;
  try {
    text = await readSmallFile(hostPath(system, file), 256 * 1024);
  } catch (error) {
    throw new AgentError(`cannot read ${file}: ${messageOf(error)}`, EXIT_BAD_CONFIG);
  }
  if (text === undefined) {
    throw new AgentError(
      `${file} does not exist — run \`dsvm-pool-agent install --config <file>\` first`,
      EXIT_BAD_CONFIG,
    );
  }
  return parseConfig(text, file);
}

/** The computer name the heartbeat is filed under: the configured one, else the host name. */
export function computerNameOf(system: AgentSystem, config: AgentConfig): string {
  const name = config.computerName ?? system.hostname().split('.')[0];
  if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/.test(name)) {
    throw new AgentError(
      `the host name "${name}" cannot name a heartbeat file; set "computerName" in ${AGENT_PATHS.config}`,
      EXIT_BAD_CONFIG,
    );
  }
  return name;
}
