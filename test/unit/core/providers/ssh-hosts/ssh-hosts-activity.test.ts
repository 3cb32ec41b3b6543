// ssh-hosts pools: each connected host's agent activity, read over the user's own connection
// from the heartbeat the host's agent wrote, reaches InstanceInfo.activity; stale or missing
// heartbeats and hosts without a connection show none.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AgentActivity } from '../../../../../src/common/agent-protocol';
import type { ConnectionInfo } from '../../../../../src/common/models';
import { readSshHostsActivity } from '../../../../../src/core/providers/ssh-hosts/ssh-hosts-activity';

const NOW = Date.parse('2026-12-07T10:00:00Z');
const ACTIVITY: AgentActivity = {
  busy: true,
  reasons: [{ user: 'bob', kind: 'kernel', text: 'kernel busy 40 min' }],
  idleSince: null,
  idleMinutes: 30,
  protection: null,
  idleStopAt: null,
  scheduledEvents: [],
};

function heartbeat(time: string, activity?: AgentActivity) {
  return JSON.stringify({
    version: 1,
    computerName: 'gpu1',
    agentVersion: '0.1.0',
    time,
    mount: null,
    users: { applied: [], locked: [] },
    sessions: { bob: 1 },
    jupyter: {},
    load: { avg1: 0, avg5: 0, avg15: 0, cpus: 4 },
    lastApply: null,
    ...(activity ? { activity } : {}),
  });
}

function setup(beat: string) {
  const set = new Map<string, AgentActivity | undefined>();
  const provider = {
    id: 'pool1',
    listInstances: () => [{ id: 'gpu1' }, { id: 'gpu2' }],
    setActivity: (id: string, a: AgentActivity | undefined) => set.set(id, a),
  };
  const connection = {
    where: 'bob@gpu1',
    exec: (command: string) =>
      Promise.resolve(
        command.startsWith('cat /etc/dsvm-pool/agent.json')
          ? {
              code: 0,
              stderr: '',
              stdout: `${JSON.stringify({
                version: 1,
                share: { protocol: 'bind', source: '/srv/share', mountPoint: '/mnt/pool' },
                shareName: 'pool',
                adminUser: 'azureuser',
              })}\n--dsvm-pool-diagnostics--\ngpu1\n`,
            }
          : { code: 0, stderr: '', stdout: beat },
      ),
  };
  const info = {
    id: 'c1',
    poolId: 'pool1',
    instanceId: 'gpu1',
    state: 'connected',
  } as ConnectionInfo;
  return {
    set,
    run: () =>
      readSshHostsActivity(
        { list: () => [provider] } as never,
        { list: () => [info], get: () => ({ connection }) },
        NOW,
      ),
  };
}

describe('ssh-hosts activity', () => {
  it('a connected host’s fresh heartbeat gives its activity; an unconnected host none', async () => {
    const { set, run } = setup(heartbeat('2026-12-07T09:59:30Z', ACTIVITY));
    await run();
    assert.deepEqual(set.get('gpu1'), ACTIVITY);
    assert.ok(set.has('gpu2'));
    assert.equal(set.get('gpu2'), undefined);
  });

  it('a stale heartbeat (an agent that stopped) gives none', async () => {
    const { set, run } = setup(heartbeat('2026-12-07T09:50:00Z', ACTIVITY));
    await run();
    assert.equal(set.get('gpu1'), undefined);
  });
});
