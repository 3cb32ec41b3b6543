// Reads the team registry from the share; a registry that does not parse never changes who has
// access: the agent keeps using the last good copy (cached root-only) and reports the error.
import { plainIssueWords } from '../common/issue-words';
import { plural } from '../common/user-text';
import type { AgentConfig, TeamRegistry } from '../common/agent-protocol';
import { SHARE_LAYOUT, TeamRegistrySchema, formatSchemaIssues } from '../common/agent-protocol';
import type { AgentSystem } from './agent-system';
import { hostPath } from './agent-system';
import { messageOf } from './errors';
import { AGENT_PATHS } from './paths';
import type { RunReport } from './run-report';
import { ensureRootDir, readSmallFile, writeFileAtomic } from './safe-fs';

export interface LoadedRegistry {
  /** undefined: no valid registry at all (then nobody is added or locked). */
  registry: TeamRegistry | undefined;
  source: 'share' | 'last-good' | 'none';
}

const MAX_REGISTRY_BYTES = 4 * 1024 * 1024;

/** Parses registry text; the problems as lines (`members[1].name: …`) when it does not. */
export function parseRegistry(
  text: string,
): { ok: true; registry: TeamRegistry } | { ok: false; problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`not valid JSON: ${messageOf(error)}`] };
  }
  // Plain words, and a key nobody expects (a right-to-left override, a megabyte) is not echoed
  // into the log and the heartbeat the app shows.
  const parsed = TeamRegistrySchema.safeParse(json, { error: plainIssueWords });
  if (!parsed.success) return { ok: false, problems: formatSchemaIssues(parsed.error) };
  return { ok: true, registry: parsed.data };
}

async function readLastGood(system: AgentSystem): Promise<TeamRegistry | undefined> {
  try {
    const text = await readSmallFile(
      hostPath(system, AGENT_PATHS.lastGoodRegistry),
      MAX_REGISTRY_BYTES,
    );
    if (text === undefined) return undefined;
    const parsed = parseRegistry(text);
    return parsed.ok ? parsed.registry : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The registry to apply. `shareUsable` false (share down): the last good copy, if any.
 * The share's copy is cached as the last good one whenever it parses.
 */
export async function loadRegistry(
  system: AgentSystem,
  config: AgentConfig,
  shareUsable: boolean,
  report: RunReport,
): Promise<LoadedRegistry> {
  const where = `${config.share.mountPoint}/${SHARE_LAYOUT.registry}`;
  const fallback = async (why: string, isError: boolean): Promise<LoadedRegistry> => {
    const lastGood = await readLastGood(system);
    const tail = lastGood
      ? `; using the last good copy (${plural(lastGood.members.length, 'member')})`
      : '; no earlier copy, so no member is added or locked';
    if (isError) report.error(`${why}${tail}`);
    else report.warn(`${why}${tail}`);
    return lastGood
      ? { registry: lastGood, source: 'last-good' }
      : { registry: undefined, source: 'none' };
  };
  if (!shareUsable)
    return fallback('the share is not usable, so the team registry cannot be read', false);
  let text: string | undefined;
  try {
    text = await readSmallFile(hostPath(system, where), MAX_REGISTRY_BYTES);
  } catch (error) {
    return fallback(`cannot read the team registry ${where}: ${messageOf(error)}`, true);
  }
  if (text === undefined) return fallback(`there is no team registry yet (${where})`, false);
  const parsed = parseRegistry(text);
  if (!parsed.ok) {
    return fallback(
      `the team registry ${where} is invalid: ${parsed.problems.slice(0, 10).join('; ')}${parsed.problems.length > 10 ? ` (and ${parsed.problems.length - 10} more)` : ''}`,
      true,
    );
  }
  const cache = hostPath(system, AGENT_PATHS.lastGoodRegistry);
  const normalized = `${JSON.stringify(parsed.registry, null, 2)}\n`;
  try {
    if ((await readSmallFile(cache, MAX_REGISTRY_BYTES).catch(() => undefined)) !== normalized) {
      await ensureRootDir(hostPath(system, AGENT_PATHS.stateDir), 0o755);
      await writeFileAtomic(cache, normalized, { mode: 0o600 });
    }
  } catch (error) {
    report.warn(
      `could not cache the registry in ${AGENT_PATHS.lastGoodRegistry}: ${messageOf(error)}`,
    );
  }
  return { registry: parsed.registry, source: 'share' };
}
