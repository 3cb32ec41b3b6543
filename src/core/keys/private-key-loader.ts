// Loads the private key files users point at (OpenSSH or PEM; ed25519, RSA, ECDSA), asking for a
// passphrase through the PromptService and remembering a right one in memory for the app's life.
import { readFile, stat } from 'node:fs/promises';
import { ErrorCode, RpcError } from '../../common/errors';
import type { PromptService } from '../prompts/prompt-service';
import { expandHome } from './expand-home';
import { decryptKeyText, inspectKeyText } from './key-format';
import { readIfExists } from './key-files';
import { agentHasKey as defaultAgentHasKey } from './ssh-agent';

/** What goes into a ConnectTarget. Never logged. */
export interface LoadedKey {
  /** The key text for ssh2; absent when the agent holds the key (`inAgent`). */
  privateKey?: string;
  /** For an encrypted `privateKey`. */
  passphrase?: string;
  /** The ssh-agent holds this key, so it signs and no passphrase was needed. */
  inAgent?: boolean;
}

export interface LoadKeyOptions {
  /** The pool the key is for, shown with the passphrase question. */
  poolId: string;
  /** Withdraws an open passphrase question (e.g. the user cancelled connecting). */
  signal?: AbortSignal;
  /** An ssh-agent to ask first: if it holds an encrypted key, no passphrase is asked. */
  agent?: string;
}

export interface PrivateKeyLoaderOptions {
  /** Passphrase attempts before giving up (default 3). */
  maxTries?: number;
  /** How to ask an agent for its keys; tests replace it. */
  agentHasKey?: (agent: string, publicKey: Buffer) => Promise<boolean>;
}

type OpenedKey = { privateKey: string; passphrase?: string };

/** Key files are small; anything bigger was picked by mistake and is not read into memory. */
const MAX_KEY_FILE_BYTES = 256 * 1024;

export class PrivateKeyLoader {
  /**
   * Key file → the text a right passphrase opened and what ssh2 needs for it. Memory only, never
   * disk; a changed file is asked about again.
   */
  private readonly remembered = new Map<string, { text: string; key: OpenedKey }>();
  /** One passphrase question per key file at a time; later callers wait for its answer. */
  private readonly asking = new Map<string, Promise<OpenedKey>>();
  /** Rejections that happened because the asker's own signal aborted, not the user. */
  private readonly abortedByAsker = new WeakSet<object>();
  private readonly maxTries: number;
  private readonly agentHasKey: (agent: string, publicKey: Buffer) => Promise<boolean>;

  constructor(
    private readonly prompts: PromptService,
    options: PrivateKeyLoaderOptions = {},
  ) {
    this.maxTries = options.maxTries ?? 3;
    this.agentHasKey = options.agentHasKey ?? defaultAgentHasKey;
  }

  /** Reads `keyPath` (`~` allowed); asks for its passphrase when it is encrypted. */
  async load(keyPath: string, options: LoadKeyOptions): Promise<LoadedKey> {
    const path = expandHome(keyPath);
    const text = await readKeyFile(path);
    const kind = inspectKeyText(text);
    switch (kind.kind) {
      case 'plain':
        return { privateKey: kind.privateKey };
      case 'public':
        throw new RpcError(
          ErrorCode.AuthFailed,
          `${path} is a public key. Choose the private key file instead (usually the same name ` +
            'without ".pub").',
        );
      case 'invalid':
        throw notAKey(path, kind.reason);
    }

    const known = this.remembered.get(path);
    if (known?.text === text) return { ...known.key };

    if (options.agent) {
      const publicKey = kind.publicKey ?? (await publicKeyBeside(path));
      if (publicKey && (await this.agentHasKey(options.agent, publicKey))) return { inAgent: true };
    }
    return this.askPassphrase(path, text, options);
  }

  /** Forgets every remembered passphrase (e.g. when the user locks the app). */
  forgetPassphrases(): void {
    this.remembered.clear();
  }

