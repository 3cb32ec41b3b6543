// The pool's activity policy on its share (`.pool/activity.json`, read by every agent each
// cycle) and "Keep this VM" (`dsvm-pool-agent keep` run as the user on that instance).
import { ActivityPolicySchema, SHARE_LAYOUT } from '../../common/agent-protocol';
import type { ActivityPolicy } from '../../common/agent-protocol';
import { formatSchemaIssues } from '../../common/agent-protocol/schema-issues';
import { ErrorCode, RpcError } from '../../common/errors';
import { shellQuote } from '../azure/az/index';
import type { ShareFiles } from '../storage/share-files';

const DEFAULTS: ActivityPolicy = ActivityPolicySchema.parse({ version: 1 });

/** The policy on the share; the defaults when missing; a clear error when it is damaged. */
export async function readActivityPolicy(files: ShareFiles): Promise<ActivityPolicy> {
  const text = await files.read(SHARE_LAYOUT.activityPolicy);
  if (text === undefined) return { ...DEFAULTS };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RpcError(
      ErrorCode.BadInput,
      `${SHARE_LAYOUT.activityPolicy} on ${files.label} is not JSON; the agents use the defaults (idle after ${DEFAULTS.idleMinutes} min, no idle stop). Save the policy again to replace it.`,
    );
  }
  const parsed = ActivityPolicySchema.safeParse(json);
  if (!parsed.success) {
    throw new RpcError(
      ErrorCode.BadInput,
      `${SHARE_LAYOUT.activityPolicy} on ${files.label} is not valid (${formatSchemaIssues(parsed.error).join('; ')}); the agents use the defaults. Save the policy again to replace it.`,
    );
  }
  return parsed.data;
}

/** Writes the policy atomically (every agent reads it at its next cycle). */
export async function writeActivityPolicy(
  files: ShareFiles,
  input: { idleMinutes: number; idleStop: boolean },
): Promise<ActivityPolicy> {
  const policy = ActivityPolicySchema.parse({ version: 1, ...input });
  await files.writeAtomic(SHARE_LAYOUT.activityPolicy, `${JSON.stringify(policy, null, 2)}\n`);
  return policy;
}

/** What `activity.keep` needs of an SSH connection (SshConnection.exec). */
export interface KeepConnection {
  exec(
    command: string,
    options?: { signal?: AbortSignal },
  ): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** The agent's wrapper, on every pool VM's PATH (the agent's installer puts it there). */
const AGENT = '/usr/local/bin/dsvm-pool-agent';

/** Runs `dsvm-pool-agent keep <minutes>m [--reason …]` as the connection's user. */
export async function keepInstance(
  conn: KeepConnection,
  input: { minutes: number; reason?: string; instanceName: string; now?: Date },
  signal?: AbortSignal,
): Promise<{ until: string; message: string }> {
  const args = [AGENT, 'keep', `${input.minutes}m`];
  if (input.reason?.trim()) args.push('--reason', input.reason.trim());
  const started = input.now ?? new Date();
  const answer = await conn.exec(args.map(shellQuote).join(' '), { signal });
  if (answer.code !== 0) {
    const said = `${answer.stderr}${answer.stdout}`.trim().split('\n').slice(-2).join(' ');
    if (answer.code === 127 || /not found|unknown command "keep"/i.test(said)) {
      throw new RpcError(
        ErrorCode.BadInput,
        `${input.instanceName} has an older agent without "keep"; it cannot be kept until the pool admin uses Repair agent.`,
      );
    }
    throw new RpcError(
      ErrorCode.BadInput,
      `${input.instanceName} refused to keep the VM: ${said.replace(/^dsvm-pool-agent: /, '') || `exit ${answer.code}`}`,
    );
  }
  const until = new Date(started.getTime() + input.minutes * 60_000).toISOString();
  return {
    until,
    message: `${input.instanceName} is kept until ${until.slice(11, 16)} UTC: scale-in and idle stop leave it alone until then.`,
  };
}
