// Signing in to Azure (Azure CLI, browser, device code, environment / service principal), who is
// signed in, and the subscription and resource group pickers; one TokenCredential for all clients.
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import {
  type AccessToken,
  type AuthenticationRecord,
  AzureCliCredential,
  ClientSecretCredential,
  CredentialUnavailableError,
  DeviceCodeCredential,
  type DeviceCodeInfo,
  EnvironmentCredential,
  type GetTokenOptions,
  InteractiveBrowserCredential,
  type TokenCachePersistenceOptions,
  type TokenCredential,
  deserializeAuthenticationRecord,
  serializeAuthenticationRecord,
} from '@azure/identity';
import { ErrorCode, RpcError } from '../../../common/errors';
import { Emitter, type Disposable, type Event } from '../../../common/event';
import {
  type AzureClientOptions,
  type AzureClients,
  createAzureClients,
  createResourceManagementClient,
  type AzureEnvironment,
  resolveAzureEnvironment,
  NOT_SIGNED_IN,
  translateAzureError,
} from '../arm/index';
import {
  type TokenCacheProtector,
  clearPersistentTokenCache,
  persistentTokenCache,
} from './azure-token-cache';
import { accountFromToken, withRecord } from './azure-account';
import {
  BROWSER_TIMEOUT_MS,
  KIND_WORDS,
  browserUnavailable,
  interactiveSignIn,
  notSignedIn,
  signInError,
} from './sign-in-errors';
import { forgetAccount, loadAccount, saveAccount } from './saved-account';
import type { AzureAccount, AzureSignInStatus, AzureTokenStorage } from '../../../common/models';

/** The Azure CLI's public client id: consented in every tenant, so no app registration. */
export const AZURE_CLI_CLIENT_ID = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';

/** The device code sign-in's instructions, for the UI to show (no secret in it). */
export interface DeviceCodePrompt {
  /** Azure's sentence: "To sign in, use a web browser to open … and enter the code …". */
  message: string;
  userCode: string;
  verificationUri: string;
}

export type AzureSignInMethod =
  | { kind: 'cli'; tenantId?: string }
  | { kind: 'browser'; tenantId?: string; loginHint?: string }
  | { kind: 'device-code'; tenantId?: string; onPrompt?: (prompt: DeviceCodePrompt) => void }
  /** AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or a certificate) from the environment. */
  | { kind: 'environment' }
  | { kind: 'service-principal'; tenantId: string; clientId: string; clientSecret: string };

// The account shapes cross the contract: one definition, in src/common.
export type { AzureAccount, AzureSignInKind, AzureSignInStatus } from '../../../common/models';

export interface AzureSubscriptionInfo {
  subscriptionId: string;
  displayName: string;
  /** Enabled, Disabled, Warned, PastDue, Deleted. */
  state: string;
  tenantId?: string;
}

export interface AzureResourceGroupInfo {
  name: string;
  location: string;
  tags: Record<string, string>;
  provisioningState?: string;
}

export interface AzureCredentialOptions {
  /** Default: `resolveAzureEnvironment()`. */
  environment?: AzureEnvironment;
  /** Where the account record and the encrypted token cache live (e.g. `<dataDir>/azure`). */
  dataDir?: string;
  /** Encrypts the token cache with the OS keyring (see azure-token-cache.ts). */
  protector?: TokenCacheProtector;
  /**
   * Without a protector, keep the cache in owner-only (0600) files of `dataDir`, not encrypted
   * (no OS keyring: the headless host); otherwise tokens stay in memory.
   */
  ownerOnlyFileFallback?: boolean;
  /** Public client for browser and device code sign-in (default: the Azure CLI's). */
  clientId?: string;
  /** Default tenant for the interactive methods (default `organizations`). */
  tenantId?: string;
  /** Where device code instructions go when the method gives no `onPrompt`. */
  onDeviceCode?: (prompt: DeviceCodePrompt) => void;
  /** Retry limits for the clients built by `clientsFor`. */
  clients?: Omit<AzureClientOptions, 'environment'>;
  /** How long `az` may take to answer (default 20 s). */
  cliTimeoutMs?: number;
  /**
   * false: "Sign in with browser" is refused with the reason and a pointer to device code (the
   * headless host: no browser may open there, nor its redirect reach the app). Default true.
   */
  interactiveBrowser?: boolean;
  /** How long a browser sign-in may wait for the browser's answer (default 5 minutes). */
  browserTimeoutMs?: number;
  log?: (line: string) => void;
}

