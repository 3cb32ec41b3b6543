// The one contract between the UI and the Node side: every method (zod input schema, output
// type) and every event. Both transports (MessagePort, WebSocket) carry exactly this.
//
// To add a method: add an entry to `methods` below with its input schema and `.returns<T>()`,
// then implement it in `src/core/app-handlers.ts` (the compiler lists what is missing).
import { z } from 'zod';
import type { AppInfo, ConnectionInfo, PoolInfo, Prompt, TerminalInfo } from './models';

const id = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .min(1, `${what} must not be empty`)
    .max(200, `${what} is too long`);

/** Terminal sizes xterm.js and sshd both accept. */
const cols = z.number().int().min(2).max(1000);
const rows = z.number().int().min(1).max(1000);

const empty = z.object({}).strict();

function method<I extends z.ZodType>(input: I, doc: string) {
  return {
    returns<O>() {
      return { input, doc, output: undefined as unknown as O };
    },
  };
}

export const methods = {
  'app.info': method(
    empty,
    'What shell hosts the UI, the version and the data folder.',
  ).returns<AppInfo>(),

  'pools.list': method(
    empty,
    'Every pool the app knows, with its instances and their states.',
  ).returns<PoolInfo[]>(),

  'connections.connect': method(
    z
      .object({
        poolId: id('poolId'),
        /** Omit to let placement choose (affinity, then fewest sessions). */
        instanceId: id('instanceId').optional(),
      })
      .strict(),
    'Opens an SSH connection to an instance of a pool; asks about unknown host keys via prompts.',
  ).returns<ConnectionInfo>(),

  'connections.list': method(empty, 'Open connections.').returns<ConnectionInfo[]>(),

  'connections.close': method(
    z.object({ connectionId: id('connectionId') }).strict(),
    'Closes a connection and every terminal on it.',
  ).returns<void>(),

  'terminals.open': method(
    z.object({ connectionId: id('connectionId'), cols, rows }).strict(),
    'Opens an interactive shell in a pty on the connection.',
  ).returns<TerminalInfo>(),

  'terminals.list': method(empty, 'Open terminals.').returns<TerminalInfo[]>(),

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

  'terminals.close': method(
    z.object({ terminalId: id('terminalId') }).strict(),
    'Ends the shell and closes the terminal.',
  ).returns<void>(),

  'prompts.list': method(empty, 'Questions waiting for the user (e.g. unknown host keys).').returns<
    Prompt[]
  >(),

  'prompts.answer': method(
    z.object({ promptId: id('promptId'), accept: z.boolean() }).strict(),
    'Answers a prompt: accept (trust and remember the host key) or decline.',
  ).returns<void>(),
} as const;

/** Event payloads, Node side → UI. Names follow `onDid…` / `on…` like VS Code. */
export interface Events {
  /** The shell (e.g. the tray menu) asks the UI to connect to a pool the usual way. */
  'app.onDidRequestConnect': { poolId: string };
  /** The pools or their instances changed; carries the whole list. */
  'pools.onDidChange': PoolInfo[];
  /** A connection changed state (connected, failed, closed). */
  'connections.onDidChange': ConnectionInfo;
  /** Output of a terminal; acknowledge with `terminals.ack` once rendered. */
  'terminals.onData': { terminalId: string; data: string };
  /** The terminal's shell ended or its connection dropped. */
  'terminals.onDidExit': { terminalId: string; exitCode?: number; signal?: string; reason: string };
  /** The terminal's pty size changed (also after a resize from elsewhere). */
  'terminals.onDidResize': { terminalId: string; cols: number; rows: number };
  /** A question for the user opened. */
  'prompts.onDidOpen': Prompt;
  /** A question was answered or withdrawn. */
  'prompts.onDidClose': { promptId: string };
}

export const eventNames = [
  'app.onDidRequestConnect',
  'pools.onDidChange',
  'connections.onDidChange',
  'terminals.onData',
  'terminals.onDidExit',
  'terminals.onDidResize',
  'prompts.onDidOpen',
  'prompts.onDidClose',
] as const satisfies readonly (keyof Events)[];

export type Methods = typeof methods;
export type MethodName = keyof Methods;
/** What a caller sends. */
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>;
/** What a handler receives, after validation. */
export type MethodParams<M extends MethodName> = z.output<Methods[M]['input']>;
export type MethodOutput<M extends MethodName> = Methods[M]['output'];
export type EventName = keyof Events;

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, name);
}

export function isEventName(name: string): name is EventName {
  return (eventNames as readonly string[]).includes(name);
}
