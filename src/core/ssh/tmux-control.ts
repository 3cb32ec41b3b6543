// A tmux control-mode client (`tmux -C`) over an SSH channel: the pane's output byte for byte,
// commands with their replies, and the notifications a terminal needs (%exit, %pause).
import type { ClientChannel } from 'ssh2';
import { ErrorCode, RpcError } from '../../common/errors';

/** Keys are typed with `send-keys -H`: this many bytes per command keeps each line short. */
const SEND_KEYS_BYTES = 4_096;
/** A reply is the output of one command we sent; lines are UTF-8 text. */
type Reply = { resolve: (lines: string[]) => void; reject: (err: Error) => void };

export interface TmuxControlEvents {
  /** Bytes the pane's program wrote, exactly as written (none are dropped or redrawn). */
  output(bytes: Buffer): void;
  /**
   * tmux stopped sending the pane's output because we fell behind (`pause-after`): what it
   * printed meanwhile is only in the pane's history now. Read it back with capture-pane.
   */
  pause(): void;
  /** The control client is leaving (session ended, detached, or killed); `reason` when tmux says. */
  exit(reason: string | undefined): void;
}

/**
 * Why control mode and not a tmux client in a pty: a tmux client redraws the screen rather than
 * streaming, and when one read from the pane scrolls more than a screenful it sends only the last
 * screen (screen-write.c collects the scroll), so fast output never reached xterm.js's scrollback
 * (`seq 1 300` arrived as 28 of its 300 lines). In control mode tmux sends every byte the pane
 * printed (`%output`), and we type with `send-keys -H` and size the pane with `refresh-client -C`.
 */
export class TmuxControl {
  private buffered: Buffer = Buffer.alloc(0);
  /** Replies owed, in the order the commands were sent; tmux answers in that order. */
  private readonly replies: Reply[] = [];
  /** The reply being read: its lines so far and the %begin line's command number. */
  private block: { number: string; lines: string[]; ours: boolean } | undefined;
  private closed = false;
  /** Snapshots in flight: pane output is dropped until their replies (see `snapshot`). */
  private dropping = 0;
  /**
   * Command lines held until the client is attached (`%session-changed`). tmux reads a control
   * client's stdin as soon as the client connects, possibly before it runs the client's own
   * command line (`new-session`): sent early, a command could find no session yet (seen on a
   * busy machine: "can't find session").
   */
  private held: string[] | undefined = [];

  constructor(
    private readonly channel: ClientChannel,
    private readonly target: string,
    private readonly events: TmuxControlEvents,
  ) {}

  /** Feed what the channel read (stdout of `tmux -C`). */
  feed(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    let start = 0;
    for (;;) {
      const end = this.buffered.indexOf(0x0a, start);
      if (end < 0) break;
      this.line(this.buffered.subarray(start, end));
      start = end + 1;
    }
    this.buffered = start === 0 ? this.buffered : Buffer.from(this.buffered.subarray(start));
  }

  /** Runs a tmux command (one line, no newline) and resolves with its output lines. */
  command(line: string): Promise<string[]> {
    return new Promise<string[]>((resolve, reject) => {
      this.run([line], (result) =>
        result instanceof Error ? reject(result) : resolve(result[0]!),
      );
    });
  }

  /**
   * Runs commands as one command list: tmux runs them back to back, with no pane output parsed
   * in between. `done` is called synchronously as the last reply is read, before any output
   * that follows it, with each command's lines or the first failure.
   */
  run(lines: string[], done: (result: string[][] | Error) => void): void {
    if (this.closed) {
      done(new RpcError(ErrorCode.Closed, 'The terminal is closed.'));
      return;
    }
    const results: string[][] = [];
    let failed: Error | undefined;
    lines.forEach((_, index) => {
      const last = index === lines.length - 1;
      this.replies.push({
        resolve: (reply) => {
          results.push(reply);
          if (last) done(failed ?? results);
        },
        reject: (err) => {
          failed ??= err;
          if (last) done(failed);
        },
      });
    });
    const line = `${lines.join(' ; ')}\n`;
    if (this.held) this.held.push(line);
    else this.channel.write(line);
  }

  /**
   * Runs commands that read the pane's state (capture-pane) and drops the pane output that
   * arrives before their replies: tmux sent it before the commands ran, so the state has it.
   */
  snapshot(lines: string[], done: (result: string[][] | Error) => void): void {
    this.dropping++;
    this.run(lines, (result) => {
      this.dropping--;
      done(result);
    });
  }

