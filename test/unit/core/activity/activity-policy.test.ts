// The pool's activity policy on the share and "Keep this VM": what the contract accepts, what is
// written to `.pool/activity.json`, and the keep command run as the user over their connection.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ActivityPolicySchema } from '../../../../src/common/agent-protocol';
import { methods } from '../../../../src/common/contract';
import type { RpcError } from '../../../../src/common/errors';
import {
  keepInstance,
  readActivityPolicy,
  writeActivityPolicy,
} from '../../../../src/core/activity/activity-policy';
import type { ShareFiles } from '../../../../src/core/storage/share-files';

function memoryShare(
  files: Record<string, string> = {},
): ShareFiles & { files: Record<string, string> } {
  return {
    files,
    label: 'Azure Files share teamstore/notebooks',
    read: (path) => Promise.resolve(files[path]),
    writeAtomic: (path, text) => {
      files[path] = text;
      return Promise.resolve();
    },
    withLock: (_name, fn) => fn(),
    list: () => Promise.resolve([]),
    usage: () => Promise.resolve({ usedBytes: 0, perUser: {}, approximate: false }),
    setQuota: () => Promise.resolve(),
  };
}

describe('activity policy', () => {
  it('missing: the defaults (30 min, no idle stop)', async () => {
    assert.deepEqual(await readActivityPolicy(memoryShare()), {
      version: 1,
      idleMinutes: 30,
      idleStop: false,
    });
  });

  it('written as the agents read it, and read back', async () => {
    const share = memoryShare();
    const policy = await writeActivityPolicy(share, { idleMinutes: 45, idleStop: true });
    assert.deepEqual(policy, { version: 1, idleMinutes: 45, idleStop: true });
    assert.deepEqual(
      ActivityPolicySchema.parse(JSON.parse(share.files['.pool/activity.json'])),
      policy,
    );
    assert.deepEqual(await readActivityPolicy(share), policy);
  });

  it('a damaged file says so and how to fix it', async () => {
    await assert.rejects(
      readActivityPolicy(memoryShare({ '.pool/activity.json': '{' })),
      /\.pool\/activity\.json on Azure Files share teamstore\/notebooks is not JSON; the agents use the defaults .* Save the policy again/,
    );
    await assert.rejects(
      readActivityPolicy(
        memoryShare({ '.pool/activity.json': JSON.stringify({ version: 1, idleMinutes: 1 }) }),
      ),
      /is not valid \(idleMinutes: .*\); the agents use the defaults/,
    );
  });

  it('the contract refuses a window under 5 min or over a day, in words', () => {
    const input = methods['activity.setPolicy'].input;
    const short = input.safeParse({ poolId: 'p', idleMinutes: 2, idleStop: false });
    assert.equal(short.success, false);
    assert.match(short.error!.issues[0].message, /must be at least 5 minutes/);
    const long = input.safeParse({ poolId: 'p', idleMinutes: 2000, idleStop: false });
    assert.match(long.error!.issues[0].message, /at most 1440 minutes \(24 hours\)/);
    assert.equal(input.safeParse({ poolId: 'p', idleMinutes: 30, idleStop: true }).success, true);
    const keep = methods['activity.keep'].input;
    assert.match(
      keep.safeParse({ poolId: 'p', instanceId: 'i', minutes: 0 }).error!.issues[0].message,
      /at least 1 minute/,
    );
  });
});

describe('Keep this VM', () => {
  const fakeConnection = (answer: { code: number | null; stdout?: string; stderr?: string }) => {
    const commands: string[] = [];
    return {
      commands,
      exec: (command: string) => {
        commands.push(command);
        return Promise.resolve({ stdout: '', stderr: '', ...answer });
      },
    };
  };
  const now = new Date('2026-12-07T10:00:00Z');

  it('runs the agent’s keep as the user, the reason quoted', async () => {
    const conn = fakeConnection({ code: 0, stdout: 'kept' });
    const kept = await keepInstance(conn, {
      minutes: 90,
      reason: "bob's training; rm -rf /",
      instanceName: 'teampool000003',
      now,
    });
    assert.deepEqual(conn.commands, [
      "/usr/local/bin/dsvm-pool-agent keep 90m --reason 'bob'\\''s training; rm -rf /'",
    ]);
    assert.deepEqual(kept, {
      until: '2026-12-07T11:30:00.000Z',
      message:
        'teampool000003 is kept until 11:30 UTC: scale-in and idle stop leave it alone until then.',
    });
  });

  it('an agent without keep, or a refusal, says what to do', async () => {
    await assert.rejects(
      keepInstance(fakeConnection({ code: 127, stderr: 'sh: 1: dsvm-pool-agent: not found' }), {
        minutes: 30,
        instanceName: 'vm1',
      }),
      (error: RpcError) =>
        /vm1 has an older agent without "keep".*Repair agent/.test(error.message),
    );
    await assert.rejects(
      keepInstance(
        fakeConnection({
          code: 2,
          stderr: 'dsvm-pool-agent: a keep lasts at most 24h; "1500m" is longer\n',
        }),
        { minutes: 1500, instanceName: 'vm1' },
      ),
      /vm1 refused to keep the VM: a keep lasts at most 24h/,
    );
  });
});
