// Questions for the user (e.g. "trust this host key?", "the passphrase of this key?") raised by
// services and answered over RPC, so no service ever shows UI itself.
import { ErrorCode, RpcError } from '../../common/errors';
import { Emitter, type Disposable } from '../../common/event';
import type { PassphrasePrompt, Prompt } from '../../common/models';

type PromptBody = Prompt extends infer P ? (P extends Prompt ? Omit<P, 'id'> : never) : never;
/** Yes/no questions; a passphrase has its own method because its answer carries a value. */
type YesNoBody = Exclude<PromptBody, { kind: 'passphrase' }>;
export type PassphraseRequest = Omit<PassphrasePrompt, 'id' | 'kind'>;

interface Answer {
  accept: boolean;
  /** Only ever kept for a `passphrase` prompt, and only until its asker takes it. */
  value?: string;
}

const DECLINED: Answer = { accept: false };

export class PromptService implements Disposable {
  private nextId = 1;
  private readonly open = new Map<string, { prompt: Prompt; settle: (answer: Answer) => void }>();
  private readonly opened = new Emitter<Prompt>();
  private readonly closed = new Emitter<{ promptId: string }>();
  readonly onDidOpen = this.opened.event;
  readonly onDidClose = this.closed.event;

  /** Asks the user; resolves with the answer, or false when `signal` aborts first. */
  async ask(body: YesNoBody, signal?: AbortSignal): Promise<boolean> {
    return (await this.raise(body, signal)).accept;
  }

  /**
   * Asks for the passphrase of an encrypted key; resolves with it, or undefined when the user
   * declines or `signal` aborts first. The passphrase goes to the caller only, never to an event.
   */
  async askPassphrase(
    request: PassphraseRequest,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const answer = await this.raise({ kind: 'passphrase', ...request }, signal);
    return answer.accept ? answer.value : undefined;
  }

  list(): Prompt[] {
    return [...this.open.values()].map((entry) => entry.prompt);
  }

  /** `value` is the passphrase for a `passphrase` prompt; other prompts ignore it. */
  answer(promptId: string, accept: boolean, value?: string): void {
    const entry = this.open.get(promptId);
    if (!entry) {
      throw new RpcError(
        ErrorCode.NotFound,
        `No open question with id "${promptId}"; it was already answered or withdrawn.`,
      );
    }
    if (entry.prompt.kind === 'passphrase') {
      // An empty passphrase cannot open an encrypted key; it is a UI slip, so keep the question.
      if (accept && !value) {
        throw new RpcError(
          ErrorCode.BadInput,
          `Question "${promptId}" asks for a passphrase: answer with the passphrase in "value", ` +
            'or decline it.',
        );
      }
      this.settle(promptId, accept ? { accept, value } : DECLINED);
      return;
    }
    this.settle(promptId, { accept });
  }

  dispose(): void {
    for (const id of [...this.open.keys()]) this.settle(id, DECLINED);
    this.opened.dispose();
    this.closed.dispose();
  }

  private raise(body: PromptBody, signal?: AbortSignal): Promise<Answer> {
    const prompt = { ...body, id: `prompt-${this.nextId++}` } as Prompt;
    return new Promise<Answer>((resolve) => {
      const onAbort = () => this.settle(prompt.id, DECLINED);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.open.set(prompt.id, {
        prompt,
        settle: (answer) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(answer);
        },
      });
      this.opened.fire(prompt);
      if (signal?.aborted) onAbort();
    });
  }

  private settle(promptId: string, answer: Answer): void {
    const entry = this.open.get(promptId);
    if (!entry) return;
    this.open.delete(promptId);
    entry.settle(answer);
    this.closed.fire({ promptId });
  }
}
