// A person's sign-in at the emulated Microsoft Entra ID, as @azure/identity's DeviceCodeCredential
// and InteractiveBrowserCredential (MSAL Node) do it: the device authorization grant, the
// authorization code grant with PKCE on a loopback redirect, and refresh tokens. The emulator has
// one user; "signing in" at its pages is done by the test (or at once, for the browser flow).
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { ArmResponse, ArmRouter } from './arm-router';
import type { TokenIssuer } from './token-issuer';

/** The person the emulator signs in (browser and device code flows). */
export interface EmulatorUser {
  displayName: string;
  /** UPN, e.g. `ada@contoso.example`. */
  userName: string;
  objectId: string;
}

export const DEFAULT_EMULATOR_USER: EmulatorUser = {
  displayName: 'Ada Lovelace',
  userName: 'ada@contoso.example',
  objectId: '11111111-2222-3333-4444-555555555555',
};

export interface UserFlowOptions {
  user?: EmulatorUser;
  /** Seconds between device code polls the client is told (Entra answers 5). */
  deviceCodeIntervalSeconds?: number;
}

interface DeviceCode {
  deviceCode: string;
  userCode: string;
  clientId: string;
  tenant: string;
  expiresAt: number;
  state: 'pending' | 'approved' | 'redeemed';
}

interface AuthorizationCode {
  clientId: string;
  tenant: string;
  redirectUri: string;
  challenge?: { value: string; method: 'S256' | 'plain' };
  nonce?: string;
  expiresAt: number;
  redeemed: boolean;
}

/** A device code lives 15 minutes (`expires_in: 900` in the docs' example). */
const DEVICE_CODE_SECONDS = 900;
/** "Authorization codes are short lived. Typically, they expire after about 10 minutes." */
const AUTH_CODE_MS = 10 * 60_000;
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

export class UserFlows {
  readonly user: EmulatorUser;
  private readonly interval: number;
  private readonly deviceCodes = new Map<string, DeviceCode>();
  private readonly authCodes = new Map<string, AuthorizationCode>();
  private readonly refreshTokens = new Map<string, { clientId: string; tenant: string }>();
  /** ID tokens are signed apart from access tokens, so ARM never takes one for the other. */
  private readonly idTokenKey = randomBytes(32);

  constructor(
    private readonly tokens: TokenIssuer,
    options: UserFlowOptions = {},
  ) {
    this.user = options.user ?? DEFAULT_EMULATOR_USER;
    this.interval = options.deviceCodeIntervalSeconds ?? 5;
  }

  /** The verification page's work: the user typed this code and signed in. */
  approveDeviceCode(userCode: string): boolean {
    for (const code of this.deviceCodes.values()) {
      if (code.userCode === userCode.toUpperCase() && code.state === 'pending') {
        if (Date.now() > code.expiresAt) return false;
        code.state = 'approved';
        return true;
      }
    }
    return false;
  }

