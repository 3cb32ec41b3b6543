// What the agent takes as a member's last input, checked against real OpenSSH on loopback (root):
// typing in an SSH pty and keys sent into a tmux pane both move the atime of that /dev/pts
// device, which is what the watch reads (busy-signals.ts) — and a silent session does not.
import assert from 'node:assert/strict';
import { stat, utimes } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import ssh2, { type Client, type ClientChannel } from 'ssh2';
import { terminalInputByUid } from '../../../src/agent/busy-signals';
import { realSystem } from '../../../src/agent/real-system';
import { startOpenSshServer, type OpenSshServer } from '../../helpers/openssh-server';

const HOUR_AGO = () => new Date(Date.now() - 3_600_000);

function exec(client: Client, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) => {
      if (error) return reject(error);
      let out = '';
      channel.on('data', (d: Buffer) => (out += d.toString()));
      channel.stderr.on('data', (d: Buffer) => (out += d.toString()));
      channel.on('close', () => resolve(out.trim()));
    });
  });
}

/** Waits until the shell in `channel` printed `marker` (it read the line we typed). */
function until(channel: ClientChannel, marker: string): Promise<void> {
  return new Promise((resolve) => {
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (seen.includes(marker)) {
        channel.off('data', onData);
        resolve();
      }
    };
    channel.on('data', onData);
  });
}

describe('terminal input as the agent sees it (real sshd, root)', () => {
  let server: OpenSshServer;
  let client: Client;
  let uid: number;
  const system = realSystem({ log: { info: () => {}, warn: () => {}, error: () => {} } });

  before(async () => {
    server = await startOpenSshServer();
    client = new ssh2.Client();
    await new Promise<void>((resolve, reject) => {
      client.on('ready', resolve).on('error', reject);
      client.connect({
        host: server.host,
        port: server.port,
        username: server.username,
        privateKey: server.privateKey,
      });
    });
    uid = Number(await exec(client, 'id -u'));
  });
  after(async () => {
    await exec(client, 'tmux -L dsvm-busy-test kill-server 2>/dev/null; true').catch(() => '');
    client?.end();
    await server?.stop();
  });

  it('typing in an SSH pty moves its atime; a silent one keeps it', async () => {
    const shell = await new Promise<ClientChannel>((resolve, reject) =>
      client.shell({ term: 'xterm', rows: 24, cols: 80 }, (e, ch) => (e ? reject(e) : resolve(ch))),
    );
    const tty = await new Promise<string>((resolve) => {
      let text = '';
      const onData = (d: Buffer) => {
        text += d.toString();
        const match = /TTY=(\/dev\/pts\/\d+)/.exec(text);
        if (match) {
          shell.off('data', onData);
          resolve(match[1]);
        }
      };
      shell.on('data', onData);
      shell.write('echo TTY=$(tty)\n');
    });
    // An hour of silence on this terminal: the agent sees it as old input.
    await utimes(tty, HOUR_AGO(), HOUR_AGO());
    const { atimeMs: silent } = await stat(tty);
    assert.ok(Date.now() - silent >= 3_500_000, 'silent for an hour');
    const before = Date.now();
    // The output, not the echo of what was typed: the shell has read the line by then.
    const echoed = until(shell, 'typed-2');
    shell.write('echo typed-$((1+1))\n');
    await echoed;
    const last = (await terminalInputByUid(system)).get(uid);
    assert.ok(last !== undefined, 'the pty is seen with its owner');
    // The kernel stamps a tty with 8 s granularity.
    assert.ok(last >= before - 10_000, `atime ${new Date(last).toISOString()} after typing`);
    shell.end();
  });

  it('keys sent into a tmux pane move the pane’s pty atime', async () => {
    const pane = await exec(
      client,
      'tmux -L dsvm-busy-test new-session -d -s t && tmux -L dsvm-busy-test display-message -p -t t "#{pane_tty}"',
    );
    assert.match(pane, /^\/dev\/pts\/\d+$/);
    await utimes(pane, HOUR_AGO(), HOUR_AGO());
    const before = Date.now();
    await exec(client, `tmux -L dsvm-busy-test send-keys -t t 'echo pane-typed' Enter`);
    // The pane's shell reads the line (and so stamps its pty) a moment later.
    let atime = 0;
    for (let i = 0; i < 100 && atime < before - 10_000; i++) {
      await new Promise((r) => setTimeout(r, 50));
      atime = (await stat(pane)).atimeMs;
    }
    assert.ok(atime >= before - 10_000, `pane atime ${new Date(atime).toISOString()}`);
    assert.ok(((await terminalInputByUid(system)).get(uid) ?? 0) >= before - 10_000);
  });
});
