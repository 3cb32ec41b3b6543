// Terminals in tmux against a real OpenSSH server and Debian's tmux: fast output arrives line for
// line (tmux in control mode), a reattached session is read back from tmux's history, and closing
// a tab at any moment ends its tmux session.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Emitter } from '../../../../src/common/event';
import type { ConnectionInfo, InstanceInfo } from '../../../../src/common/models';
import type { ConnectTarget, PoolProvider } from '../../../../src/core/providers/pool-provider';
import { PromptService } from '../../../../src/core/prompts/prompt-service';
import { ConnectionService } from '../../../../src/core/sessions/connection-service';
import { KnownHostsStore } from '../../../../src/core/ssh/known-hosts-store';
import {
  BATCH_MAX_CHARS,
  HIGH_WATERMARK,
  TerminalService,
} from '../../../../src/core/ssh/terminal-service';
import { RESET, TMUX } from '../../../../src/core/ssh/tmux';
import { TmuxControl } from '../../../../src/core/ssh/tmux-control';
import { startOpenSshServer, type OpenSshServer } from '../../../helpers/openssh-server';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** One instance: the OpenSSH server on 127.0.0.1. */
class OneHostPool implements PoolProvider {
  readonly id = 'test-pool';
  readonly kind = 'ssh-hosts' as const;
  readonly name = 'Test pool';
  readonly description = 'OpenSSH on 127.0.0.1';
  private readonly changed = new Emitter<void>();
  readonly onDidChangeInstances = this.changed.event;

  constructor(private readonly server: OpenSshServer) {}

  get user(): string {
    return this.server.username;
  }

  async start(): Promise<void> {}

  listInstances(): InstanceInfo[] {
    const { host, port } = this.server;
    return [{ id: 'vm-0', name: 'vm-0', state: 'running', host, port, sessions: {} }];
  }

  async connectTarget(): Promise<ConnectTarget> {
    const { host, port, username, privateKey } = this.server;
    return { host, port, username, privateKey };
  }

  dispose(): void {
    this.changed.dispose();
  }
}