/** What is saved so the next start can sign in silently (no token, no secret). */
/**
 * The SDK's bearer policy asks for tokens with continuous access evaluation, which
 * @azure/identity keeps in a cache of their own: sign-in fills that one, so the first ARM request
 * finds its token (and an interactive sign-in is not asked for again).
 */
const CAE = { enableCae: true } as const;

/**
 * The app's Azure identity. It is itself a TokenCredential that forwards to whichever method the
 * user signed in with, so SDK clients built once keep working across sign-in, sign-out and a
 * change of account.
 */
export class AzureCredential implements TokenCredential, Disposable {
  readonly environment: AzureEnvironment;
  private current:
    | { credential: TokenCredential; account: AzureAccount; record?: AuthenticationRecord }
    | undefined;
  private readonly changed = new Emitter<AzureSignInStatus>();
  readonly onDidChange: Event<AzureSignInStatus> = this.changed.event;
  private readonly clients = new Map<string, AzureClients>();

  constructor(private readonly options: AzureCredentialOptions = {}) {
    this.environment = options.environment ?? resolveAzureEnvironment();
  }

  /** Where tokens are kept: keyring-encrypted files, owner-only files, or memory only. */
  get tokenStorage(): AzureTokenStorage {
    if (this.options.dataDir === undefined) return 'memory';
    if (this.options.protector) return 'keyring';
    return this.options.ownerOnlyFileFallback ? 'owner-only-file' : 'memory';
  }

  /** Whether tokens (and so a browser or device code sign-in) survive a restart. */
  private get persistent(): boolean {
    return this.tokenStorage !== 'memory';
  }

  get status(): AzureSignInStatus {
    const status: AzureSignInStatus = {
      signedIn: this.current !== undefined,
      persistentCache: this.persistent,
      tokenStorage: this.tokenStorage,
    };
    if (this.persistent && this.options.dataDir) status.tokenCacheDir = this.options.dataDir;
    if (this.current) status.account = { ...this.current.account };
    return status;
  }

  /**
   * Signs in (replacing any previous account only once the new one works) and returns who.
   * Browser and device code ask the user; the others check their token at once.
   */
  async signIn(method: AzureSignInMethod, signal?: AbortSignal): Promise<AzureAccount> {
    const scopes = this.environment.scopes;
    if (method.kind === 'device-code' && !method.onPrompt && !this.options.onDeviceCode) {
      // Without a way to show the code the user would wait for a sign-in that cannot happen.
      throw new RpcError(
        ErrorCode.BadInput,
        'Device code sign-in needs somewhere to show its code: pass onPrompt (or onDeviceCode).',
      );
    }
    if (method.kind === 'browser' && this.options.interactiveBrowser === false) {
      throw browserUnavailable();
    }
    let credential: TokenCredential;
    let record: AuthenticationRecord | undefined;
    const log = this.options.log;
    try {
      credential = this.build(method);
      if (method.kind === 'browser' || method.kind === 'device-code') {
        const interactive = credential as InteractiveBrowserCredential | DeviceCodeCredential;
        log?.(`azure: sign-in ${KIND_WORDS[method.kind]} started`);
        record = await interactiveSignIn(
          (abortSignal) => interactive.authenticate(scopes, { abortSignal, ...CAE }),
          method.kind === 'browser'
            ? (this.options.browserTimeoutMs ?? BROWSER_TIMEOUT_MS)
            : undefined,
          signal,
        );
      }
      const token = await credential.getToken(scopes, { abortSignal: signal, ...CAE });
      if (!token) throw new CredentialUnavailableError('Azure returned no access token.');
      const account = withRecord(accountFromToken(method.kind, token), record);
      this.current = { credential, account, record };
      await saveAccount(this.options.dataDir, {
        kind: method.kind,
        tenantId: account.tenantId,
        record: record && serializeAuthenticationRecord(record),
      });
      this.changed.fire(this.status);
      if (method.kind === 'browser' || method.kind === 'device-code') {
        log?.(`azure: sign-in ${KIND_WORDS[method.kind]} done`);
      }
      return { ...account };
    } catch (err) {
      const error = signInError(method.kind, err, this.environment.authorityHost);
      if (method.kind === 'browser' || method.kind === 'device-code') {
        log?.(`azure: sign-in ${KIND_WORDS[method.kind]} ended: ${error.message}`);
      }
      throw error;
    }
  }

