// Reads `jupyter server|notebook list --json` output (and server info files) into checked entries.

/** One running Jupyter server as its runtime file describes it. */
export interface JupyterServerEntry {
  /** What it was told to bind to (`--ip`): `127.0.0.1`, `localhost`, `0.0.0.0`, `''`… */
  hostname: string;
  port: number;
  /** Serves https (its own certificate). */
  secure: boolean;
  /** Empty when the server has none (password login, or authentication off). */
  token: string;
  /** Always starts and ends with `/`. */
  baseUrl: string;
  /** `root_dir` (jupyter_server) or `notebook_dir` (notebook 6). */
  rootDir?: string;
  pid?: number;
  /** A password is set (then an empty token still means a login page, not an open server). */
  password: boolean;
}

/**
 * Every server described in `output`: one JSON object per line (also a JSON array per line, as
 * `--jsonlist` prints). Lines that are not JSON (profile noise, warnings, our markers) and entries
 * without a usable TCP port (a Unix socket server, a broken file) are skipped, never fatal.
 */
export function parseServerList(output: string): JupyterServerEntry[] {
  const entries: JupyterServerEntry[] = [];
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('{') && !line.startsWith('[')) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    for (const item of Array.isArray(value) ? value : [value]) {
      const entry = toEntry(item);
      if (entry) entries.push(entry);
    }
  }
  return entries;
}

function toEntry(item: unknown): JupyterServerEntry | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
  const info = item as Record<string, unknown>;
  const url = parseUrl(info.url);
  const port = asPort(info.port) ?? asPort(url?.port);
  if (port === undefined) return undefined;
  const rootDir = asString(info.root_dir) ?? asString(info.notebook_dir);
  const pid = typeof info.pid === 'number' && Number.isSafeInteger(info.pid) ? info.pid : undefined;
  return {
    hostname: asString(info.hostname) ?? url?.hostname.replace(/^\[|\]$/g, '') ?? '',
    port,
    secure: typeof info.secure === 'boolean' ? info.secure : url?.protocol === 'https:',
    token: asString(info.token) ?? '',
    baseUrl: normalizeBaseUrl(asString(info.base_url) ?? url?.pathname ?? '/'),
    ...(rootDir ? { rootDir } : {}),
    ...(pid !== undefined && pid > 1 ? { pid } : {}),
    password: info.password === true,
  };
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function asPort(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

function parseUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** `''`, `/lab`, `lab/` → `/`, `/lab/`, `/lab/`: paths are appended to it as they are. */
export function normalizeBaseUrl(value: string): string {
  const trimmed = value.trim();
  if (!trimmed) return '/';
  const lead = trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
  return lead.endsWith('/') ? lead : `${lead}/`;
}
