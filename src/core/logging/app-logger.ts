// The app's one logger (electron-log's Node entry, so core never loads electron): a size-rotated
// `<dataDir>/logs/main.log` readable by the owner only, and stderr for whoever runs the headless
// host; every message is redacted (secret shapes and registered secret values) before either.
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import electronLog from 'electron-log/node';
import { SecretRedactor } from './redact';

export interface AppLoggerOptions {
  /** The app's data folder; the log goes to `<dataDir>/logs/main.log`. Omit for no file. */
  dataDir?: string;
  /** Also write each line to stderr (the headless host's developer, `npm run dev`). */
  stderr?: boolean;
  /** Rotate once the file passes this size (default 1 MiB). */
  maxBytes?: number;
  /** Rotated files kept beside main.log: main.1.log (newest) … main.<n>.log (default 3). */
  keep?: number;
}

export interface AppLogger {
  /** What services take as `log`: one line of diagnostics, at info level. */
  readonly log: (line: string) => void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  /**
   * A secret known at run time (a passphrase typed into a prompt, the host's token): redacted
   * wherever it appears in a later message.
   */
  addSecret(value: string | undefined): void;
  /** `<dataDir>/logs/main.log`, when there is a file. */
  readonly filePath: string | undefined;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;
const DEFAULT_KEEP = 3;
let instances = 0;

export function createAppLogger(options: AppLoggerOptions = {}): AppLogger {
  const redactor = new SecretRedactor();
  // electron-log keeps one logger per id; each app logger (tests make several) gets its own.
  const logger = electronLog.create({ logId: `dsvm-pool-${process.pid}-${++instances}` });
  const filePath = options.dataDir ? join(options.dataDir, 'logs', 'main.log') : undefined;

  // Redaction is the first hook, so no transport ever sees the raw message.
  logger.hooks.push((message) => ({
    ...message,
    data: message.data.map((item) => redactor.redactValue(item)),
  }));

  const file = logger.transports.file;
  if (filePath) {
    // The folder and the files are the owner's only: a log is still about what they do.
    mkdirSync(dirname(filePath), { recursive: true, mode: 0o700 });
    // A file left by an older version (or a copied folder) may be wider than that.
    if (existsSync(filePath)) chmodSync(filePath, 0o600);
    file.resolvePathFn = () => filePath;
    file.maxSize = options.maxBytes ?? DEFAULT_MAX_BYTES;
    file.format = '[{y}-{m}-{d} {h}:{i}:{s}.{ms}] [{level}] {text}';
    file.writeOptions = { flag: 'a', mode: 0o600, encoding: 'utf8' };
    const keep = Math.max(1, options.keep ?? DEFAULT_KEEP);
    file.archiveLogFn = (current) => rotate(current.toString(), keep);
  } else {
    file.level = false;
  }

  const stderr = logger.transports.console;
  if (options.stderr) {
    // The lines the headless host always printed, on stderr (stdout carries its address).
    stderr.format = 'dsvm-pool: {text}';
    stderr.writeFn = ({ message }) => {
      process.stderr.write(`${message.data.map(String).join(' ')}\n`);
    };
  } else {
    stderr.level = false;
  }
  // Nothing leaves the process: no renderer console (ipc), no HTTP endpoint (remote).
  for (const name of ['ipc', 'remote']) {
    const transport = logger.transports[name];
    if (transport) transport.level = false;
  }

  return {
    log: (line) => logger.info(line),
    info: (...data) => logger.info(...data),
    warn: (...data) => logger.warn(...data),
    error: (...data) => logger.error(...data),
    addSecret: (value) => redactor.add(value),
    filePath,
  };
}

/** main.log → main.1.log, main.1.log → main.2.log, …; the oldest beyond `keep` is deleted. */
function rotate(path: string, keep: number): void {
  const ext = extname(path);
  const stem = join(dirname(path), basename(path, ext));
  const numbered = (n: number) => `${stem}.${n}${ext}`;
  rmSync(numbered(keep), { force: true });
  for (let n = keep - 1; n >= 1; n--) {
    try {
      renameSync(numbered(n), numbered(n + 1));
    } catch {
      // Not there yet (the first rotations).
    }
  }
  renameSync(path, numbered(1));
}
