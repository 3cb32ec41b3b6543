// Why a sign-in failed, as one sentence per method with what to do (install az, set the
// service principal's variables), and the error of an action that needs a signed-in account.
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

export function signInError(kind: AzureSignInKind, err: unknown): RpcError {
  if (err instanceof RpcError) return err;
  const name = err instanceof Error ? err.name : '';
  const message = err instanceof Error ? err.message : String(err);
  if (name === 'AbortError') return new RpcError(ErrorCode.Cancelled, 'Sign-in cancelled.');
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

/** `action`: what needs the account, e.g. "start an instance of ds-pool". */
export function notSignedIn(action?: string): RpcError {
  return new RpcError(
    ErrorCode.NotSignedIn,
    action
      ? `Sign in to Azure to ${action}: the app is not signed in (Admin → Azure → Sign in).`
      : 'Sign in to Azure first: the app is not signed in (Admin → Azure → Sign in).',
  );
}
