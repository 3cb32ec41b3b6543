// Before Jupyter: is the pool's share mounted on this instance, and does ~/notebooks/remote point
// at the user's own folder on it? Read over the user's SSH connection, as the user; the fix asks
// the agent to re-apply now (`sudo -n dsvm-pool-agent apply`, which the agent allows everyone).
import { AgentConfigSchema, SHARE_LAYOUT, formatSchemaIssues } from '../../common/agent-protocol';
import { ErrorCode, RpcError } from '../../common/errors';
import type { ShareCheck } from '../../common/models';

/** What the check needs from a connection (SshConnection.exec). */
export interface CommandRunner {
  exec(
    command: string,
    options?: { signal?: AbortSignal },
  ): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

const CONFIG = '/etc/dsvm-pool/agent.json';
const AGENT = '/usr/local/bin/dsvm-pool-agent';
const MARK = '--dsvm-pool--';

/** POSIX-sh single quoting (the mount point comes from the VM's own config). */
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export async function checkShare(conn: CommandRunner, signal?: AbortSignal): Promise<ShareCheck> {
  const config = await conn.exec(`cat ${CONFIG} 2>/dev/null`, { signal });
  if (config.code !== 0 || !config.stdout.trim()) {
    return {
      state: 'no-agent',
      problems: [],
      summary: 'No pool agent on this instance: its share is not managed by the app.',
    };
  }
  let parsed;
  try {
    parsed = AgentConfigSchema.safeParse(JSON.parse(config.stdout));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success) {
    const why = parsed ? formatSchemaIssues(parsed.error).join('; ') : 'not JSON';
    return {
      state: 'problem',
      problems: [`The agent's configuration ${CONFIG} is not valid (${why}); ask the pool admin.`],
      summary: 'The pool agent is misconfigured.',
    };
  }
  const { mountPoint } = parsed.data.share;
  const { adminUser, shareName } = parsed.data;
  const probe = [
    `if mountpoint -q ${q(mountPoint)} 2>/dev/null; then echo mounted; else echo unmounted; fi`,
    `echo ${MARK}; id -un`,
    `echo ${MARK}; readlink "$HOME/notebooks/remote" 2>/dev/null || echo`,
    `echo ${MARK}; if [ -d "$HOME/notebooks/remote/" ] && [ -w "$HOME/notebooks/remote/" ]; then echo writable; else echo not-writable; fi`,
    `echo ${MARK}; readlink "$HOME/"${q(shareName)} 2>/dev/null || echo`,
  ].join('; ');
  const answer = await conn.exec(probe, { signal });
  const [mounted = '', user = '', link = '', writable = '', adminLink = ''] = answer.stdout
    .split(MARK)
    .map((part) => part.trim());
  const problems: string[] = [];
  if (mounted !== 'mounted') {
    problems.push(`The share is not mounted on ${mountPoint}: your notebooks there are missing.`);
  }
  // The VM's admin account is not a team member: like the article, it gets ~/<share> → the mount.
  if (user === adminUser && !link) {
    const ok = adminLink.replace(/\/+$/, '') === mountPoint;
    if (!ok) problems.push(`~/${shareName} should link to the share at ${mountPoint}.`);
    return {
      state: problems.length ? 'problem' : 'ok',
      mountPoint,
      ...(adminLink ? { link: adminLink } : {}),
      expected: mountPoint,
      problems,
      summary: problems.length
        ? 'The share is not right on this instance.'
        : `Share mounted; ~/${shareName} → ${mountPoint} (the admin's link).`,
    };
  }
  const expected = `${mountPoint}/${SHARE_LAYOUT.notebooksDir}/${user}`;
  if (!link) {
    problems.push(`~/notebooks/remote does not exist (it should link to ${expected}).`);
  } else if (link.replace(/\/+$/, '') !== expected) {
    problems.push(`~/notebooks/remote points at ${link}, not at your folder ${expected}.`);
  } else if (mounted === 'mounted' && writable !== 'writable') {
    problems.push(`~/notebooks/remote (${expected}) is not writable for ${user}.`);
  }
  return {
    state: problems.length ? 'problem' : 'ok',
    mountPoint,
    link: link || undefined,
    expected,
    problems,
    summary: problems.length
      ? 'The share is not right on this instance.'
      : `Share mounted; ~/notebooks/remote → ${expected}.`,
  };
}

/** Runs the agent's apply now, then checks again; a refused sudo says what to do instead. */
export async function fixShare(conn: CommandRunner, signal?: AbortSignal): Promise<ShareCheck> {
  const run = await conn.exec(`sudo -n ${AGENT} apply 2>&1`, { signal });
  if (run.code !== 0) {
    const said = run.stdout.trim().split('\n').slice(-3).join(' ');
    if (/password is required|not allowed|may not run sudo|sudoers/i.test(said)) {
      throw new RpcError(
        ErrorCode.AuthFailed,
        'This instance does not let you run the agent (its sudo rule is missing: an older agent). It repairs itself within a minute; if not, ask the pool admin to use Repair agent.',
      );
    }
    if (run.code === 127 || /not found/i.test(said)) {
      throw new RpcError(
        ErrorCode.NotFound,
        `The agent is not installed at ${AGENT} on this instance; ask the pool admin to repair it.`,
      );
    }
    // apply reports its own failure (e.g. the mount failed): show what it said, then re-check.
    const check = await checkShare(conn, signal);
    return {
      ...check,
      problems: [...check.problems, `The agent's apply failed: ${said || `exit ${run.code}`}`],
      state: 'problem',
    };
  }
  return checkShare(conn, signal);
}
