// Fault suite, terminals: a tmux terminal flooded with `seq 1 200000` while its link is reset,
// black-holed and dropped; it heals by itself into the same tmux session, and what the terminal
// shows at the end holds every line of the flood in order, as far back as its scrollback reaches.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  TerminalService,
  type TerminalStateChange,
} from '../../../../src/core/ssh/terminal-service';
import { RESET } from '../../../../src/core/ssh/tmux';
import {
  faultSeed,
  formatHeals,
  startFaultRig,
  waitFor,
  type LinkFault,
} from '../../../helpers/fault-rig';
import { startOpenSshServer, type OpenSshServer } from '../../../helpers/openssh-server';

const FLOOD = 200_000;
const SCROLLBACK = 10_000;
const ROWS = 30;

/**
 * What a terminal shows (scrollback and screen) after `text`, for what tmux sends here: RESET,
 * CR, LF, cursor positioning (the end of a redraw) and printable text; other sequences ignored.
 * Lines are short, so no wrapping. The cursor's line is left out: output may have stopped in the
 * middle of it (a fault, a redraw), so it is not a whole line yet.
 */
function render(text: string, rows: number): string[] {
  let lines: string[] = [''];
  let row = 0; // index into lines
  let col = 0;
  const screenTop = () => Math.max(0, lines.length - rows);
  const put = (chars: string) => {
    const line = lines[row]!.padEnd(col);
    lines[row] = line.slice(0, col) + chars + line.slice(col + chars.length);
    col += chars.length;
  };
  // eslint-disable-next-line no-control-regex -- the escape sequences are what it parses
  const token = /\x1bc|\x1b\[(\d*);?(\d*)H|\x1b\[[0-9;?]*[a-zA-Z]|\x1b[=>]|\r|\n|[^\x1b\r\n]+/g;
  for (const match of text.matchAll(token)) {
    const [part, y, x] = match;
    if (part === RESET) {
      lines = [''];
      row = col = 0;
    } else if (part === '\r') col = 0;
    else if (part === '\n') {
      row++;
      if (row === lines.length) lines.push('');
    } else if (part.endsWith('H') && part.startsWith('\x1b[')) {
      while (lines.length < rows) lines.push('');
      row = screenTop() + Math.max(0, Number(y || 1) - 1);
      col = Math.max(0, Number(x || 1) - 1);
    } else if (!part.startsWith('\x1b')) put(part);
  }
  return lines.filter((_, index) => index !== row);
}

/** The flood's numbers on the lines shown. */
function floodNumbers(lines: string[], tag: string): number[] {
  const pattern = new RegExp(`^${tag}-(\\d+)\\s*$`);
  return lines.flatMap((line) => {
    const match = pattern.exec(line);
    return match ? [Number(match[1])] : [];
  });
}

/** The first place where `numbers` is not n, n+1, n+2, …, as a message; undefined if none. */
function firstBreak(numbers: number[]): string | undefined {
  for (let i = 1; i < numbers.length; i++) {
    if (numbers[i] !== numbers[i - 1]! + 1) {
      return `${numbers[i]} follows ${numbers[i - 1]} (at ${i} of ${numbers.length})`;
    }
  }
  return undefined;
}

describe('terminal fault suite: a flood through resets, black holes and dropped flows', () => {
  let server: OpenSshServer;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'terminal-fault-'));
    server = await startOpenSshServer();
  });
  after(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('fault: the tmux terminal heals into the same session and keeps every flooded line', async () => {
    const { random } = faultSeed('terminal fault');
    const rig = await startFaultRig(dir, server);
    const terminals = new TerminalService({ links: rig.connections, scrollback: () => SCROLLBACK });
    let output = '';
    const changes: TerminalStateChange[] = [];
    terminals.onDidChangeState((e) => changes.push(e));
    // The UI: renders (here: keeps) every event and acknowledges it, as xterm.js does.
    let onOutput: () => void = () => {};
    terminals.onData(({ terminalId, data }) => {
      output += data;
      terminals.ack(terminalId, data.length);
      onOutput();
    });
    const heals: { fault: LinkFault; ms: number }[] = [];
    try {
      const { info } = rig;
      const term = await terminals.open(
        rig.connections.get(info.id).connection,
        {
          connectionId: info.id,
          poolId: info.poolId,
          instanceId: info.instanceId,
          instanceName: info.instanceName,
        },
        { cols: 100, rows: ROWS },
      );
      assert.equal(term.persistence, 'tmux');
      // The shell's own marker: only the same shell (the same tmux session) can print it later.
      terminals.write(term.id, 'export FAULT_MARK=shell-$((6*7))-$$\r');

      const faults: LinkFault[] = ['reset', 'black-hole', 'dropped-flow'];
      for (const [round, fault] of faults.entries()) {
        const tag = `r${round}`;
        const done = `${tag}-done-${1000 + round}`;
        const start = output.length;
        // Where in the flood the fault lands: 5–60 % of its lines (the seed decides).
        const at = Math.floor(FLOOD * (0.05 + 0.55 * random()));
        let injected: Promise<number> | undefined;
        let before = '';
        onOutput = () => {
          if (injected) return;
          const tail = output.slice(-64);
          const last = /(\d+)\r\n$/.exec(tail);
          if (tail.includes(`${tag}-`) && last && Number(last[1]) >= at) {
            before = output;
            injected = rig.inject(fault);
          }
        };
        terminals.write(
          term.id,
          `seq -f '${tag}-%.0f' 1 ${FLOOD}; echo ${tag}-done-$((1000+${round}))\r`,
        );
        await waitFor(`the fault during round ${round}`, () => injected !== undefined, 60_000);
        heals.push({ fault, ms: await injected! });
        await waitFor(
          `the end of the flood of round ${round}`,
          () => output.indexOf(done, start) >= 0,
          60_000,
        );
        // Acknowledged, for a terminal: the lines the UI received and acknowledged before the
        // fault. The flood went on meanwhile (tmux kept it in the pane's history).
        const acknowledged = floodNumbers(render(before, ROWS), tag);
        assert.ok(acknowledged.length > 0, 'some of the flood arrived before the fault');
        assert.equal(firstBreak(acknowledged), undefined, 'received in order before the fault');

        // What the terminal shows now (its scrollback and screen, redrawn after the heal).
        const shown = floodNumbers(render(output, ROWS), tag);
        assert.equal(firstBreak(shown), undefined, 'the terminal shows the lines in order');
        assert.equal(shown.at(-1), FLOOD, 'down to the last line');
        // The scrollback and the screen, less the command, the prompt and the done line.
        assert.ok(
          shown.length >= SCROLLBACK - 5,
          `${shown.length} lines of the flood shown; scrollback is ${SCROLLBACK}`,
        );
        // At every redraw, too, the terminal showed its lines in order.
        for (let at = output.indexOf(RESET, start); at >= 0; at = output.indexOf(RESET, at + 1)) {
          const then = floodNumbers(render(output.slice(0, at), ROWS), tag);
          assert.equal(firstBreak(then), undefined, 'in order before each redraw');
        }
      }

      // The same tab, the same shell: its marker, set before the faults, is still there.
      assert.deepEqual(
        terminals.list().map((t) => t.id),
        [term.id],
      );
      assert.ok(
        changes.every((c) => !c.replaced),
        'the shell was never replaced',
      );
      assert.equal(changes.filter((c) => c.state === 'reconnecting').length, faults.length);
      const before = output.length;
      terminals.write(term.id, 'echo mark-is-$FAULT_MARK-$((2+2))\r');
      await waitFor('the marker', () => /mark-is-shell-42-\d+-4/.test(output.slice(before)));
      console.log(`# terminal fault: heal times ${formatHeals(heals)}`);
    } finally {
      await rig.dispose();
      terminals.dispose();
    }
  });
});