describe('TerminalService with tmux (OpenSSH, tmux)', () => {
  let server: OpenSshServer;
  let dir: string;
  let pool: OneHostPool;
  let prompts: PromptService;
  let connections: ConnectionService;

  before(async () => {
    server = await startOpenSshServer();
    dir = await mkdtemp(join(tmpdir(), 'terminal-service-test-'));
    pool = new OneHostPool(server);
    prompts = new PromptService();
    prompts.onDidOpen((prompt) => setTimeout(() => prompts.answer(prompt.id, true), 1));
    connections = new ConnectionService({
      providers: new Map([[pool.id, pool]]),
      knownHosts: new KnownHostsStore(join(dir, 'known-hosts.json')),
      prompts,
      log: () => {},
    });
  });
  after(async () => {
    connections?.dispose();
    prompts?.dispose();
    pool?.dispose();
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const ownerOf = (info: ConnectionInfo) => ({
    connectionId: info.id,
    poolId: info.poolId,
    instanceId: info.instanceId,
    instanceName: info.instanceName,
  });

  /** The names of our tmux server's sessions, asked on a connection of their own. */
  async function tmuxSessions(): Promise<string[]> {
    const info = await connections.connect(pool.id, undefined);
    try {
      const result = await connections
        .get(info.id)
        .connection.exec(`${TMUX} list-sessions -F '#{session_name}' 2>/dev/null`);
      return result.stdout.split('\n').filter(Boolean);
    } finally {
      await connections.close(info.id);
    }
  }

  it('delivers every line of fast output, and the backlog keeps the newest lines', async () => {
    const info = await connections.connect(pool.id, undefined);
    const terminals = new TerminalService({ links: connections, scrollback: () => 1_000 });
    let output = '';
    terminals.onData(({ terminalId, data }) => {
      output += data;
      terminals.ack(terminalId, data.length);
    });
    try {
      const link = connections.get(info.id).connection;
      const term = await terminals.open(link, ownerOf(info), { cols: 80, rows: 24 });
      assert.equal(term.persistence, 'tmux');
      // Through a tmux client in a pty this arrived as 28 of its 300 lines.
      terminals.write(term.id, 'seq 1 3000 | sed s/^/fast-/; echo done-$((40+2))\r');
      await waitFor('the end of the output', () => output.includes('done-42'));
      const lines = new Set(output.match(/fast-\d+/g));
      const missing = Array.from({ length: 3000 }, (_, i) => `fast-${i + 1}`).filter(
        (line) => !lines.has(line),
      );
      assert.deepEqual(missing, [], 'every line reached the terminal');

      // A reloaded page gets the newest scrollback + screen lines, not a number of characters.
      const { backlog } = terminals.attachView(term.id);
      assert.ok(backlog.includes('done-42'));
      const kept = backlog.split('\n').length;
      assert.ok(kept >= 1_000 + 24 && kept <= 1_000 + 24 + 1, `${kept} lines kept`);
      assert.ok(backlog.includes('fast-2000\r\n'));
      assert.ok(!backlog.includes('fast-1900\r\n'), 'older lines are let go');
    } finally {
      await connections.close(info.id);
      terminals.dispose();
    }
  });

  /**
   * Floods the terminal while the UI acknowledges nothing, until tmux has paused it (pause-after);
   * returns how many characters the UI was sent (and owes acknowledgements for).
   */
  async function floodWhileBehind(terminals: TerminalService, termId: string, read: () => string) {
    // The shell answers first (tmux attached, its pane known), as before anyone types a flood.
    terminals.write(termId, 'echo ready-$((1+1))\r');
    await waitFor('the shell', () => read().includes('ready-2'));
    terminals.write(termId, 'seq 1 100000000\r');
    await waitFor('the first 100k characters', () => read().length > HIGH_WATERMARK);
    await sleep(400);
    const held = read().length;
    // Longer than tmux's pause-after: it stops sending to us; seq goes on into its history.
    await sleep(1_500);
    assert.equal(read().length, held, 'no output while the UI is behind');
    assert.ok(held < HIGH_WATERMARK + 2 * BATCH_MAX_CHARS, `${held} characters unacknowledged`);
    return held;
  }

  /** The redraw after `held`: a reset, then consecutive lines up to the scrollback limit. */
  async function checkRedraw(
    terminals: TerminalService,
    termId: string,
    output: () => string,
    held: number,
  ) {
    const numbers = (text: string) => (text.match(/^\d+$/gm) ?? []).map(Number);
    const lastShown = Math.max(...numbers(output().slice(0, held).replace(/\r/g, '')));
    await waitFor('a redraw', () => output().indexOf(RESET, held) >= 0);
    terminals.write(termId, '\x03');
    terminals.write(termId, 'echo stopped-$((3+4))\r');
    await waitFor('the prompt after Ctrl+C', () => output().includes('stopped-7'));
    const text = output();
    const start = text.indexOf(RESET, held) + RESET.length;
    const redraw = text.slice(start, text.indexOf('\x1b[', start)).split('\r\n');
    // The last line is the one seq was writing when tmux was asked: maybe a part of a number.
    const lines = numbers(redraw.slice(0, -1).join('\n'));
    assert.ok(lines.length >= 1_000, `${lines.length} lines redrawn`);
    assert.ok(redraw.length <= 1_000 + 24, `${redraw.length} lines: the limit and a screen`);
    lines.forEach((n, i) => i === 0 || assert.equal(n, lines[i - 1]! + 1, 'consecutive'));
    assert.ok(lines[0]! > lastShown, 'tmux went on while we were behind');
  }

  /** A terminal flooded while the UI acknowledges nothing; then the UI catches up. */
  async function floodBehindThenCatchUp(log?: (line: string) => void): Promise<void> {
    const info = await connections.connect(pool.id, undefined);
    const terminals = new TerminalService({
      links: connections,
      scrollback: () => 1_000,
      ...(log ? { log } : {}),
    });
    let output = '';
    let acking = false;
    terminals.onData(({ terminalId, data }) => {
      output += data;
      if (acking) terminals.ack(terminalId, data.length);
    });
    try {
      const link = connections.get(info.id).connection;
      const term = await terminals.open(link, ownerOf(info), { cols: 80, rows: 24 });
      const held = await floodWhileBehind(terminals, term.id, () => output);
      // The UI catches up: not with the second of flood tmux queued, but with a redraw from the
      // pane's history.
      acking = true;
      terminals.ack(term.id, held);
      await checkRedraw(terminals, term.id, () => output, held);
    } finally {
      await connections.close(info.id);
      terminals.dispose();
    }
  }

  it('holds a flood in tmux while the UI is behind, then redraws from tmux history', async () => {
    await floodBehindThenCatchUp();
  });

  it('redraws through a new tmux client when tmux leaves the catch-up unanswered', async () => {
    const logs: string[] = [];
    // tmux 3.3a now and then never answers a paused client's catch-up (nor sends it anything
    // more); here its commands never reach tmux, which looks the same from our side.
    const proto = TmuxControl.prototype;
    const snapshot = proto.snapshot;
    let unanswered = 0;
    proto.snapshot = function (this: TmuxControl, lines, done) {
      if (lines[0]?.endsWith(":continue'") && unanswered++ === 0) return;
      snapshot.call(this, lines, done);
    };
    try {
      await floodBehindThenCatchUp((line) => logs.push(line));
    } finally {
      proto.snapshot = snapshot;
    }
    assert.equal(unanswered, 1, 'the first catch-up went unanswered');
    assert.ok(
      logs.some((line) => line.includes('left a catch-up unanswered')),
      logs.join('\n'),
    );
  });

  it('ends the tmux session of a tab closed at any moment, also with its connection', async () => {
    const runId = `t${randomBytes(3).toString('hex')}`;
    const ours = async () =>
      (await tmuxSessions()).filter((name) => name.startsWith(`dsvm-pool-${runId}-`));
    const delays: (number | 'after output')[] = [0, 100, 1_500, 'after output'];
    const opened: string[] = [];
    for (const delay of delays) {
      const info = await connections.connect(pool.id, undefined);
      const terminals = new TerminalService({ links: connections, runId });
      let output = '';
      terminals.onData(({ terminalId, data }) => {
        output += data;
        terminals.ack(terminalId, data.length);
      });
      try {
        const link = connections.get(info.id).connection;
        const term = await terminals.open(link, ownerOf(info), { cols: 80, rows: 24 });
        opened.push(term.id);
        assert.equal(term.persistence, 'tmux');
        if (delay === 'after output') {
          const mark = randomBytes(4).toString('hex');
          terminals.write(term.id, `echo out-$((1+1))-${mark}\r`);
          await waitFor('the output', () => output.includes(`out-2-${mark}`));
        } else if (delay > 0) {
          await sleep(delay);
        }
        // As the UI does: close the tab, and its connection with it (the last tab on it).
        terminals.close(term.id);
        await connections.close(info.id);
      } finally {
        terminals.dispose();
      }
    }
    // Each TerminalService numbers from 1: the same name four times, each one ended.
    assert.equal(opened.length, delays.length);
    assert.deepEqual(await ours(), [], 'no session of a closed tab is left');
  });
});
