// Compares a response with an official example by shape: every key the example has must be there
// with a value of the same JSON type, recursively; values themselves are not compared.

export interface ShapeDifference {
  /** `properties.virtualMachineProfile.osProfile.secrets` */
  path: string;
  problem: string;
}

/**
 * Differences of `actual` from the shape of `expected`. Rules:
 * - a key of an expected object must exist in the actual one (extra actual keys are fine);
 * - `null` in the example says nothing about the type, so anything (or nothing) matches it;
 * - arrays compare element by element, index-aligned, over the example's elements: the actual
 *   array must have at least as many (the test creates the state the example shows);
 * - numbers, strings and booleans must keep their JSON type;
 * - `tags` are dictionaries: their keys are data, not shape, so only "an object" is checked.
 */
export function shapeDiff(expected: unknown, actual: unknown, path = ''): ShapeDifference[] {
  if (expected === null) return [];
  const here = path || '(root)';
  if (actual === undefined) return [{ path: here, problem: 'missing' }];
  const expectedType = jsonType(expected);
  const actualType = jsonType(actual);
  if (expectedType !== actualType) {
    return [{ path: here, problem: `expected ${expectedType}, got ${actualType}` }];
  }
  if (Array.isArray(expected)) {
    const list = actual as unknown[];
    if (list.length < expected.length) {
      return [
        { path: here, problem: `expected at least ${expected.length} items, got ${list.length}` },
      ];
    }
    return expected.flatMap((item, i) => shapeDiff(item, list[i], `${path}[${i}]`));
  }
  if (expectedType === 'object') {
    if (/(^|\.)tags$/.test(path)) return [];
    const record = actual as Record<string, unknown>;
    return Object.entries(expected as Record<string, unknown>).flatMap(([key, value]) => {
      const childPath = path ? `${path}.${key}` : key;
      if (!(key in record)) return value === null ? [] : [{ path: childPath, problem: 'missing' }];
      return shapeDiff(value, record[key], childPath);
    });
  }
  return [];
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