  /**
   * Signs in silently as last time (token cache, `az`, environment), or stays signed out. Never
   * opens a browser or asks for a code.
   */
  async restore(): Promise<AzureAccount | undefined> {
    const saved = await loadAccount(this.options.dataDir);
    if (!saved || saved.kind === 'service-principal') return undefined;
    try {
      let credential: TokenCredential;
      let record: AuthenticationRecord | undefined;
      if (saved.kind === 'browser' || saved.kind === 'device-code') {
        if (!saved.record || !this.persistent) return undefined;
        record = deserializeAuthenticationRecord(saved.record);
        credential = this.buildInteractive(saved.kind, saved.tenantId, record);
      } else {
        credential = this.build({
          kind: saved.kind,
          tenantId: saved.tenantId,
        } as AzureSignInMethod);
      }
      const token = await credential.getToken(this.environment.scopes, CAE);
      if (!token) return undefined;
      const account = withRecord(accountFromToken(saved.kind, token), record);
      this.current = { credential, account, record };
      this.changed.fire(this.status);
      return { ...account };
    } catch (err) {
      this.options.log?.(
        `azure: silent sign-in as before did not work: ${signInError(saved.kind, err).message}`,
      );
      return undefined;
    }
  }

  /** Forgets the account and the token cache (`az` keeps its own sign-in). */
  async signOut(): Promise<void> {
    this.current = undefined;
    if (this.options.dataDir) {
      await forgetAccount(this.options.dataDir);
      await clearPersistentTokenCache(this.options.dataDir);
    }
    this.changed.fire(this.status);
  }

  /** TokenCredential: the signed-in method's token; a clear error when nobody is signed in. */
  async getToken(
    scopes: string | string[],
    options?: GetTokenOptions,
  ): Promise<AccessToken | null> {
    if (!this.current) {
      throw new CredentialUnavailableError(`${NOT_SIGNED_IN}: sign in from the admin view first.`);
    }
    return this.current.credential.getToken(scopes, options);
  }

  /** Who is signed in, from a fresh ARM token's claims. */
  async whoAmI(): Promise<AzureAccount> {
    if (!this.current) throw notSignedIn();
    const kind = this.current.account.kind;
    try {
      const token = await this.current.credential.getToken(this.environment.scopes, CAE);
      if (!token) throw new CredentialUnavailableError('Azure returned no access token.');
      this.current.account = withRecord(accountFromToken(kind, token), this.current.record);
      return { ...this.current.account };
    } catch (err) {
      throw signInError(kind, err);
    }
  }

  /** The subscriptions the signed-in account can see, by name. */
  async listSubscriptions(signal?: AbortSignal): Promise<AzureSubscriptionInfo[]> {
    if (!this.current) throw notSignedIn();
    // arm-resources 7 no longer ships SubscriptionClient; one paged GET through the resources
    // client's pipeline (same auth, retries, endpoint) spares a whole extra SDK package.
    const client = createResourceManagementClient(this, {
      ...this.options.clients,
      environment: this.environment,
    });
    const out: AzureSubscriptionInfo[] = [];
    let url: string | undefined =
      `${this.environment.resourceManagerEndpoint}/subscriptions?api-version=2022-12-01`;
    try {
      for (let page = 0; url && page < 100; page++) {
        const response = await client.sendRequest(
          createPipelineRequest({
            url,
            method: 'GET',
            headers: createHttpHeaders({ accept: 'application/json' }),
            abortSignal: signal,
          }),
        );
        const body = parseBody(response.bodyAsText);
        if (response.status !== 200) throw armError(response.status, body);
        for (const s of (body.value as Array<Record<string, unknown>> | undefined) ?? []) {
          const info: AzureSubscriptionInfo = {
            subscriptionId: String(s.subscriptionId ?? ''),
            displayName: String(s.displayName ?? s.subscriptionId ?? ''),
            state: String(s.state ?? 'Unknown'),
          };
          if (typeof s.tenantId === 'string') info.tenantId = s.tenantId;
          out.push(info);
        }
        url = typeof body.nextLink === 'string' ? body.nextLink : undefined;
      }
    } catch (err) {
      throw translateAzureError(err, { action: 'list your Azure subscriptions' });
    }
    return out.sort((a, b) => a.displayName.localeCompare(b.displayName));
  }

