// Flow control for terminal output: acknowledges rendered characters in batches, not per chunk.
import type { Disposable } from '../../../../common/event';

/** Acknowledge at once when this many characters were rendered since the last ack. */
export const ACK_BATCH_CHARS = 5_000;
/** Otherwise acknowledge what was rendered after this much quiet. */
export const ACK_IDLE_MS = 50;

/**
 * Counts characters xterm has rendered and reports them through `send`. The host stops reading
 * the shell when too much is unacknowledged, so a flood (`yes`) runs at the speed the UI can
 * draw instead of queueing megabytes behind the screen; batching keeps the ack traffic small.
 */
export class AckBatcher implements Disposable {
  private pending = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(private readonly send: (chars: number) => void) {}

  rendered(chars: number): void {
    if (this.disposed || chars <= 0) return;
    this.pending += chars;
    if (this.pending >= ACK_BATCH_CHARS) {
      this.flush();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), ACK_IDLE_MS);
    }
  }

  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.disposed || this.pending === 0) return;
    const chars = this.pending;
    this.pending = 0;
    this.send(chars);
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.disposed = true;
  }
}
