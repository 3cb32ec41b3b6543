// Fuzz of every contract method through the real RPC server of a real app core (temp data
// folder, local sandbox): generated bad input — wrong types, missing and extra fields, huge
// strings and arrays, controls, bidi overrides, NUL, deep nesting, prototype keys, numbers out
// of range and 1e999 — must each be answered, in time, with E_BAD_INPUT in plain words.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { z } from 'zod';
import { methods, type MethodName } from '../../../src/common/contract';
import { ErrorCode } from '../../../src/common/errors';
import { Emitter } from '../../../src/common/event';
import type { RpcMessage, Transport } from '../../../src/common/rpc';
import { unsafeCharacter } from '../../../src/common/user-text';
import { createAppCore, type AppCore } from '../../../src/core/app-core';
import {
  PROTO_KEYS,
  fuzzRuns,
  fuzzSeed,
  hostileNumber,
  hostileString,
  hostileValue,
  sampleOf,
  within,
  wireJson,
} from '../../helpers/fuzz';

type Answer = { result?: unknown; error?: { code: string; message: string; details?: unknown } };

/**
 * The UI's end of a pipe that carries raw JSON text, as a WebSocket does: the core's end parses
 * it like the host's WsTransport, so 1e999 and 5,000 nested arrays reach the RPC layer as such.
 */
class RawWire {
  private readonly toCore = new Emitter<unknown>();
  private readonly closes = new Emitter<void>();
  private readonly waiting = new Map<number, (answer: Answer) => void>();
  private nextId = 1;
  readonly core: Transport = {
    send: (message: RpcMessage) => {
      // The core's answers cross as JSON too.
      const back = JSON.parse(JSON.stringify(message)) as RpcMessage;
      if (back.type === 'response') this.waiting.get(back.id)?.(back);
    },
    onMessage: (listener) => this.toCore.event(listener),
    onClose: (listener) => this.closes.event(listener),
    close: () => this.closes.fire(),
  };

  /** Sends `{type:'request', method, input}` with `input` written by wireJson. */
  call(method: string, input: unknown): Promise<Answer> {
    const id = this.nextId++;
    const text = `{"type":"request","id":${id},"method":${JSON.stringify(method)},"input":${wireJson(input)}}`;
    return new Promise<Answer>((resolve) => {
      this.waiting.set(id, (answer) => {
        this.waiting.delete(id);
        resolve(answer);
      });
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return; // Never: wireJson writes JSON.
      }
      queueMicrotask(() => this.toCore.fire(parsed));
    });
  }
}

type Schema = z.ZodType & { _zod: { def: Record<string, unknown> & { type: string } } };

/** Values shaped like the schema (its fields, their kinds) with hostile ones mixed in. */
function shaped(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  const def = schema._zod.def;
  if (depth > 3) return hostileValue;
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, Schema>;
      const fields = Object.fromEntries(
        Object.entries(shape).map(([key, field]) => [
          key,
          fc.oneof(shaped(field, depth + 1), hostileValue),
        ]),
      );
      const extra = fc.dictionary(
        fc.oneof(fc.constantFrom(...PROTO_KEYS, 'extra'), hostileString),
        hostileValue,
        { maxKeys: 2 },
      );
      return fc
        .tuple(fc.record(fields, { requiredKeys: [] }), extra, fc.boolean())
        .map(([known, more, withExtra]) => (withExtra ? { ...more, ...known } : known));
    }
    case 'array':
      return fc.array(shaped(def.element as Schema, depth + 1), { maxLength: 4 });
    case 'optional':
    case 'default':
      return shaped(def.innerType as Schema, depth);
    case 'pipe':
      return shaped(def.in as Schema, depth);
    case 'string':
      return fc.oneof(hostileString, fc.constantFrom('local', 'x', 'a b;c', '-1'));
    case 'number':
      return hostileNumber;
    case 'boolean':
      return fc.oneof(fc.boolean(), fc.constantFrom('true', 0, 1));
    case 'enum':
      return fc.oneof(
        fc.constantFrom(...Object.values(def.entries as Record<string, string>)),
        hostileString,
      );
    case 'record':
      return fc.dictionary(fc.oneof(fc.constantFrom(...PROTO_KEYS), hostileString), hostileValue, {
        maxKeys: 3,
      });
    default:
      return hostileValue;
  }
}