  /** The resource groups of one subscription, by name. */
  async listResourceGroups(subscriptionId: string): Promise<AzureResourceGroupInfo[]> {
    if (!this.current) throw notSignedIn();
    const out: AzureResourceGroupInfo[] = [];
    try {
      for await (const group of this.clientsFor(subscriptionId).resources.resourceGroups.list()) {
        const info: AzureResourceGroupInfo = {
          name: group.name ?? '',
          location: group.location,
          tags: { ...(group.tags ?? {}) },
        };
        if (group.properties?.provisioningState) {
          info.provisioningState = group.properties.provisioningState;
        }
        out.push(info);
      }
    } catch (err) {
      throw translateAzureError(err, {
        action: `list the resource groups of subscription ${subscriptionId}`,
        scope: `subscription ${subscriptionId}`,
      });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The SDK clients of a subscription, built once and authenticated through this credential. */
  clientsFor(subscriptionId: string): AzureClients {
    let clients = this.clients.get(subscriptionId);
    if (!clients) {
      clients = createAzureClients(this, subscriptionId, {
        ...this.options.clients,
        environment: this.environment,
      });
      this.clients.set(subscriptionId, clients);
    }
    return clients;
  }

  /** Whether `az` is installed and signed in (the UI offers "Use Azure CLI" then). */
  async isAzureCliSignedIn(): Promise<boolean> {
    try {
      const token = await this.build({ kind: 'cli' }).getToken(this.environment.scopes);
      return token !== null;
    } catch {
      return false;
    }
  }

  dispose(): void {
    this.changed.dispose();
  }

  private build(method: AzureSignInMethod): TokenCredential {
    const env = this.environment;
    const authority = {
      authorityHost: env.authorityHost,
      disableInstanceDiscovery: env.disableInstanceDiscovery,
    };
    switch (method.kind) {
      case 'cli':
        return new AzureCliCredential({
          tenantId: method.tenantId,
          processTimeoutInMs: this.options.cliTimeoutMs ?? 20_000,
        });
      case 'environment':
        return new EnvironmentCredential({ ...authority, ...this.cacheOption() });
      case 'service-principal':
        return new ClientSecretCredential(method.tenantId, method.clientId, method.clientSecret, {
          ...authority,
          ...this.cacheOption(),
        });
      case 'browser':
      case 'device-code':
        return this.buildInteractive(method.kind, method.tenantId, undefined, method);
    }
  }

  private buildInteractive(
    kind: 'browser' | 'device-code',
    tenantId: string | undefined,
    record: AuthenticationRecord | undefined,
    method?: AzureSignInMethod,
  ): TokenCredential {
    const env = this.environment;
    const common = {
      tenantId: tenantId ?? this.options.tenantId ?? 'organizations',
      clientId: this.options.clientId ?? AZURE_CLI_CLIENT_ID,
      authorityHost: env.authorityHost,
      disableInstanceDiscovery: env.disableInstanceDiscovery,
      // Never pop up a browser or a code from a background refresh: sign-in is explicit.
      disableAutomaticAuthentication: true,
      ...(record ? { authenticationRecord: record } : {}),
      ...this.cacheOption(),
    };
    if (kind === 'browser') {
      const loginHint = method?.kind === 'browser' ? method.loginHint : undefined;
      return new InteractiveBrowserCredential({
        ...common,
        redirectUri: 'http://localhost',
        ...(loginHint ? { loginHint } : {}),
      });
    }
    const onPrompt =
      (method?.kind === 'device-code' ? method.onPrompt : undefined) ?? this.options.onDeviceCode;
    return new DeviceCodeCredential({
      ...common,
      userPromptCallback: (info: DeviceCodeInfo) =>
        onPrompt?.({
          message: info.message,
          userCode: info.userCode,
          verificationUri: info.verificationUri,
        }),
    });
  }

  /** Registers this credential's cache; must run right before the credential's construction. */
  private cacheOption(): { tokenCachePersistenceOptions?: TokenCachePersistenceOptions } {
    const { dataDir, protector, log } = this.options;
    if (!dataDir || !this.persistent) return {};
    return { tokenCachePersistenceOptions: persistentTokenCache({ dir: dataDir, protector, log }) };
  }
}

function parseBody(text: string | null | undefined): Record<string, unknown> {
  if (!text) return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** An error shaped like a RestError, so translateAzureError reads its code and status. */
function armError(status: number, body: Record<string, unknown>): Error {
  const error = (body.error ?? {}) as { code?: string; message?: string };
  return Object.assign(new Error(error.message ?? `HTTP ${status}`), {
    name: 'RestError',
    statusCode: status,
    code: error.code,
  });
}