  private async askPassphrase(
    path: string,
    text: string,
    options: LoadKeyOptions,
  ): Promise<LoadedKey> {
    const { signal } = options;
    for (;;) {
      let pending = this.asking.get(path);
      const mine = pending === undefined;
      if (!pending) {
        pending = this.promptLoop(path, text, options).finally(() => this.asking.delete(path));
        this.asking.set(path, pending);
      }
      try {
        return await untilAborted(pending, signal, path);
      } catch (err) {
        // Someone else's question was withdrawn because *they* cancelled: ask anew for us.
        if (!mine && this.abortedByAsker.has(err as object) && !signal?.aborted) continue;
        throw err;
      }
    }
  }

  private async promptLoop(
    path: string,
    text: string,
    { poolId, signal }: LoadKeyOptions,
  ): Promise<OpenedKey> {
    for (let attempt = 0; attempt < this.maxTries; attempt++) {
      const value = await this.prompts.askPassphrase(
        { poolId, keyPath: path, retry: attempt > 0 },
        signal,
      );
      if (signal?.aborted) {
        const err = cancelled(path);
        this.abortedByAsker.add(err);
        throw err;
      }
      if (value === undefined) {
        throw new RpcError(
          ErrorCode.Cancelled,
          `No passphrase was given for ${path}, so that key was not used. Connect again to ` +
            'enter it, or choose another key for this host.',
        );
      }
      const result = decryptKeyText(text, value);
      if (result.ok) {
        // PKCS#8 comes back decrypted, with no passphrase left to pass on.
        const key: OpenedKey =
          result.passphrase === undefined
            ? { privateKey: result.privateKey }
            : { privateKey: result.privateKey, passphrase: result.passphrase };
        this.remembered.set(path, { text, key });
        return { ...key };
      }
      if (!result.wrongPassphrase) throw notAKey(path, result.reason);
    }
    throw new RpcError(
      ErrorCode.AuthFailed,
      `The passphrase for ${path} was wrong ${this.maxTries} times, so that key was not used. ` +
        `Check the passphrase (\`ssh-keygen -y -f ${path}\` asks for it too), then connect again.`,
    );
  }
}

async function readKeyFile(path: string): Promise<string> {
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      throw new RpcError(
        ErrorCode.AuthFailed,
        `The key path ${path} is not a file. Choose the private key file for this host.`,
      );
    }
    if (info.size > MAX_KEY_FILE_BYTES) {
      throw notAKey(path, `it is ${Math.round(info.size / 1024)} KB, far larger than any key`);
    }
    return await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof RpcError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new RpcError(
        ErrorCode.AuthFailed,
        `The key file ${path} does not exist. Choose another key for this host in the pool's ` +
          'settings, or put the key back.',
      );
    }
    throw new RpcError(
      ErrorCode.AuthFailed,
      `The key file ${path} cannot be read (${code ?? String(err)}). Check that it belongs to ` +
        'you and is readable by you (chmod 600).',
    );
  }
}

function notAKey(path: string, reason: string): RpcError {
  return new RpcError(
    ErrorCode.AuthFailed,
    `${path} is not a private key the app can use (${reason}). Choose an OpenSSH or PEM ` +
      'private key (ed25519, RSA or ECDSA).',
  );
}

function cancelled(path: string): RpcError {
  return new RpcError(
    ErrorCode.Cancelled,
    `Connecting was cancelled while the passphrase for ${path} was asked.`,
  );
}

/** PEM keys do not show their public half when encrypted; `<key>.pub` usually does. */
async function publicKeyBeside(path: string): Promise<Buffer | undefined> {
  const text = await readIfExists(`${path}.pub`).catch(() => undefined);
  if (text === undefined) return undefined;
  const [type, base64] = text.trim().split(/\s+/);
  if (!type || !base64 || !/^[A-Za-z0-9+/]+=*$/.test(base64)) return undefined;
  return Buffer.from(base64, 'base64');
}

/** Waits for `pending`, or rejects as cancelled when this caller's own `signal` aborts first. */
function untilAborted<T>(
  pending: Promise<T>,
  signal: AbortSignal | undefined,
  path: string,
): Promise<T> {
  if (!signal) return pending;
  if (signal.aborted) return Promise.reject(cancelled(path));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled(path));
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
