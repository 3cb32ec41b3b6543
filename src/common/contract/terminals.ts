// Terminals: an interactive shell in a pty on a connection; output comes as id-keyed events the UI
// acknowledges (flow control), and a UI that reloaded takes an open terminal over.
import { z } from 'zod';
import type { TerminalAttachment, TerminalInfo, TerminalSettings } from '../models';
import { empty, id, method } from './define';

/**
 * Lines of scrollback a terminal keeps (xterm.js, the app's backlog for a reloaded page, and what
 * a reattached tmux session is read back with). Above 50,000 lines xterm.js's buffer grows past
 * ~70 MB for a wide terminal; under 1,000 a build log no longer fits.
 */
export const SCROLLBACK_LINES = { default: 10_000, min: 1_000, max: 50_000 } as const;

/** The sentence the UI shows too, in its own words (the field's label is "Scrollback"). */
export const SCROLLBACK_RULE = `Scrollback must be a whole number of lines from ${SCROLLBACK_LINES.min.toLocaleString('en-US')} to ${SCROLLBACK_LINES.max.toLocaleString('en-US')}.`;

export const scrollbackSchema = z
  .number({ error: SCROLLBACK_RULE })
  .int(SCROLLBACK_RULE)
  .min(SCROLLBACK_LINES.min, SCROLLBACK_RULE)
  .max(SCROLLBACK_LINES.max, SCROLLBACK_RULE);

/** Terminal sizes xterm.js and sshd both accept. */
const cols = z.number().int().min(2).max(1000);
const rows = z.number().int().min(1).max(1000);

export const terminalMethods = {
  'terminals.open': method(
    z.object({ connectionId: id('connectionId'), cols, rows }).strict(),
    'Opens an interactive shell in a pty on the connection.',
  ).returns<TerminalInfo>(),

  'terminals.list': method(empty, 'Open terminals.').returns<TerminalInfo[]>(),

  'terminals.attach': method(
    z.object({ terminalId: id('terminalId') }).strict(),
    'A UI that reloaded takes over an open terminal: its recent output to show first, and flow ' +
      'control from zero (output sent to the old page is no longer owed an ack).',
  ).returns<TerminalAttachment>(),

  'terminals.write': method(
    z
      .object({
        terminalId: id('terminalId'),
        data: z.string().max(1_000_000, 'data is over 1,000,000 characters; send it in parts'),
      })
      .strict(),
    'Types into the terminal.',
  ).returns<void>(),

  'terminals.resize': method(
    z.object({ terminalId: id('terminalId'), cols, rows }).strict(),
    'Changes the pty size (the shell sees SIGWINCH).',
  ).returns<void>(),

  'terminals.ack': method(
    z.object({ terminalId: id('terminalId'), chars: z.number().int().min(0) }).strict(),
    'Flow control: the UI rendered this many more characters of `terminals.onData` since its last ack.',
  ).returns<void>(),

  'terminals.settings': method(
    empty,
    'The terminal settings (scrollback).',
  ).returns<TerminalSettings>(),

  'terminals.setSettings': method(
    z.object({ scrollback: scrollbackSchema }).strict(),
    'Changes the terminal settings, kept in settings.json; open terminals follow at once.',
  ).returns<TerminalSettings>(),

  'terminals.close': method(
    z.object({ terminalId: id('terminalId') }).strict(),
    'Ends the shell and closes the terminal.',
  ).returns<void>(),
} as const;

export interface TerminalEvents {
  /** The terminal settings changed (from this page or another). */
  'terminals.onDidChangeSettings': TerminalSettings;
  /** Output of a terminal; acknowledge with `terminals.ack` once rendered. */
  'terminals.onData': { terminalId: string; data: string };
  /** The terminal's shell ended or its connection dropped. */
  'terminals.onDidExit': { terminalId: string; exitCode?: number; signal?: string; reason: string };
  /** The terminal's pty size changed (also after a resize from elsewhere). */
  'terminals.onDidResize': { terminalId: string; cols: number; rows: number };
  /**
   * The terminal's link dropped (`reconnecting`) or came back (`live`); with tmux the same shell
   * is reattached, and `replaced` says a plain shell was lost and a new one started.
   */
  'terminals.onDidChangeState': {
    terminalId: string;
    state: 'live' | 'reconnecting';
    replaced?: boolean;
    detail?: string;
  };
}

export const terminalEventNames = [
  'terminals.onDidChangeSettings',
  'terminals.onData',
  'terminals.onDidExit',
  'terminals.onDidResize',
  'terminals.onDidChangeState',
] as const satisfies readonly (keyof TerminalEvents)[];
