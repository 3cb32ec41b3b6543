// Questions for the user (e.g. "trust this host key?") raised by services and answered over RPC,
// so no service ever shows UI itself.
import { ErrorCode, RpcError } from '../../common/errors';
import { Emitter, type Disposable } from '../../common/event';
import type { Prompt } from '../../common/models';

type PromptBody = Prompt extends infer P ? (P extends Prompt ? Omit<P, 'id'> : never) : never;

export class PromptService implements Disposable {
  private nextId = 1;
  private readonly open = new Map<string, { prompt: Prompt; settle: (accept: boolean) => void }>();
  private readonly opened = new Emitter<Prompt>();
  private readonly closed = new Emitter<{ promptId: string }>();
  readonly onDidOpen = this.opened.event;
  readonly onDidClose = this.closed.event;

  /** Asks the user; resolves with the answer, or false when `signal` aborts first. */
  ask(body: PromptBody, signal?: AbortSignal): Promise<boolean> {
    const prompt = { ...body, id: `prompt-${this.nextId++}` } as Prompt;
    return new Promise<boolean>((resolve) => {
      const onAbort = () => this.settle(prompt.id, false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.open.set(prompt.id, {
        prompt,
        settle: (accept) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(accept);
        },
      });
      this.opened.fire(prompt);
      if (signal?.aborted) onAbort();
    });
  }

  list(): Prompt[] {
    return [...this.open.values()].map((entry) => entry.prompt);
  }

  answer(promptId: string, accept: boolean): void {
    if (!this.open.has(promptId)) {
      throw new RpcError(
        ErrorCode.NotFound,
        `No open question with id "${promptId}"; it was already answered or withdrawn.`,
      );
    }
    this.settle(promptId, accept);
  }

  dispose(): void {
    for (const id of [...this.open.keys()]) this.settle(id, false);
    this.opened.dispose();
    this.closed.dispose();
  }

  private settle(promptId: string, accept: boolean): void {
    const entry = this.open.get(promptId);
    if (!entry) return;
    this.open.delete(promptId);
    entry.settle(accept);
    this.closed.fire({ promptId });
  }
}
