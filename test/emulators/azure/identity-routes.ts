// The Microsoft Entra ID (AAD) endpoints @azure/identity's credentials call when their
// authorityHost is the emulator: the tenant's OpenID metadata and the v2.0 token endpoint (client
// credentials here; a person's device code, browser and refresh grants in identity-user-flows.ts).
import type { ArmRouter } from './arm-router';
import { aadError, type UserFlows } from './identity-user-flows';
import type { TokenIssuer } from './token-issuer';

export interface IdentityOptions {
  /** When set, only these client id → secret pairs get tokens (default: any client, any secret). */
  clientSecrets?: Record<string, string>;
  /** A person's sign-in flows (device code, browser, refresh tokens). */
  users: UserFlows;
}

/**
 * With `disableInstanceDiscovery: true` (required: MSAL's instance discovery always goes to
 * login.microsoftonline.com), a service principal's credential makes exactly two kinds of request:
 *   GET  /<tenant>/v2.0/.well-known/openid-configuration
 *   POST /<tenant>/oauth2/v2.0/token   (grant_type=client_credentials, form-encoded)
 * A person's sign-in adds /devicecode, /authorize and the device_code, authorization_code and
 * refresh_token grants (identity-user-flows.ts). The v1 metadata/token endpoints and
 * /common/discovery/instance are served for completeness.
 */
export function registerIdentityRoutes(
  router: ArmRouter,
  tokens: TokenIssuer,
  options: IdentityOptions,
): void {
  const metadata = (origin: string, tenant: string) => ({
    token_endpoint: `${origin}/${tenant}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: [
      'client_secret_post',
      'private_key_jwt',
      'client_secret_basic',
    ],
    jwks_uri: `${origin}/${tenant}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${origin}/${tenant}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${origin}/oidc/userinfo`,
    authorization_endpoint: `${origin}/${tenant}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${origin}/${tenant}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${origin}/${tenant}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid'],
    kerberos_endpoint: `${origin}/${tenant}/kerberos`,
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  });

  router.add('GET', '/{tenant}/v2.0/.well-known/openid-configuration', (req) => ({
    status: 200,
    body: metadata(req.origin, req.params.tenant),
  }));
  router.add('GET', '/{tenant}/.well-known/openid-configuration', (req) => ({
    status: 200,
    body: metadata(req.origin, req.params.tenant),
  }));
  router.add('GET', '/common/discovery/instance', (req) => ({
    status: 200,
    body: {
      tenant_discovery_endpoint: `${req.origin}/common/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [
        {
          preferred_network: new URL(req.origin).host,
          preferred_cache: new URL(req.origin).host,
          aliases: [new URL(req.origin).host],
        },
      ],
    },
  }));
  options.users.register(router);
  const token =
    (version: 'v1' | 'v2') =>
    (req: { params: Record<string, string>; body: unknown; origin: string }) => {
      const form = new URLSearchParams(typeof req.body === 'string' ? req.body : '');
      const grant = form.get('grant_type');
      const clientId = form.get('client_id') ?? '';
      if (grant !== 'client_credentials') {
        const answer =
          version === 'v2'
            ? options.users.token(grant ?? '', form, req.params.tenant, req.origin)
            : undefined;
        return (
          answer ??
          aadError(
            400,
            'unsupported_grant_type',
            70003,
            `AADSTS70003: The app requested an unsupported grant type '${grant}'.`,
          )
        );
      }
      const expected = options.clientSecrets?.[clientId];
      if (
        options.clientSecrets &&
        (expected === undefined || expected !== form.get('client_secret'))
      ) {
        return aadError(
          401,
          'invalid_client',
          7000215,
          `AADSTS7000215: Invalid client secret provided for application '${clientId}'.`,
        );
      }
      const scope =
        version === 'v2' ? (form.get('scope') ?? '') : `${form.get('resource') ?? ''}/.default`;
      const issued = tokens.issue(req.params.tenant, clientId, scope);
      return {
        status: 200,
        body: {
          token_type: 'Bearer',
          expires_in: issued.expiresIn,
          ext_expires_in: issued.expiresIn,
          access_token: issued.token,
        },
      };
    };
  router.add('POST', '/{tenant}/oauth2/v2.0/token', token('v2'));
  router.add('POST', '/{tenant}/oauth2/token', token('v1'));
}
