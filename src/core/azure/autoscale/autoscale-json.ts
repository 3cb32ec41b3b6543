// The stored autoscale setting as raw ARM JSON, and the JSON helpers its read and its write share:
// the canonical form and content hash (the revision), a deep copy, safe object and array access.
import { createHash } from 'node:crypto';

export type Json = Record<string, unknown>;

/** The autoscale api-version the app and the template use (the one with predictive autoscale). */
export const AUTOSCALE_API_VERSION = '2022-10-01';

/** An autoscale setting as ARM returns it (GET) or takes it (PUT). */
export interface RawAutoscaleSetting {
  id?: string;
  name?: string;
  location?: string;
  tags?: Record<string, string>;
  properties?: Json;
  [key: string]: unknown;
}

/** Content hash of the stored setting: a save refuses when Azure's differs from what was read. */
export function autoscaleRevision(raw: RawAutoscaleSetting): string {
  return createHash('sha256').update(canonical(raw)).digest('hex').slice(0, 32);
}

/** JSON with sorted keys, so equal content compares equal whatever the key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Json = {};
    for (const key of Object.keys(value as Json).sort()) {
      const v = (value as Json)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function same(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

export function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
