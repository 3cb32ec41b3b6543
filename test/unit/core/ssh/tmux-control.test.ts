// The tmux control-mode protocol as TmuxControl reads and writes it: %output with octal escapes
// (split anywhere across reads), replies matched to commands, snapshots that drop the output they
// already hold, %pause and %exit; and the snapshot text and version rules in tmux.ts.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { ClientChannel } from 'ssh2';
import { TmuxControl, unescape } from '../../../../src/core/ssh/tmux-control';
import { RESET, snapshotText, tmuxVersionUsable } from '../../../../src/core/ssh/tmux';

/** What TmuxControl uses of a channel: `write`, recorded. */
function fakeChannel() {
  const written: string[] = [];
  const channel = Object.assign(new EventEmitter(), {
    write: (data: string) => {
      written.push(data);
      return true;
    },
  });
  return { channel: channel as unknown as ClientChannel, written };
}

function rig() {
  const { channel, written } = fakeChannel();
  const output: Buffer[] = [];
  const events: string[] = [];
  const control = new TmuxControl(channel, '=s:', {
    output: (bytes) => output.push(bytes),
    pause: () => events.push('pause'),
    exit: (reason) => events.push(`exit ${reason ?? ''}`.trim()),
  });
  // tmux says so once the client is attached to its session; commands wait for it.
  control.feed(Buffer.from('%begin 1 1 0\n%end 1 1 0\n%session-changed $0 s\n'));
  const text = () => Buffer.concat(output).toString('utf8');
  return { control, written, output, events, text };
}

describe('TmuxControl', () => {
  it('unescapes %output and %extended-output byte for byte, split anywhere', () => {
    const { control, text } = rig();
    const stream = Buffer.from(
      '%output %0 a\\015\\012b\\134c \xc3\xa9\n' + '%extended-output %0 12 : tab\\011end\\033[0m\n',
      'latin1',
    );
    // One byte at a time: a line, an escape and a UTF-8 character may all be split.
    for (let i = 0; i < stream.length; i++) control.feed(stream.subarray(i, i + 1));
    assert.equal(text(), 'a\r\nb\\c é' + 'tab\tend\x1b[0m');
  });

  it('leaves a backslash that starts no escape as it is', () => {
    assert.equal(unescape(Buffer.from('a\\9b\\')).toString(), 'a\\9b\\');
  });

  it('matches replies to commands in order; flags 0 (its own command line) are not ours', async () => {
    const { control, written } = rig();
    const first = control.command('display -p one');
    const second = control.command('bad-command');
    assert.deepEqual(written, ['display -p one\n', 'bad-command\n']);
    control.feed(
      Buffer.from(
        '%begin 1 259 0\n%end 1 259 0\n' +
          '%begin 1 260 1\n%output looks like a notification\none\n%end 1 260 1\n' +
          '%begin 1 261 1\nunknown command: bad-command\n%error 1 261 1\n',
      ),
    );
    assert.deepEqual(await first, ['%output looks like a notification', 'one']);
    await assert.rejects(second, /unknown command: bad-command/);
  });

  it('types keys as hex bytes, in commands of bounded length', () => {
    const { control, written } = rig();
    control.send('é\r');
    assert.deepEqual(written, ['send-keys -H -t =s: c3 a9 d\n']);
    control.send('x'.repeat(10_000));
    assert.equal(written.length, 1 + 3);
  });

  it('runs a snapshot as one command list and drops the output that came before its replies', () => {
    const { control, written, text } = rig();
    let replies: string[][] | Error | undefined;
    let textAtReply = '';
    control.snapshot(['display -p x', 'capture-pane -p'], (result) => {
      replies = result;
      textAtReply = text();
    });
    assert.deepEqual(written, ['display -p x ; capture-pane -p\n']);
    control.feed(
      Buffer.from(
        '%output %0 already-in-the-capture\n' +
          '%begin 1 5 1\n3 4\n%end 1 5 1\n' +
          '%output %0 also-before\n' +
          '%begin 1 6 1\nline 1\nline 2\n%end 1 6 1\n' +
          '%output %0 after\n',
      ),
    );
    assert.deepEqual(replies, [['3 4'], ['line 1', 'line 2']]);
    assert.equal(textAtReply, '', 'the callback runs before the output that follows');
    assert.equal(text(), 'after');
  });

  it('reports %pause and %exit, and fails what is owed when the channel closes', async () => {
    const { control, events } = rig();
    const owed = control.command('display -p x');
    control.feed(Buffer.from('%pause %0\n%layout-change @0 x\n%exit\n'));
    control.feed(Buffer.from('%exit too far behind\n'));
    assert.deepEqual(events, ['pause', 'exit', 'exit too far behind']);
    control.close();
    await assert.rejects(owed, /closed/);
    await assert.rejects(control.command('display -p y'), /closed/);
  });
});

describe('TmuxControl before its session is attached', () => {
  it('holds commands until %session-changed, then sends them in order', async () => {
    const { channel, written } = fakeChannel();
    const control = new TmuxControl(channel, '=s:', {
      output: () => {},
      pause: () => {},
      exit: () => {},
    });
    const reply = control.command('display -p x');
    control.send('a');
    assert.deepEqual(written, [], 'nothing before tmux has run new-session');
    control.feed(Buffer.from('%begin 1 1 0\n%end 1 1 0\n%session-changed $0 s\n'));
    assert.deepEqual(written, ['display -p x\nsend-keys -H -t =s: 61\n']);
    control.feed(Buffer.from('%begin 1 2 1\nx\n%end 1 2 1\n'));
    assert.deepEqual(await reply, ['x']);
  });

  it('fails held commands when the channel closes first', async () => {
    const { channel } = fakeChannel();
    const control = new TmuxControl(channel, '=s:', {
      output: () => {},
      pause: () => {},
      exit: () => {},
    });
    const reply = control.command('display -p x');
    control.close();
    await assert.rejects(reply, /closed/);
  });
});

describe('snapshotText', () => {
  it('resets, draws history and screen, then puts the cursor and the modes back', () => {
    const text = snapshotText('4 1 1 1 0 0 0 0 1 %3', ['\x1b[31mred', 'two']);
    assert.equal(text, `${RESET}\x1b[31mred\r\ntwo\x1b[2;5H\x1b[?1h\x1b[?1006h`);
  });

  it('hides the cursor only when the pane did', () => {
    assert.ok(snapshotText('0 0 0 0 0 0 0 0 0 %0', []).includes('\x1b[?25l'));
    assert.ok(!snapshotText('', []).includes('\x1b[?25l'));
  });
});

describe('tmuxVersionUsable', () => {
  it('needs 3.2 or newer', () => {
    assert.equal(tmuxVersionUsable('tmux 3.3a'), true);
    assert.equal(tmuxVersionUsable('tmux 3.2'), true);
    assert.equal(tmuxVersionUsable('tmux 4.0'), true);
    assert.equal(tmuxVersionUsable('tmux next-3.6'), true);
    assert.equal(tmuxVersionUsable('tmux master'), true);
    assert.equal(tmuxVersionUsable('tmux 3.0a'), false);
    assert.equal(tmuxVersionUsable('tmux 2.8'), false);
    assert.equal(tmuxVersionUsable('sh: tmux: not found'), false);
  });
});
