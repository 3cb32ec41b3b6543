// Case-insensitive routing of ARM paths (`/subscriptions/{id}/resourceGroups/{name}/…`) to handlers.
import type { IncomingHttpHeaders } from 'node:http';

export interface ArmRequest {
  method: string;
  /** The decoded path as the client sent it (case kept). */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** Values of the route's `{name}` segments, case kept. */
  params: Record<string, string>;
  /** The emulator's own origin, for URLs in headers and bodies (`https://127.0.0.1:<port>`). */
  origin: string;
}

export interface ArmResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export type ArmHandler = (request: ArmRequest) => ArmResponse | Promise<ArmResponse>;

interface Route {
  methods: Set<string>;
  segments: string[];
  handler: ArmHandler;
}

export type RouteMatch =
  | { kind: 'found'; handler: ArmHandler; params: Record<string, string> }
  | { kind: 'method-not-allowed' }
  | { kind: 'not-found' };

/**
 * Routes in the order added; the first match wins, so specific routes go before generic ones.
 * ARM treats paths case-insensitively (`resourcegroups` = `resourceGroups`), so literal segments
 * compare lower-cased; `{name}` captures one segment, `{*name}` the rest of the path.
 */
export class ArmRouter {
  private readonly routes: Route[] = [];

  add(methods: string | string[], pattern: string, handler: ArmHandler): void {
    const list = Array.isArray(methods) ? methods : [methods];
    this.routes.push({
      methods: new Set(list.map((m) => m.toUpperCase())),
      segments: splitPath(pattern).map((s) => (s.startsWith('{') ? s : s.toLowerCase())),
      handler,
    });
  }

  match(method: string, path: string): RouteMatch {
    const segments = splitPath(path);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      if (!route.methods.has(method.toUpperCase())) {
        pathMatched = true;
        continue;
      }
      return { kind: 'found', handler: route.handler, params };
    }
    return pathMatched ? { kind: 'method-not-allowed' } : { kind: 'not-found' };
  }
}

/** Splits a path into decoded segments, ignoring a trailing or doubled slash. */
export function splitPath(path: string): string[] {
  return path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

function matchSegments(pattern: string[], segments: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith('{*')) {
      if (i >= segments.length) return undefined;
      params[p.slice(2, -1)] = segments.slice(i).join('/');
      return params;
    }
    if (i >= segments.length) return undefined;
    if (p.startsWith('{')) params[p.slice(1, -1)] = segments[i];
    else if (p !== segments[i].toLowerCase()) return undefined;
  }
  return pattern.length === segments.length ? params : undefined;
}

/** A query parameter by name, case-insensitively (`$expand`, `$Expand`, `api-version`). */
export function queryParam(query: URLSearchParams, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of query) if (key.toLowerCase() === wanted) return value;
  return undefined;
}
