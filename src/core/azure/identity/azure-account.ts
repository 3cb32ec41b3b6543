// Who is signed in, as the app shows it: read from an access token's claims, completed by the
// sign-in's account record.
import type { AccessToken, AuthenticationRecord } from '@azure/identity';
import type { AzureAccount, AzureSignInKind } from '../../../common/models';

/** The account's identity from the token's claims (read, not verified: for display only). */
export function accountFromToken(kind: AzureSignInKind, token: AccessToken): AzureAccount {
  let claims: Record<string, unknown> = {};
  try {
    claims = JSON.parse(
      Buffer.from(token.token.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as Record<string, unknown>;
  } catch {
    // An opaque token: the account stays anonymous.
  }
  const str = (key: string) =>
    typeof claims[key] === 'string' ? (claims[key] as string) : undefined;
  const person = str('upn') ?? str('preferred_username') ?? str('unique_name') ?? str('email');
  const appId = str('appid') ?? str('azp');
  const isServicePrincipal = str('idtyp') === 'app' || (!person && appId !== undefined);
  const account: AzureAccount = { kind, isServicePrincipal };
  const tenantId = str('tid');
  if (tenantId) account.tenantId = tenantId;
  const objectId = str('oid');
  if (objectId) account.objectId = objectId;
  const userName = person ?? appId;
  if (userName) account.userName = userName;
  const displayName = str('name');
  if (displayName) account.displayName = displayName;
  return account;
}

/** A person's sign-in: the account record names them even when the ARM token does not. */
export function withRecord(
  account: AzureAccount,
  record: AuthenticationRecord | undefined,
): AzureAccount {
  if (!record) return account;
  return {
    ...account,
    userName: record.username || account.userName,
    tenantId: record.tenantId || account.tenantId,
    isServicePrincipal: false,
  };
}