  /** Types `data` into the pane, as bytes (UTF-8), exactly: no key names are interpreted. */
  send(data: string): void {
    const bytes = Buffer.from(data, 'utf8');
    for (let at = 0; at < bytes.length; at += SEND_KEYS_BYTES) {
      const part = bytes.subarray(at, at + SEND_KEYS_BYTES);
      const hex = Array.from(part, (b) => b.toString(16)).join(' ');
      // A refusal (the session just ended) is reported by %exit; nothing to add per key.
      this.command(`send-keys -H -t ${this.target} ${hex}`).catch(() => {});
    }
  }

  /** Sets the pane's size (the size of this client, the only one). */
  resize(cols: number, rows: number): Promise<string[]> {
    return this.command(`refresh-client -C ${cols}x${rows}`);
  }

  /** The channel closed: commands still owed a reply fail. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const error = new RpcError(ErrorCode.Closed, 'The terminal closed before tmux answered.');
    for (const reply of this.replies.splice(0)) reply.reject(error);
  }

  /** The client is attached to its session: what was held can go. */
  private attached(): void {
    const held = this.held;
    this.held = undefined;
    if (held?.length) this.channel.write(held.join(''));
  }

  private line(raw: Buffer): void {
    if (this.block) {
      // Inside a reply every line is output, until the %end or %error with the same number.
      const text = raw.toString('utf8');
      const end = /^%(end|error) \d+ (\d+) \d+$/.exec(text);
      if (!end || end[2] !== this.block.number) {
        this.block.lines.push(text);
        return;
      }
      const { lines, ours } = this.block;
      this.block = undefined;
      // Blocks with flags 0 answer the commands on tmux's own command line (new-session).
      if (!ours) return;
      const reply = this.replies.shift();
      if (!reply) return;
      if (end[1] === 'end') reply.resolve(lines);
      else reply.reject(new Error(lines.join('\n') || 'tmux refused the command'));
      return;
    }
    if (raw[0] !== 0x25 /* % */) return;
    // `%output %<pane> <data>`, or with pause-after set, `%extended-output %<pane> <age> : <data>`.
    if (startsWith(raw, '%output ')) {
      const at = raw.indexOf(0x20, '%output '.length);
      if (at > 0 && !this.dropping) this.events.output(unescape(raw.subarray(at + 1)));
      return;
    }
    if (startsWith(raw, '%extended-output ')) {
      const at = raw.indexOf(' : ');
      if (at > 0 && !this.dropping) this.events.output(unescape(raw.subarray(at + 3)));
      return;
    }
    const text = raw.toString('utf8');
    const begin = /^%begin \d+ (\d+) (\d+)$/.exec(text);
    if (begin) {
      this.block = { number: begin[1]!, lines: [], ours: (Number(begin[2]) & 1) === 1 };
      return;
    }
    if (text.startsWith('%session-changed ')) this.attached();
    else if (text.startsWith('%pause ')) this.events.pause();
    else if (text === '%exit' || text.startsWith('%exit ')) {
      this.events.exit(text.length > 6 ? text.slice(6) : undefined);
    }
  }
}

function startsWith(raw: Buffer, prefix: string): boolean {
  return raw.length >= prefix.length && raw.toString('latin1', 0, prefix.length) === prefix;
}

/** tmux writes bytes below 0x20 and the backslash as `\ooo` (three octal digits). */
export function unescape(data: Buffer): Buffer {
  if (!data.includes(0x5c)) return Buffer.from(data);
  const out = Buffer.allocUnsafe(data.length);
  let n = 0;
  for (let i = 0; i < data.length; i++) {
    const byte = data[i]!;
    if (byte === 0x5c && isOctal(data, i + 1)) {
      out[n++] = ((data[i + 1]! - 48) << 6) | ((data[i + 2]! - 48) << 3) | (data[i + 3]! - 48);
      i += 3;
    } else {
      out[n++] = byte;
    }
  }
  return out.subarray(0, n);
}

function isOctal(data: Buffer, at: number): boolean {
  if (at + 2 >= data.length) return false;
  for (let i = at; i < at + 3; i++) {
    const d = data[i]!;
    if (d < 48 || d > 55) return false;
  }
  return true;
}
