// Questions for the user (e.g. "trust this host key?", "the passphrase of this key?") raised by
// services and answered over RPC, so no service ever shows UI itself.
import { ErrorCode, RpcError } from '../../common/errors';
import { Emitter, type Disposable } from '../../common/event';
import type { PassphrasePrompt, Prompt, SecretPrompt } from '../../common/models';

type PromptBody = Prompt extends infer P ? (P extends Prompt ? Omit<P, 'id'> : never) : never;
/** Yes/no questions; a passphrase or a secret has its own method: its answer carries a value. */
type YesNoBody = Exclude<PromptBody, { kind: 'passphrase' } | { kind: 'secret' }>;
export type PassphraseRequest = Omit<PassphrasePrompt, 'id' | 'kind'>;
export type SecretRequest = Omit<SecretPrompt, 'id' | 'kind'>;

/** Prompts whose answer carries a value (kept only until its asker takes it). */
const WITH_VALUE: ReadonlySet<Prompt['kind']> = new Set(['passphrase', 'secret']);

interface Answer {
  accept: boolean;
  /** Only ever kept for a `passphrase` or `secret` prompt, and only until its asker takes it. */
  value?: string;
}

const DECLINED: Answer = { accept: false };

export interface PromptServiceOptions {
  /** Told every passphrase or secret typed in, so the logger can redact it from then on. */
  onSecret?: (value: string) => void;
}

export class PromptService implements Disposable {
  private nextId = 1;
  private readonly open = new Map<string, { prompt: Prompt; settle: (answer: Answer) => void }>();
  private readonly opened = new Emitter<Prompt>();
  private readonly closed = new Emitter<{ promptId: string }>();
  readonly onDidOpen = this.opened.event;
  readonly onDidClose = this.closed.event;

  constructor(private readonly options: PromptServiceOptions = {}) {}

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

  /**
   * Asks for a secret an operation needs now and must not keep (e.g. a storage account key);
   * resolves with it, or undefined when the user declines or `signal` aborts first. Like a
   * passphrase, the value goes to the caller only, never to an event or a log.
   */
  async askSecret(request: SecretRequest, signal?: AbortSignal): Promise<string | undefined> {
    const answer = await this.raise({ kind: 'secret', ...request }, signal);
    return answer.accept ? answer.value : undefined;
  }

  list(): Prompt[] {
    return [...this.open.values()].map((entry) => entry.prompt);
  }

  /** `value` is the passphrase or secret for those prompts; other prompts ignore it. */
  answer(promptId: string, accept: boolean, value?: string): void {
    const entry = this.open.get(promptId);
    if (!entry) {
      throw new RpcError(
        ErrorCode.NotFound,
        `No open question with id "${promptId}"; it was already answered or withdrawn.`,
      );
    }
    if (WITH_VALUE.has(entry.prompt.kind)) {
      // An empty passphrase or secret opens nothing; it is a UI slip, so keep the question.
      if (accept && !value) {
        const what = entry.prompt.kind === 'passphrase' ? 'a passphrase' : 'a secret';
        throw new RpcError(
          ErrorCode.BadInput,
          `Question "${promptId}" asks for ${what}: answer with it in "value", or decline it.`,
        );
      }
      if (accept && value) this.options.onSecret?.(value);
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
