// Why a sign-in failed, as one sentence per method with what to do (install az, set the
// service principal's variables, check the network), the error of an action that needs a
// signed-in account, and the time limit and cancel of an interactive sign-in.
import { ErrorCode, RpcError } from '../../../common/errors';
import type { AzureSignInKind } from '../../../common/models';

const KIND_TEXT: Record<AzureSignInKind, string> = {
  cli: 'with the Azure CLI',
  browser: 'in the browser',
  'device-code': 'with a device code',
  environment:
    'with the service principal in AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET',
  'service-principal': 'as the service principal',
};

/** For log lines: "azure: sign-in with browser started". */
export const KIND_WORDS: Record<'browser' | 'device-code', string> = {
  browser: 'with browser',
  'device-code': 'with device code',
};

/** How long "Sign in with browser" waits for the browser's answer before it gives up, saying so. */
export const BROWSER_TIMEOUT_MS = 5 * 60_000;

/**
 * MSAL's and Node's words for "the request never reached the server" (a bare `network_error`
 * is all MSAL says when the authority host cannot be reached).
 */
const NETWORK =
  /network_error|endpoints_resolution_error|ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|fetch failed|getaddrinfo|socket hang up/i;

export function signInError(kind: AzureSignInKind, err: unknown, authorityHost?: string): RpcError {
  if (err instanceof RpcError) return err;
  const name = err instanceof Error ? err.name : '';
  const message = err instanceof Error ? err.message : String(err);
  if (name === 'AbortError') return new RpcError(ErrorCode.Cancelled, 'Sign-in cancelled.');
  if (kind !== 'cli' && NETWORK.test(message)) {
    const code = NETWORK.exec(message)?.[0] ?? 'network_error';
    const where = authorityHost ? hostOf(authorityHost) : 'login.microsoftonline.com';
    return new RpcError(
      ErrorCode.Unreachable,
      `Could not sign in to Azure ${KIND_TEXT[kind]}: the app cannot reach the Microsoft sign-in service at ${where} (${code}). Check the network connection, proxy or VPN (and that ${where} is not blocked), then try again.`,
    );
  }
  let hint = '';
  if (kind === 'cli')
    hint = ' Install the Azure CLI and run `az login`, or choose another way to sign in.';
  if (kind === 'environment') {
    hint =
      ' Set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, or choose another way to sign in.';
  }
  // Identity's messages name the failing step (AADSTS codes, "az not found"); they carry no
  // secret, but can be long: the first lines are enough.
  const first = message.split('\n').slice(0, 3).join(' ').replace(/\s+/g, ' ').trim();
  return new RpcError(
    ErrorCode.AuthFailed,
    `Could not sign in to Azure ${KIND_TEXT[kind]}: ${first}${hint}`,
  );
}

function formatWait(ms: number): string {
  if (ms < 60_000) return `${Math.max(1, Math.round(ms / 1000))} s`;
  const minutes = Math.round(ms / 60_000);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** `action`: what needs the account, e.g. "start an instance of ds-pool". */
export function notSignedIn(action?: string): RpcError {
  return new RpcError(
    ErrorCode.NotSignedIn,
    action
      ? `Sign in to Azure to ${action}: the app is not signed in (Admin → Azure → Sign in).`
      : 'Sign in to Azure first: the app is not signed in (Admin → Azure → Sign in).',
  );
}

/** Said when "Sign in with browser" cannot work where the app runs (the headless host). */
export function browserUnavailable(): RpcError {
  return new RpcError(
    ErrorCode.BadInput,
    'Sign in with browser works in the desktop app only: the headless host may run where no browser opens, and Azure sends its answer to this computer. Use Device code instead: it shows a code to enter at Microsoft’s sign-in page, from any browser on any device.',
  );
}

/**
 * Runs an interactive sign-in with a cancel (`signal`) and, for the browser, a time limit: the
 * browser may never open or its redirect never come back, and then the user must hear so, not
 * watch a spinner forever. The credential's own wait is aborted too.
 */
export function interactiveSignIn<T>(
  run: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number | undefined,
  signal?: AbortSignal,
): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const settle = (fn: () => void) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => {
      controller.abort();
      const abort = new Error('Sign-in cancelled.');
      abort.name = 'AbortError';
      settle(() => reject(abort));
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        controller.abort();
        settle(() =>
          reject(
            new RpcError(
              ErrorCode.AuthFailed,
              `Sign-in in the browser did not finish within ${formatWait(timeoutMs)}: the browser may not have opened, or its answer did not reach the app. Try again, or use Device code.`,
            ),
          ),
        );
      }, timeoutMs);
    }
    run(controller.signal).then(
      (value) => settle(() => resolve(value)),
      (err: unknown) => settle(() => reject(err)),
    );
  });
}
