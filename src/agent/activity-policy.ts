// The pool's activity policy, `<share>/.pool/activity.json` (idle window, idle stop), written by
// the admin app; missing or invalid means the defaults, and the log says why.
import type { ActivityPolicy, AgentConfig } from '../common/agent-protocol';
import { ActivityPolicySchema, SHARE_LAYOUT } from '../common/agent-protocol';
import { formatSchemaIssues } from '../common/agent-protocol/schema-issues';
import type { AgentSystem } from './agent-system';
import { hostPath } from './agent-system';
import { messageOf } from './errors';
import { readSmallFile } from './safe-fs';

export const DEFAULT_POLICY: ActivityPolicy = ActivityPolicySchema.parse({ version: 1 });

/** The policy, and why the defaults are used when they are (undefined: the file was good). */
export async function loadActivityPolicy(
  system: AgentSystem,
  config: AgentConfig,
): Promise<{ policy: ActivityPolicy; note?: string }> {
  const path = `${config.share.mountPoint}/${SHARE_LAYOUT.activityPolicy}`;
  let text: string | undefined;
  try {
    text = await readSmallFile(hostPath(system, path), 64 * 1024);
  } catch (error) {
    return { policy: DEFAULT_POLICY, note: `${path}: ${messageOf(error)}; using the defaults` };
  }
  if (text === undefined) {
    return { policy: DEFAULT_POLICY, note: `${path} is missing; using the defaults` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return {
      policy: DEFAULT_POLICY,
      note: `${path} is not JSON (${messageOf(error)}); using the defaults`,
    };
  }
  const parsed = ActivityPolicySchema.safeParse(json);
  if (!parsed.success) {
    return {
      policy: DEFAULT_POLICY,
      note: `${path} is not valid (${formatSchemaIssues(parsed.error).join('; ')}); using the defaults`,
    };
  }
  return { policy: parsed.data };
}
