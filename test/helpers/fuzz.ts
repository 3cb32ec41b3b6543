// What the fuzz suites share: a fixed seed that is printed (DSVM_FUZZ_SEED repeats or changes it),
// a run count DSVM_FUZZ_RUNS scales, hostile values as fast-check arbitraries, and a JSON writer
// that can put what JSON allows but JSON.stringify never writes (1e999, deep nesting) on the wire.
import fc from 'fast-check';

/** The seed of a suite: DSVM_FUZZ_SEED when set, else the suite's fixed one; printed either way. */
export function fuzzSeed(suite: string, fixed: number): number {
  const given = process.env.DSVM_FUZZ_SEED;
  const seed = given !== undefined && given !== '' ? Number(given) | 0 : fixed;
  console.log(`${suite}: fuzz seed ${seed} (repeat with DSVM_FUZZ_SEED=${seed})`);
  return seed;
}

/** How many cases: `base` in `npm test`, DSVM_FUZZ_RUNS instead when set (run longer locally). */
export function fuzzRuns(base: number): number {
  const given = Number(process.env.DSVM_FUZZ_RUNS);
  return Number.isInteger(given) && given > 0 ? given : base;
}

/** A value that the wire writer turns into `n` nested arrays or objects (JSON.stringify would overflow). */
export class Deep {
  constructor(
    readonly depth: number,
    readonly kind: 'array' | 'object',
  ) {}
}

/** Text JSON allows for a number JSON.stringify cannot write: 1e999 parses as Infinity. */
export class RawNumber {
  constructor(readonly text: string) {}
}

/** JSON text of `value`, with Deep and RawNumber written as such; NaN and ±Infinity as JSON allows. */
export function wireJson(value: unknown): string {
  if (value instanceof Deep) {
    return value.kind === 'array'
      ? `${'['.repeat(value.depth)}${']'.repeat(value.depth)}`
      : `${'{"a":'.repeat(value.depth)}1${'}'.repeat(value.depth)}`;
  }
  if (value instanceof RawNumber) return value.text;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'null';
    if (value === Infinity) return '1e999';
    if (value === -Infinity) return '-1e999';
    return Object.is(value, -0) ? '-0' : JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(wireJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const parts = Object.keys(value).map(
      (key) => `${JSON.stringify(key)}:${wireJson((value as Record<string, unknown>)[key])}`,
    );
    return `{${parts.join(',')}}`;
  }
  return value === undefined ? 'null' : JSON.stringify(value);
}

/** Characters that have hurt apps before: controls, NUL, bidi overrides and isolates, invisibles. */
export const NASTY_CHARS = [
  '\u0000',
  '\u0007',
  '\u001b',
  '\r',
  '\n',
  '\t',
  '\u007f',
  '\u0085',
  '\u202e',
  '\u202d',
  '\u2066',
  '\u2069',
  '\u200b',
  '\u200f',
  '\u061c',
  '\ufeff',
  '\u2028',
  '\ud800',
  '\udfff',
  '\u{1f4a9}',
  'é',
  '"',
  "'",
  '\\',
  '/',
  '$(',
  '`',
  ';',
  '%00',
  '../',
];

/** Keys that trip code reading objects carelessly. */
export const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
];

const nastyChar = fc.constantFrom(...NASTY_CHARS);

/** Text mixing ordinary and hostile characters, sometimes huge. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.string({ unit: fc.oneof(fc.string({ maxLength: 1 }), nastyChar), maxLength: 40 }),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\u202egnp.exe', 'a\u0000b', ...PROTO_KEYS) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 1_000, max: 300_000 }), nastyChar)
      .map(([n, c]) => `${c}${'x'.repeat(n)}${c}`),
  },
);

/** Numbers as JSON carries them, out-of-range ones included (NaN arrives as null, ±Infinity as 1e999). */
export const hostileNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(
    0,
    -0,
    -1,
    0.5,
    65536,
    2 ** 31,
    2 ** 53 + 2,
    -(2 ** 63),
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    NaN,
    Infinity,
    -Infinity,
  ),
  fc.constantFrom(
    new RawNumber('1e999'),
    new RawNumber('-1e999'),
    new RawNumber('1e-400'),
    new RawNumber('123456789012345678901234567890'),
  ),
);

/** Any hostile JSON value: wrong types, huge arrays, deep nesting, prototype keys. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: hostileString },
    { weight: 2, arbitrary: hostileNumber },
    { weight: 1, arbitrary: fc.constantFrom(null, true, false) },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    {
      weight: 1,
      arbitrary: fc.dictionary(
        fc.oneof(fc.constantFrom(...PROTO_KEYS), hostileString),
        tie('value'),
        { maxKeys: 4 },
      ),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 1_000, max: 20_000 }), fc.constantFrom(0, 'x', null, {}))
        .map(([n, item]) => Array.from({ length: n }, () => item)),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.integer({ min: 50, max: 5_000 }),
          fc.constantFrom('array' as const, 'object' as const),
        )
        .map(([depth, kind]) => new Deep(depth, kind)),
    },
  ),
})).value;

/** Samples `runs` values of `arb` from `seed`: the same list every time for the same seed. */
export function sampleOf<T>(arb: fc.Arbitrary<T>, seed: number, runs: number): T[] {
  return fc.sample(arb, { seed, numRuns: runs });
}

/** A promise that fails when `promise` has not settled within `ms` (a hang is a failure, not a wait). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
