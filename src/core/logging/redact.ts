// Takes secrets out of text before it reaches the log file: known shapes (storage keys, SAS query
// strings, bearer/JWT tokens, `token=`-style parameters, private key blocks) and every secret value
// the app registered at run time (passphrases typed into a prompt, the host's token).
import { inspect } from 'node:util';

/** What a redacted secret becomes; says what it was, never any of its characters. */
export const REDACTED = '[redacted]';

/** Shorter values would match ordinary words all over the log; no real secret is this short. */
const MIN_SECRET_LENGTH = 4;

// The Shared Access Signature parameters (learn.microsoft.com: "Create a service SAS", "Create an
// account SAS", "Create a user delegation SAS"); a run of them that carries `sig=` is a SAS.
const SAS_PARAMS =
  'sv|ss|srt|sp|se|st|spr|sr|si|sip|sig|ses|sdd|skoid|sktid|skt|ske|sks|skv|saoid|suoid|scid|rscc|rscd|rsce|rscl|rsct';
const SAS_RUN = new RegExp(`(?:\\b(?:${SAS_PARAMS})=[^&\\s;"'<>#]*&?)+`, 'gi');

/** Names whose value is a secret in `name=value`, `name: value` and `"name": "value"` shapes. */
const SECRET_NAMES = [
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'device_code',
  'code_verifier',
  'client_secret',
  'client_assertion',
  'password',
  'passphrase',
  'secret',
  'sig',
  'accountkey',
  'account_key',
  'storage_key',
  'sharedaccesssignature',
  'api_key',
  'apikey',
].join('|');

type Replacement = string | ((match: string) => string);

const PATTERNS: Array<[RegExp, Replacement]> = [
  // PEM (`-----BEGIN RSA PRIVATE KEY-----`, PKCS#8, encrypted) and OpenSSH private key blocks; an
  // unterminated block (a log line cut short) is taken to the end of the text.
  [
    /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g,
    '[redacted private key]',
  ],
  // PuTTY's key files: everything from the private lines on.
  [/Private-Lines:\s*\d+[\s\S]*?(?:Private-MAC:\s*[0-9a-f]+|$)/gi, '[redacted private key]'],
  // A URL whose query carries a SAS signature: the whole query goes (its expiry, permissions and
  // resource are part of what the signature grants).
  [/\?[^\s"'<>#]*\bsig=[^\s"'<>#]*/gi, '?[redacted SAS]'],
  // A SAS without its URL (connection strings, `SharedAccessSignature=sv=…&sig=…`).
  [SAS_RUN, (run) => (/\bsig=/i.test(run) ? `[redacted SAS]${run.endsWith('&') ? '&' : ''}` : run)],
  // Authorization header values (Bearer tokens, Azure Storage's SharedKey signatures).
  [/\b(Bearer|SharedKey(?:Lite)?)(\s+)[A-Za-z0-9\-._~+/:=]+/gi, `$1$2${REDACTED}`],
  // JSON Web Tokens (access and ID tokens) wherever they stand.
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, '[redacted token]'],
  // An OAuth authorization code in a redirect (`?code=…&state=…`); `code` alone names too much
  // else (ARM's error codes) to be redacted everywhere.
  [/([?&#]code=)[^&\s"'<>#]+/gi, `$1${REDACTED}`],
  // `"token": "…"`, `'password': '…'` (JSON, inspected objects).
  [
    new RegExp(
      `(["']?\\b(?:${SECRET_NAMES})["']?\\s*:\\s*)(["'])(?:\\\\.|(?!\\2)[^\\\\])*\\2`,
      'gi',
    ),
    `$1$2${REDACTED}$2`,
  ],
  // `?token=…`, `AccountKey=…;`, `password=…`.
  [new RegExp(`(\\b(?:${SECRET_NAMES})=)(?!\\[)[^&\\s;,"'<>#)]+`, 'gi'), `$1${REDACTED}`],
  // `token: abc`, `passphrase: hunter2` in prose (not `token cache`: a colon must follow the name).
  [new RegExp(`(\\b(?:${SECRET_NAMES}):[ \\t]*)(?![\\["'])[^\\s,;"'<>)]+`, 'gi'), `$1${REDACTED}`],
  // An Azure Storage account key: 64 bytes in base64, 86 characters and `==`.
  [/(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}==(?![A-Za-z0-9+/=])/g, '[redacted storage key]'],
];

/** Redacts the secret shapes and the registered secret values from log text. */
export class SecretRedactor {
  private readonly secrets = new Set<string>();
  /** The registered values and their encoded forms, longest first (so none is left half-done). */
  private forms: string[] = [];

  /**
   * Registers a value to redact wherever it appears from now on, also percent-encoded (in a URL)
   * and JSON-escaped (in a serialized body). Values under 4 characters are ignored.
   */
  add(secret: string | undefined): void {
    if (!secret || secret.length < MIN_SECRET_LENGTH || this.secrets.has(secret)) return;
    this.secrets.add(secret);
    const encoded = [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)];
    const all = new Set([...this.forms, ...encoded.filter((f) => f.length >= MIN_SECRET_LENGTH)]);
    this.forms = [...all].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const form of this.forms) {
      if (out.includes(form)) out = out.split(form).join(REDACTED);
    }
    return redactShapes(out);
  }

  /** Anything a logger may be handed (strings, errors, objects) as redacted text. */
  redactValue(value: unknown): string {
    if (typeof value === 'string') return this.redact(value);
    if (value instanceof Error)
      return this.redact(value.stack ?? `${value.name}: ${value.message}`);
    return this.redact(inspect(value, { depth: 5, breakLength: Infinity }));
  }
}

/** The shapes alone (no registered values). */
export function redactShapes(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) {
    out =
      typeof replacement === 'string'
        ? out.replace(pattern, replacement)
        : out.replace(pattern, replacement);
  }
  return out;
}
