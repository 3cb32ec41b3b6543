// Plain HTTPS requests to the emulator with its token, trusting its certificate explicitly (`ca`),
// for tests that check the wire format itself rather than what an SDK makes of it.
import https from 'node:https';
import { defaultApiVersion } from './api-versions';
import type { AzureEmulator } from './azure-emulator';

export interface RawResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: unknown;
}

export class RawArmClient {
  private readonly agent: https.Agent;
  private readonly token: string;

  /** `token`: another bearer token, e.g. a VM's managed-identity token from its IMDS. */
  constructor(
    private readonly emulator: AzureEmulator,
    options: { token?: string } = {},
  ) {
    this.agent = new https.Agent({ ca: emulator.certificate.cert, keepAlive: true });
    this.token = options.token ?? emulator.issueToken();
  }

  /**
   * `path` may carry its own query; api-version is added when missing: `apiVersion`, else the
   * newest one the emulator serves for the addressed type (api-versions.ts).
   */
  request(method: string, path: string, body?: unknown, apiVersion?: string): Promise<RawResponse> {
    const url = new URL(path, this.emulator.url);
    if (!url.searchParams.has('api-version')) {
      url.searchParams.set(
        'api-version',
        apiVersion ?? defaultApiVersion(url.pathname) ?? '2025-04-01',
      );
    }
    const text = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            authorization: `Bearer ${this.token}`,
            ...(text === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const raw = Buffer.concat(chunks).toString();
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) {
              if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
            }
            let parsed: unknown = undefined;
            if (raw) {
              try {
                parsed = JSON.parse(raw);
              } catch {
                parsed = raw;
              }
            }
            resolve({ status: res.statusCode ?? 0, headers, body: parsed });
          });
        },
      );
      req.on('error', reject);
      if (text !== undefined) req.write(text);
      req.end();
    });
  }

  /** Polls the Azure-AsyncOperation (else Location) URL of a 201/202 until it ends. */
  async waitFor(response: RawResponse, timeoutMs = 20_000): Promise<string> {
    const statusUrl = response.headers['azure-asyncoperation'];
    const location = response.headers['location'];
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (statusUrl) {
        const poll = await this.request('GET', statusUrl);
        const status = String((poll.body as { status?: string }).status);
        if (status !== 'InProgress') return status;
      } else if (location) {
        const poll = await this.request('GET', location);
        if (poll.status !== 202) return poll.status < 300 ? 'Succeeded' : 'Failed';
      } else {
        return 'Succeeded';
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`operation still running after ${timeoutMs} ms`);
  }

  close(): void {
    this.agent.destroy();
  }
}
