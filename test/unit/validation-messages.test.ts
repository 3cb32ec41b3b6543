// Walks every kind of validation text a person can be shown — the contract's bad-input messages,
// the pool template's parameter validation and warnings, autoscale validation, and the UI's own
// field checks — with bad values for every field, and fails when a raw parameter name (a camelCase
// key of the contract's schemas, the pool parameters or the UI's drafts) appears in the text.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { z } from 'zod';
import { methods } from '../../src/common/contract';
import { autoscaleSettingsSchema } from '../../src/common/contract/autoscale';
import { ErrorCode, RpcError } from '../../src/common/errors';
import type { AutoscaleSettings } from '../../src/common/models';
import { POOL_FIELD_LABELS } from '../../src/common/pool-fields';
import { describeIssues } from '../../src/common/rpc';
import { autoscaleConflict, capacityLimitProblem } from '../../src/common/scale-limits';
import { autoscaleProblems } from '../../src/core/azure/autoscale/autoscale-validation';
import { capacityLimit, capacityProblem } from '../../src/core/azure/pools/scale-limit';
import { poolParameterWarnings } from '../../src/core/azure/template/pool-template';
import {
  poolParametersSchema,
  validatePoolParameters,
} from '../../src/core/azure/template/pool-template-validation';
import { parseMember } from '../../src/core/storage/team-registry';
import {
  cpuRule,
  draftOf,
  describePath,
  settingsOf,
} from '../../src/renderer/admin/autoscale/autoscale-draft';

import {
  draftParameters,
  emptyDraft,
  errorFor,
  localErrors,
  unshownErrors,
} from '../../src/renderer/admin/create-pool/pool-draft';
import { checkScale } from '../../src/renderer/admin/pools/scale-check';
import { memberNameError } from '../../src/renderer/admin/pools/team-member-check';
import { fieldErrors } from '../../src/renderer/shared/field-errors';
import { parsePort } from '../../src/renderer/shared/port';
import { emptyRow, validateSshPool } from '../../src/renderer/user/ssh-pools/ssh-host-rows';
import { publicKey, validInput } from './core/azure/template/pool-fixtures';

// --- The key lists ---------------------------------------------------------------------------

type Def = { type: string; [key: string]: unknown };
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

/** Unwraps optional/default/pipe/… down to the schema that holds the shape. */
function core(schema: unknown): unknown {
  let s = schema;
  for (let i = 0; i < 20; i++) {
    const def = defOf(s);
    if (['optional', 'default', 'nullable', 'readonly', 'catch', 'prefault'].includes(def.type)) {
      s = def.innerType;
    } else if (def.type === 'pipe') {
      const inner = defOf(def.in);
      s = inner.type === 'transform' ? def.out : def.in;
    } else return s;
  }
  return s;
}

function shapeOf(schema: unknown): Record<string, unknown> | undefined {
  const def = defOf(core(schema));
  return def.type === 'object' ? (def.shape as Record<string, unknown>) : undefined;
}

function elementOf(schema: unknown): unknown {
  const def = defOf(core(schema));
  return def.type === 'array' ? def.element : undefined;
}

/** Every object key in a schema, however deep. */
function keysOf(schema: unknown, into = new Set<string>(), depth = 0): Set<string> {
  if (depth > 8) return into;
  const shape = shapeOf(schema);
  if (shape) {
    for (const [key, value] of Object.entries(shape)) {
      into.add(key);
      keysOf(value, into, depth + 1);
    }
  }
  const element = elementOf(schema);
  if (element) keysOf(element, into, depth + 1);
  return into;
}

