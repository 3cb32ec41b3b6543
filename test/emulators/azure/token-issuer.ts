// Issues and checks the emulator's access tokens: JWTs signed with a per-emulator HMAC key, so an
// ARM request without a token the emulator issued is refused as Azure would refuse it.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

export interface TokenClaims {
  aud: string;
  iss: string;
  tid: string;
  appid: string;
  oid: string;
  iat: number;
  nbf: number;
  exp: number;
  scp?: string;
  /** A person's token: their UPN, name, and `idtyp: user`. */
  upn?: string;
  name?: string;
  idtyp?: string;
  /** A managed identity's token: the resource id of the identity's holder (its scale set). */
  xms_mirid?: string;
}

export class TokenIssuer {
  private readonly key = randomBytes(32);

  constructor(private readonly lifetimeSeconds = 3600) {}

  /**
   * A bearer token for `clientId` in `tenantId`; `scope` becomes the audience (minus `/.default`).
   * `person` makes it a user's token (their object id, UPN, name).
   */
  issue(
    tenantId: string,
    clientId: string,
    scope: string,
    person: Partial<Pick<TokenClaims, 'oid' | 'upn' | 'name' | 'idtyp' | 'scp' | 'xms_mirid'>> = {},
  ): { token: string; expiresIn: number; expiresOn: number; notBefore: number } {
    const now = Math.floor(Date.now() / 1000);
    const claims: TokenClaims = {
      aud: scope.replace(/\/\.default$/, '').split(' ')[0],
      iss: `https://sts.windows.net/${tenantId}/`,
      tid: tenantId,
      appid: clientId,
      oid: randomUUID(),
      iat: now,
      nbf: now - 60,
      exp: now + this.lifetimeSeconds,
      ...person,
    };
    const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = base64url(JSON.stringify(claims));
    const signature = this.sign(`${header}.${payload}`);
    return {
      token: `${header}.${payload}.${signature}`,
      expiresIn: this.lifetimeSeconds,
      expiresOn: claims.exp,
      notBefore: claims.nbf,
    };
  }

  /** The claims of a token this emulator issued and that has not expired; else why not. */
  verify(token: string): { claims: TokenClaims } | { error: string } {
    const parts = token.split('.');
    if (parts.length !== 3) return { error: 'The access token is not a JWT.' };
    const expected = Buffer.from(this.sign(`${parts[0]}.${parts[1]}`));
    const actual = Buffer.from(parts[2]);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      return { error: 'The access token has an invalid signature (not issued by this emulator).' };
    }
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString()) as TokenClaims;
    if (claims.exp <= Math.floor(Date.now() / 1000)) {
      return { error: 'The access token expiry UTC time is earlier than current UTC time.' };
    }
    return { claims };
  }

  private sign(data: string): string {
    return createHmac('sha256', this.key).update(data).digest('base64url');
  }
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