  register(router: ArmRouter): void {
    router.add('POST', '/{tenant}/oauth2/v2.0/devicecode', (req) => {
      const form = formOf(req.body);
      const clientId = form.get('client_id');
      if (!clientId) return missing('client_id');
      if (!form.get('scope')) return missing('scope');
      const code: DeviceCode = {
        deviceCode: randomBytes(32).toString('base64url'),
        userCode: randomBytes(6).toString('hex').slice(0, 9).toUpperCase(),
        clientId,
        tenant: req.params.tenant,
        expiresAt: Date.now() + DEVICE_CODE_SECONDS * 1000,
        state: 'pending',
      };
      this.deviceCodes.set(code.deviceCode, code);
      const verificationUri = `${req.origin}/devicelogin`;
      return {
        status: 200,
        body: {
          user_code: code.userCode,
          device_code: code.deviceCode,
          verification_uri: verificationUri,
          expires_in: DEVICE_CODE_SECONDS,
          interval: this.interval,
          message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${code.userCode} to authenticate.`,
        },
      };
    });
    // The verification page: a POST with the code (`otc`, as the real page's form names it) is
    // the user entering it and signing in as the emulator's user.
    router.add('POST', '/devicelogin', (req) => {
      const code = formOf(req.body).get('otc') ?? '';
      return this.approveDeviceCode(code)
        ? { status: 200, body: { signedIn: this.user.userName } }
        : aadError(400, 'invalid_request', 70018, `AADSTS70018: The code ${code} is not valid.`);
    });
    router.add('GET', '/{tenant}/oauth2/v2.0/authorize', (req) => this.authorize(req));
  }

  /** The token endpoint's user grants; undefined for a grant it does not serve. */
  token(grant: string, form: URLSearchParams, tenant: string, origin: string) {
    if (grant === 'device_code' || grant === 'urn:ietf:params:oauth:grant-type:device_code') {
      return this.redeemDeviceCode(form, tenant, origin);
    }
    if (grant === 'authorization_code') return this.redeemAuthorizationCode(form, tenant, origin);
    if (grant === 'refresh_token') return this.redeemRefreshToken(form, tenant, origin);
    return undefined;
  }

  private authorize(req: { params: Record<string, string>; query: URLSearchParams }): ArmResponse {
    const q = req.query;
    const clientId = q.get('client_id');
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!clientId) return missing('client_id');
    // A public client's loopback redirect (any port: Entra ignores it for localhost), nothing else.
    if (!isLoopbackRedirect(redirectUri)) {
      return aadError(
        400,
        'invalid_request',
        50011,
        `AADSTS50011: The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'.`,
      );
    }
    const back = (params: Record<string, string>): ArmResponse => {
      const url = new URL(redirectUri);
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      const state = q.get('state');
      if (state !== null) url.searchParams.set('state', state);
      return { status: 302, headers: { Location: url.toString() } };
    };
    const refuse = (error: string, description: string) =>
      back({ error, error_description: description });
    if (q.get('response_type') !== 'code') {
      return refuse('unsupported_response_type', 'AADSTS70005: response_type must be code.');
    }
    if (!q.get('scope')) return refuse('invalid_request', "AADSTS900144: 'scope' is missing.");
    const mode = q.get('response_mode') ?? 'query';
    if (mode !== 'query') {
      return refuse('invalid_request', `The emulator answers response_mode=query only (${mode}).`);
    }
    const challenge = q.get('code_challenge');
    const method = q.get('code_challenge_method') ?? 'plain';
    if (challenge !== null && method !== 'S256' && method !== 'plain') {
      return refuse('invalid_request', `AADSTS501491: Invalid code_challenge_method ${method}.`);
    }
    const code = randomBytes(32).toString('base64url');
    this.authCodes.set(code, {
      clientId,
      tenant: req.params.tenant,
      redirectUri,
      ...(challenge !== null ? { challenge: { value: challenge, method } } : {}),
      ...(q.get('nonce') ? { nonce: q.get('nonce')! } : {}),
      expiresAt: Date.now() + AUTH_CODE_MS,
      redeemed: false,
    } as AuthorizationCode);
    return back({ code, session_state: randomUUID() });
  }

  private redeemDeviceCode(form: URLSearchParams, tenant: string, origin: string): ArmResponse {
    const entry = this.deviceCodes.get(form.get('device_code') ?? '');
    if (!entry || entry.state === 'redeemed' || entry.clientId !== form.get('client_id')) {
      return aadError(400, 'bad_verification_code', 70018, 'AADSTS70018: Invalid device code.');
    }
    if (Date.now() > entry.expiresAt) {
      return aadError(400, 'expired_token', 70019, 'AADSTS70019: Verification code expired.');
    }
    if (entry.state === 'pending') {
      return aadError(
        400,
        'authorization_pending',
        70016,
        'AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.',
      );
    }
    entry.state = 'redeemed';
    return this.issue(form, tenant, origin, entry.clientId);
  }

  private redeemAuthorizationCode(
    form: URLSearchParams,
    tenant: string,
    origin: string,
  ): ArmResponse {
    const entry = this.authCodes.get(form.get('code') ?? '');
    if (!entry || entry.clientId !== form.get('client_id') || entry.tenant !== tenant) {
      return aadError(400, 'invalid_grant', 70000, 'AADSTS70000: The provided code is invalid.');
    }
    if (entry.redeemed) {
      return aadError(
        400,
        'invalid_grant',
        54005,
        'AADSTS54005: OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
      );
    }
    if (Date.now() > entry.expiresAt) {
      return aadError(
        400,
        'invalid_grant',
        70008,
        'AADSTS70008: The provided authorization code has expired.',
      );
    }
    if (form.get('redirect_uri') !== entry.redirectUri) {
      return aadError(
        400,
        'invalid_grant',
        70000,
        'AADSTS70000: The redirect_uri does not match the one of the authorization request.',
      );
    }
    if (entry.challenge) {
      const verifier = form.get('code_verifier') ?? '';
      const derived =
        entry.challenge.method === 'S256'
          ? createHash('sha256').update(verifier).digest('base64url')
          : verifier;
      if (!verifier || derived !== entry.challenge.value) {
        return aadError(
          400,
          'invalid_grant',
          501481,
          'AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.',
        );
      }
    }
    entry.redeemed = true;
    return this.issue(form, tenant, origin, entry.clientId, entry.nonce);
  }

  private redeemRefreshToken(form: URLSearchParams, tenant: string, origin: string): ArmResponse {
    const entry = this.refreshTokens.get(form.get('refresh_token') ?? '');
    if (!entry || entry.clientId !== form.get('client_id') || entry.tenant !== tenant) {
      return aadError(
        400,
        'invalid_grant',
        9002313,
        'AADSTS9002313: Invalid request. Request is malformed or invalid.',
      );
    }
    return this.issue(form, tenant, origin, entry.clientId);
  }

  /** The user's tokens: access token for the resource, refresh token, ID token, client info. */
  private issue(
    form: URLSearchParams,
    tenant: string,
    origin: string,
    clientId: string,
    nonce?: string,
  ): ArmResponse {
    const scope = form.get('scope') ?? '';
    const resource = scope.split(' ').find((s) => s && !OIDC_SCOPES.has(s)) ?? '';
    const access = this.tokens.issue(tenant, clientId, resource, {
      oid: this.user.objectId,
      upn: this.user.userName,
      name: this.user.displayName,
      idtyp: 'user',
      scp: 'user_impersonation',
    });
    const refresh = `rt-${randomBytes(32).toString('base64url')}`;
    this.refreshTokens.set(refresh, { clientId, tenant });
    const now = Math.floor(Date.now() / 1000);
    const body: Record<string, unknown> = {
      token_type: 'Bearer',
      scope,
      expires_in: access.expiresIn,
      ext_expires_in: access.expiresIn,
      access_token: access.token,
      refresh_token: refresh,
      id_token: this.idToken({
        aud: clientId,
        iss: `${origin}/${tenant}/v2.0`,
        iat: now,
        nbf: now,
        exp: now + access.expiresIn,
        name: this.user.displayName,
        oid: this.user.objectId,
        preferred_username: this.user.userName,
        sub: createHash('sha256').update(`${this.user.objectId}:${clientId}`).digest('base64url'),
        tid: tenant,
        ver: '2.0',
        ...(nonce ? { nonce } : {}),
      }),
    };
    // MSAL asks for client_info=1: the account's home id (uid.utid) comes from it.
    if (form.get('client_info') === '1') {
      body.client_info = Buffer.from(
        JSON.stringify({ uid: this.user.objectId, utid: tenant }),
      ).toString('base64url');
    }
    return { status: 200, body };
  }

  private idToken(claims: Record<string, unknown>): string {
    const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
    return `${unsigned}.${createHmac('sha256', this.idTokenKey).update(unsigned).digest('base64url')}`;
  }
}

function formOf(body: unknown): URLSearchParams {
  return new URLSearchParams(typeof body === 'string' ? body : '');
}

function isLoopbackRedirect(uri: string): boolean {
  try {
    const url = new URL(uri);
    return (
      url.protocol === 'http:' && (url.hostname === 'localhost' || url.hostname === '127.0.0.1')
    );
  } catch {
    return false;
  }
}

function missing(name: string): ArmResponse {
  return aadError(
    400,
    'invalid_request',
    900144,
    `AADSTS900144: The request body must contain the following parameter: '${name}'.`,
  );
}

export function aadError(status: number, error: string, code: number, description: string) {
  return {
    status,
    body: {
      error,
      error_description: description,
      error_codes: [code],
      timestamp: new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z',
      trace_id: randomUUID(),
      correlation_id: randomUUID(),
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}