const rawNames = new Set<string>();
for (const m of Object.values(methods)) keysOf(m.input, rawNames);
keysOf(poolParametersSchema, rawNames);
for (const key of Object.keys(POOL_FIELD_LABELS)) rawNames.add(key);
for (const key of Object.keys(emptyDraft())) rawNames.add(key);
for (const key of Object.keys(emptyRow())) rawNames.add(key);
const CAMEL = [...rawNames].filter((k) => /^[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*$/.test(k)).sort();

/** Every message shown to a person, with where it came from. */
const messages: Array<{ from: string; text: string }> = [];
const collect = (from: string, text: string | undefined) => {
  if (text !== undefined && text !== '') messages.push({ from, text });
};
const collectError = (from: string, err: unknown) => {
  const e = RpcError.from(err);
  collect(from, e.message);
  for (const text of Object.values(fieldErrors(e))) collect(`${from} (field)`, text);
};

// --- Bad values for every field ---------------------------------------------------------------

const BAD_VALUES: unknown[] = [
  undefined,
  '',
  ' ',
  'a b;c',
  'bidi\u202Ename',
  'zero\u200Bwidth',
  'x'.repeat(5000),
  -1,
  1.5,
  1e9,
  true,
  {},
  [],
  [{}],
  ['', 'x'.repeat(20000)],
];

/** Bad variants of one value of `schema`: the bad values, and inside objects and arrays too. */
function badVariants(schema: unknown, depth = 0): unknown[] {
  const out = [...BAD_VALUES];
  if (depth > 3) return out;
  const shape = shapeOf(schema);
  if (shape) {
    for (const [key, value] of Object.entries(shape)) {
      for (const bad of badVariants(value, depth + 1)) out.push({ [key]: bad });
    }
  }
  const element = elementOf(schema);
  if (element) for (const bad of badVariants(element, depth + 1)) out.push([bad]);
  return out;
}

function walkContract(): number {
  let refused = 0;
  for (const [name, m] of Object.entries(methods)) {
    for (const input of badVariants(m.input)) {
      const parsed = (m.input as z.ZodType).safeParse(input);
      if (parsed.success) continue;
      refused++;
      collect(`${name} (sentence)`, describeIssues(name, parsed.error));
      for (const issue of parsed.error.issues) collect(`${name} (issue)`, issue.message);
    }
  }
  return refused;
}

function walkTemplate(): number {
  let refused = 0;
  const attempt = (from: string, input: Record<string, unknown>) => {
    try {
      validatePoolParameters(input);
    } catch (err) {
      refused++;
      assert.equal((err as RpcError).code, ErrorCode.BadInput, from);
      collectError(from, err);
    }
  };
  const shape = shapeOf(poolParametersSchema) ?? {};
  for (const key of Object.keys(shape)) {
    for (const bad of badVariants(shape[key])) attempt(`pool ${key}`, validInput({ [key]: bad }));
  }
  // The cross-field rules, each broken once.
  const cases: Record<string, unknown>[] = [
    { minInstances: 5, maxInstances: 2 },
    { instanceCount: 9, minInstances: 1, maxInstances: 4 },
    { maxInstances: 101, singlePlacementGroup: true },
    { maxInstances: 1001, singlePlacementGroup: false },
    { natFrontendPortStart: 65_500 },
    { allowedSourceCidrs: ['0.0.0.0/0'] },
    { allowedSourceCidrs: ['2001:db8::/32', '10.0.0.5/24', 'nonsense'] },
    { storageAccountName: 'teamstore' },
    { fileShareName: 'notebooks', storageAccountName: 'teamstore' },
    { createStorage: true, shareQuotaGiB: 5, agentBundleUri: 'https://x/y', storageSku: 'x' },
    {
      storageAccountName: 'a1b2c3',
      fileShareName: 'team',
      createStorage: true,
      storageResourceGroup: 'rg',
    },
    {
      storageAccountName: 'a1b2c3',
      fileShareName: 'team',
      createStorage: false,
      storageSku: 'Standard_LRS',
      shareQuotaGiB: 5,
    },
    { sshPublicKey: publicKey('rsa-1024') },
    { sshPublicKey: publicKey('ecdsa-256') },
    { adminPassword: 'hunter2' },
    { storageAccountKey: 'abc' },
    {
      image: {
        publisher: 'x y',
        offer: '',
        sku: '',
        plan: { name: '', publisher: '', product: '' },
      },
    },
  ];
  for (const c of cases) attempt(`pool ${Object.keys(c).join('+')}`, validInput(c));
  // Warnings on parameters that pass.
  const warned = [
    validInput({
      allowedSourceCidrs: ['0.0.0.0/0'],
      allowInternetSsh: true,
      location: 'marsnorth',
    }),
    validInput({ allowedSourceCidrs: ['10.0.0.0/8'], minInstances: 0 }),
    validInput({ storageAccountName: 'teamstore', fileShareName: 'team' }),
  ];
  for (const input of warned) {
    try {
      for (const w of poolParameterWarnings(validatePoolParameters(input)))
        collect('pool warning', w);
    } catch (err) {
      collectError('pool warning input', err);
    }
  }
  return refused;
}

function baseSettings(): AutoscaleSettings {
  return {
    revision: 'r1',
    exists: true,
    name: 'pool-autoscale',
    resourceGroup: 'rg',
    enabled: true,
    defaultProfile: {
      name: 'default',
      capacity: { minimum: 0, default: 0, maximum: 4 },
      rules: [cpuRule('Increase'), cpuRule('Decrease')],
    },
    schedules: [
      {
        name: 'Weekdays',
        days: ['Monday', 'Tuesday'],
        start: '08:00',
        end: '19:00',
        timeZone: 'UTC',
        capacity: { minimum: 2, default: 2, maximum: 4 },
        rules: [cpuRule('Increase')],
      },
    ],
    fixedDates: [
      {
        name: 'Deadline',
        start: '2025-12-01T08:00:00',
        end: '2025-12-05T19:00:00',
        capacity: { minimum: 1, default: 1, maximum: 4 },
        rules: [],
      },
    ],
    kept: [],
  };
}

function walkAutoscale(): number {
  let found = 0;
  const variants: Array<(s: AutoscaleSettings) => void> = [
    (s) => (s.defaultProfile.capacity = { minimum: 3, default: 1, maximum: 2 }),
    (s) => (s.defaultProfile.capacity = { minimum: -1, default: 1.5, maximum: 1001 }),
    (s) => (s.schedules[0]!.capacity = { minimum: 1, default: 5, maximum: 4 }),
    (s) =>
      Object.assign(s.schedules[0]!, {
        start: '8am',
        end: '25:00',
        days: [],
        timeZone: 'Mars/Base',
      }),
    (s) => Object.assign(s.schedules[0]!, { start: '08:00', end: '07:00' }),
    (s) => Object.assign(s.schedules[0]!, { start: '08:00', end: '08:00' }),
    (s) => Object.assign(s.schedules[0]!, { name: ' ' }),
    (s) => Object.assign(s.schedules[0]!, { name: 'default' }),
    (s) => Object.assign(s.schedules[0]!, { name: 'Night\u202Eshift' }),
    (s) => Object.assign(s.schedules[0]!, { name: '{"name":"x"}' }),
    (s) => Object.assign(s.fixedDates[0]!, { start: 'soon', end: 'later', timeZone: 'Nowhere' }),
    (s) => Object.assign(s.fixedDates[0]!, { end: '2025-11-01T08:00:00' }),
    (s) =>
      (s.defaultProfile.rules[0] = {
        ...s.defaultProfile.rules[0]!,
        metricName: '',
        metricNamespace: 'has spaces',
        threshold: Number.NaN,
        timeGrain: 'PT1S',
        timeWindow: 'P30D',
        cooldown: 'soon',
        value: 0,
      }),
    (s) =>
      (s.defaultProfile.rules[0] = {
        ...s.defaultProfile.rules[0]!,
        changeType: 'PercentChangeCount',
        value: 2000,
      }),
    (s) => (s.defaultProfile.rules = Array.from({ length: 11 }, () => cpuRule('Increase'))),
    (s) =>
      (s.schedules = Array.from({ length: 12 }, (_, i) => ({ ...s.schedules[0]!, name: `S${i}` }))),
  ];
  for (const change of variants) {
    const settings = baseSettings();
    change(settings);
    const problems = autoscaleProblems(settings);
    found += problems.length;
    const draft = draftOf(settings);
    for (const p of problems) {
      collect('autoscale', p.message);
      collect('autoscale (where)', describePath(p.path.join('.'), draft));
    }
    const parsed = autoscaleSettingsSchema.safeParse(settings);
    if (!parsed.success)
      collect('autoscale (contract)', describeIssues('azure.setAutoscale', parsed.error));
  }
  // The editor's own reading of what was typed.
  const draft = draftOf(baseSettings());
  draft.capacity = { minimum: 'two', default: '', maximum: '-1' };
  draft.schedules[0]!.end = '07:00';
  draft.schedules[0]!.name = 'a\u200Bb';
  draft.rules[0] = {
    ...draft.rules[0]!,
    threshold: 'high',
    value: '1.5',
    timeWindow: { ...draft.rules[0]!.timeWindow, minutes: '0' },
  };
  const { errors } = settingsOf(draft);
  found += Object.keys(errors).length;
  for (const [path, message] of Object.entries(errors)) {
    collect('autoscale editor', message);
    collect('autoscale editor (where)', describePath(path, draft));
  }
  return found;
}

function walkUi(): number {
  let found = 0;
  // The wizard: its own checks, the app's errors as the steps show them.
  const blank = {
    ...emptyDraft(),
    poolName: ' ',
    location: '',
    sshPublicKey: '',
    adminUsername: '',
  };
  const local = localErrors({ ...blank, resourceGroupMode: 'existing' }, 4);
  found += Object.keys(local).length;
  for (const m of Object.values(local)) collect('wizard', m);
  try {
    validatePoolParameters({
      ...draftParameters({
        ...blank,
        instanceCount: 'many',
        allowedSourceCidrs: '0.0.0.0/0 10.0.0.0/8',
      }),
      createStorage: true,
      singlePlacementGroup: 'yes',
    });
  } catch (err) {
    const byField = fieldErrors(RpcError.from(err));
    for (const field of Object.keys(byField))
      collect('wizard field', errorFor(byField, field.split('.')[0]!));
    for (const step of ['basics', 'machines', 'access', 'storage', 'review'] as const) {
      for (const line of unshownErrors(byField, step)) collect(`wizard ${step} list`, line);
    }
  }
  // Pools of SSH hosts.
  const rows = [
    {
      ...emptyRow(),
      name: 'a\u202Eb',
      address: 'a b',
      port: 'x',
      user: '9bad',
      keyPath: 'k\u0007',
    },
    { ...emptyRow(), name: '', address: '', port: '70000', user: '' },
    { ...emptyRow(), name: 'same', address: 'h', port: '22', user: 'me' },
    {
      ...emptyRow(),
      name: 'same',
      address: 'h',
      port: '22',
      user: 'me',
      keyPath: 'x'.repeat(5000),
    },
  ];
  for (const name of ['', 'x'.repeat(100), 'lab\u202Egpu']) {
    const errors = validateSshPool(name, rows);
    found += Object.keys(errors).length;
    for (const m of Object.values(errors)) collect('ssh-hosts editor', m);
  }
  collect('ssh-hosts editor', validateSshPool('x', []).hosts);
  // Team, Scale…, forwards.
  for (const name of ['', 'Bad Name', 'root', 'azureuser', 'a\u200Bb']) {
    collect('team', memberNameError(name, ['azureuser']));
    try {
      parseMember({ name, sshKeys: ['ssh-rsa AAAA'] }, ['azureuser']);
    } catch (err) {
      collectError('team (app)', err);
    }
  }
  const limit = capacityLimit({ singlePlacementGroup: true }, {
    inboundNatRules: [
      { frontendPortRangeStart: 50000, frontendPortRangeEnd: 50049, backendAddressPool: {} },
    ],
    outboundRules: [{ allocatedOutboundPorts: 2048, frontendIPConfigurations: [{}] }],
  } as never);
  const autoscale = { enabled: true, minimum: 1, maximum: 4 };
  for (const text of ['', 'x', '-1', '500', '2000', '10', '0']) {
    const check = checkScale(text, limit, autoscale);
    collect('scale', check.error);
    collect('scale', check.warning);
  }
  collect('scale', capacityLimitProblem(150, limit));
  collect('scale (app)', capacityProblem('team', 150, limit));
  collect('scale', autoscaleConflict(0, autoscale));
  for (const text of ['x', '0', '70000']) collect('port', parsePort(text, 'The remote port').error);
  return found;
}

describe('every validation message speaks the UI’s words', () => {
  test('the key lists hold the camelCase names to look for', () => {
    for (const key of [
      'remoteHost',
      'maxInstances',
      'allowInternetSsh',
      'allowedSourceCidrs',
      'createStorage',
      'poolId',
      'timeZone',
      'sshKeys',
    ]) {
      assert.ok(CAMEL.includes(key), key);
    }
  });

  test('bad input everywhere produces messages, none with a raw parameter name', () => {
    assert.ok(walkContract() > 500, 'the contract refused the bad inputs');
    assert.ok(walkTemplate() > 100, 'the template validation refused the bad parameters');
    assert.ok(walkAutoscale() > 20, 'autoscale validation found the problems');
    assert.ok(walkUi() > 20, "the UI's checks found the problems");
    const raw = new RegExp(`\\b(${CAMEL.join('|')})\\b`);
    const offenders = messages
      .filter((m) => raw.test(m.text))
      .map((m) => `${m.from}: ${raw.exec(m.text)![1]} in “${m.text}”`);
    assert.deepEqual([...new Set(offenders)].slice(0, 30), []);
    assert.ok(messages.length > 1000, `${messages.length} messages walked`);
  });
});
