// An AppLogger whose lines go to another process's log (the core in Electron's utility process
// writes through main's main.log): redacted here, so a secret known only to this process (a
// passphrase typed into a prompt) never crosses.
import type { AppLogger } from './app-logger';
import { SecretRedactor } from './redact';

export type LogLevel = 'info' | 'warn' | 'error';

export function createForwardingLogger(
  send: (level: LogLevel, line: string) => void,
  /** The file the receiving side writes (Diagnostics names it). */
  filePath?: string,
): AppLogger {
  const redactor = new SecretRedactor();
  const write = (level: LogLevel, data: unknown[]) =>
    send(level, data.map((item) => redactor.redactValue(item)).join(' '));
  return {
    log: (line) => write('info', [line]),
    info: (...data) => write('info', data),
    warn: (...data) => write('warn', data),
    error: (...data) => write('error', data),
    addSecret: (value) => redactor.add(value),
    filePath,
  };
}
