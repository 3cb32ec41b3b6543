// What one apply did: errors (the run failed), warnings and changes, each also logged once.
import type { Logger } from './agent-system';

export class RunReport {
  readonly errors: string[] = [];
  readonly warnings: string[] = [];
  readonly changes: string[] = [];

  constructor(private readonly log: Logger) {}

  error(message: string): void {
    this.errors.push(message);
    this.log.error(message);
  }

  warn(message: string): void {
    this.warnings.push(message);
    this.log.warn(message);
  }

  change(message: string): void {
    this.changes.push(message);
    this.log.info(message);
  }
}