/** A generated input the method's schema refuses once it has crossed the wire. */
function badInputs(name: MethodName, seed: number, runs: number): unknown[] {
  const schema = methods[name].input as unknown as Schema;
  const arb = fc.oneof(
    { weight: 3, arbitrary: shaped(schema) },
    { weight: 1, arbitrary: hostileValue },
  );
  const out: unknown[] = [];
  // Generated inputs that happen to be valid are left out: a valid call would act (connect,
  // sign in, delete), which is not what this suite is about.
  for (const input of sampleOf(arb, seed, runs * 3)) {
    if (out.length === runs) break;
    const wire = JSON.parse(wireJson(input)) as unknown;
    if (!methods[name].input.safeParse(wire).success) out.push(input);
  }
  return out;
}

/** A camelCase word outside quotes: a parameter name where the UI's words belong. */
const CAMEL = /\b[a-z]+[A-Z][A-Za-z]*\b/;
const withoutQuoted = (text: string) => text.replace(/"[^"]*"/g, '""');

describe('contract fuzz: every method with generated bad input', () => {
  let dataDir: string;
  let core: AppCore;
  let wire: RawWire;
  const logs: string[] = [];
  const cases = new Map<string, number>();
  let idCases = 0;
  const seed = fuzzSeed('contract fuzz', 20261207);
  const runs = fuzzRuns(15);

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'contract-fuzz-'));
    core = await createAppCore({
      dataDir,
      shell: 'headless',
      version: '9.9.9',
      log: (line) => logs.push(line),
      orphanGraceMs: 200,
      env: { DSVM_POOL_DISABLE_UPDATES: '1' },
    });
    wire = new RawWire();
    core.rpc.connect(wire.core);
  });

  after(async () => {
    await core?.dispose();
    await rm(dataDir, { recursive: true, force: true });
    const rows = [...cases].map(([name, n]) => `  ${name.padEnd(34)} ${String(n).padStart(5)}`);
    const total = [...cases.values()].reduce((a, b) => a + b, 0);
    console.log(
      `contract fuzz (seed ${seed}): cases per method\n${rows.join('\n')}\n  ${'total'.padEnd(34)} ${String(total).padStart(5)} over ${cases.size} methods\n  plus ${idCases} calls with ids never handed out`,
    );
  });

  it('fuzz: the method list is the contract (a new method is covered without a change here)', () => {
    const names = Object.keys(methods);
    assert.ok(names.length > 50, `${names.length} methods`);
    for (const name of names) assert.ok(name.includes('.'), name);
  });

  it('fuzz: ids the app never handed out get a coded answer, never an internal error', async () => {
    // Valid input with ids nobody handed out, for methods that only look them up (no side
    // effect, no Azure call): each must say "not found" (or do nothing) in words.
    const lookups: Array<[MethodName, (id: string) => unknown]> = [
      ['connections.close', (id) => ({ connectionId: id })],
      ['terminals.write', (id) => ({ terminalId: id, data: 'x' })],
      ['terminals.resize', (id) => ({ terminalId: id, cols: 80, rows: 24 })],
      ['terminals.ack', (id) => ({ terminalId: id, chars: 1 })],
      ['terminals.close', (id) => ({ terminalId: id })],
      ['terminals.attach', (id) => ({ terminalId: id })],
      ['terminals.open', (id) => ({ connectionId: id, cols: 80, rows: 24 })],
      ['forwards.remove', (id) => ({ forwardId: id })],
      ['forwards.add', (id) => ({ connectionId: id, remotePort: 8888 })],
      ['jupyter.open', (id) => ({ connectionId: id })],
      ['operations.dismiss', (id) => ({ operationId: id })],
      ['prompts.answer', (id) => ({ promptId: id, accept: false })],
      ['pools.remove', (id) => ({ poolId: id })],
      ['team.list', (id) => ({ poolId: id })],
      ['storage.info', (id) => ({ poolId: id })],
      ['keys.generate', (id) => ({ poolId: id })],
      ['sandbox.dropConnections', (id) => ({ instanceId: id })],
      ['connections.connect', (id) => ({ poolId: id })],
      ['azure.showInstances', (id) => ({ poolId: id, instanceIds: [id] })],
    ];
    const ids = sampleOf(
      fc.oneof(
        fc.string({ minLength: 1, maxLength: 200 }),
        fc.constantFrom(
          'local',
          '../../etc/passwd',
          '"quoted"',
          '%00',
          'a b',
          '__proto__',
          'constructor',
          'x'.repeat(200),
        ),
      ),
      seed,
      runs,
    ).filter((id) => unsafeCharacter(id) === undefined && id.length > 0 && id !== 'local');
    let count = 0;
    for (const [name, input] of lookups) {
      for (const id of ids) {
        const answer = await within(
          wire.call(name, input(id)),
          15_000,
          `${name} ${JSON.stringify(id)}`,
        );
        const what = `${name} with id ${JSON.stringify(id)} (seed ${seed}) → ${JSON.stringify(answer).slice(0, 400)}`;
        if (answer.error) {
          assert.notEqual(answer.error.code, ErrorCode.Internal, what);
          assert.doesNotMatch(answer.error.message, /\n\s+at |TypeError|Cannot read propert/, what);
          assert.equal(unsafeCharacter(answer.error.message), undefined, what);
        }
        count++;
      }
    }
    idCases = count;
  });

  for (const name of Object.keys(methods) as MethodName[]) {
    it(`fuzz: ${name} answers every bad input with E_BAD_INPUT in plain words`, async () => {
      const inputs = badInputs(name, seed ^ hash(name), runs);
      assert.ok(inputs.length > 0, `no bad input generated for ${name}`);
      for (const [index, input] of inputs.entries()) {
        const shown = wireJson(input).slice(0, 200);
        const answer = await within(
          wire.call(name, input),
          15_000,
          `${name} case ${index}: ${shown}`,
        );
        const what = `${name} case ${index} (seed ${seed}): ${shown}\n→ ${JSON.stringify(answer).slice(0, 600)}`;
        assert.ok(answer.error, `answered without an error: ${what}`);
        assert.equal(answer.error.code, ErrorCode.BadInput, what);
        const message = answer.error.message;
        assert.match(message, /^Some of what was given needs changes — \S/, what);
        assert.doesNotMatch(message, /\n\s+at |Error:|\[object |undefined|NaN|function /, what);
        assert.doesNotMatch(withoutQuoted(message), CAMEL, `a parameter name in: ${what}`);
        assert.doesNotMatch(
          message,
          /Invalid input|expected \w+, received|Too (big|small)|Unrecognized key/i,
          `zod's own words in: ${what}`,
        );
        assert.equal(unsafeCharacter(message), undefined, `an unsafe character echoed in: ${what}`);
        assert.ok(message.length <= 2_000, `a ${message.length}-character message: ${what}`);
        assert.ok(JSON.stringify(answer.error).length <= 20_000, `oversized details: ${what}`);
      }
      cases.set(name, inputs.length);
      // The core still serves a known-good call after the batch.
      const info = await within(wire.call('app.info', {}), 15_000, 'app.info after the batch');
      assert.equal((info.result as { version?: string } | undefined)?.version, '9.9.9');
      assert.deepEqual(
        logs.filter((line) => /rpc: .* failed/.test(line)),
        [],
        'no internal failure was logged',
      );
    });
  }
});

/** A small stable hash, so every method gets its own stream of the one seed. */
function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h | 0;
}
