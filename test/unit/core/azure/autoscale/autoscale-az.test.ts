// The az equivalents of an autoscale save, checked by shape: the argv a shell makes of each line
// (here-document included), JSON bodies that parse and give back the model saved, and no secret
// (the portal setting's webhook) anywhere in a command.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import type { AutoscaleSettings, AzCommand } from '../../../../../src/common/models';
import { autoscaleAz } from '../../../../../src/core/azure/autoscale/autoscale-az';
import type { RawAutoscaleSetting } from '../../../../../src/core/azure/autoscale/autoscale-json';
import { readAutoscale } from '../../../../../src/core/azure/autoscale/autoscale-model';
import { writeAutoscale } from '../../../../../src/core/azure/autoscale/autoscale-write';
import {
  SUB,
  TARGET,
  VMSS,
  portalSetting,
  read,
  shape,
  templateSetting,
  weekdaySchedule,
} from './autoscale-fixtures';

const CONTEXT = { targetResourceUri: VMSS };
const PORTAL = { ...TARGET, resourceGroup: 'ops-rg', autoscaleName: 'team-Autoscale-512' };
const SETTING_URL = `/subscriptions/${SUB}/resourceGroups/rg-team/providers/Microsoft.Insights/autoscalesettings/team-autoscale?api-version=2022-10-01`;

/** What a POSIX shell runs for a line: argv and standard input, through an `az` stand-in. */
function run(line: string): { argv: string[]; stdin: string } {
  const script = `az() { printf '%s\\0' "$@"; printf '\\1'; cat; }\n${line}\n`;
  const out = execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
  const [argv, stdin] = out.split('\u0001');
  return { argv: ['az', ...argv.split('\0').slice(0, -1)], stdin: stdin.replace(/\n$/, '') };
}

/** The one command, its shell line run: the same argv, and the stdin it declares. */
function only(az: AzCommand[]): AzCommand {
  assert.equal(az.length, 1, az.map((c) => c.shell).join('\n'));
  const ran = run(az[0].shell);
  assert.deepEqual(ran.argv, az[0].args);
  assert.equal(ran.stdin, az[0].stdin ?? '');
  return az[0];
}

/** The setting after a PATCH (properties merged), as ARM would store it. */
function patched(raw: RawAutoscaleSetting, body: { properties: Record<string, unknown> }) {
  return { ...raw, properties: { ...raw.properties, ...body.properties } };
}

describe('az equivalents of a save', () => {
  test('nothing changed: no command', () => {
    const base = read(portalSetting(), 'ops-rg');
    assert.deepEqual(autoscaleAz(PORTAL, base, base.settings, CONTEXT), []);
  });

  test('autoscale off: az monitor autoscale update --enabled false', () => {
    const base = read(templateSetting());
    const next = { ...structuredClone(base.settings), enabled: false };
    const c = only(autoscaleAz({ ...TARGET, subscription: SUB }, base, next, CONTEXT));
    assert.equal(
      c.shell,
      `az monitor autoscale update --resource-group rg-team --subscription ${SUB} --name team-autoscale --enabled false`,
    );
  });

  test('new default bounds: az monitor autoscale update, when it changes exactly what the app does', () => {
    const base = read(portalSetting(), 'ops-rg');
    const next = structuredClone(base.settings);
    next.defaultProfile.capacity = { minimum: 1, default: 1, maximum: 5 };
    const c = only(autoscaleAz(PORTAL, base, next, CONTEXT));
    assert.equal(
      c.shell,
      'az monitor autoscale update --resource-group ops-rg --name team-Autoscale-512 --min-count 1 --max-count 5 --count 1',
    );
  });

  test('new default bounds while an end profile returns elsewhere: az update would refuse, so az rest', () => {
    const raw = portalSetting();
    const end = (raw.properties!.profiles as Array<Record<string, unknown>>)[2];
    end.capacity = { minimum: '1', maximum: '4', default: '1' };
    const base = read(raw, 'ops-rg');
    const next = structuredClone(base.settings);
    next.defaultProfile.capacity = { minimum: 0, default: 0, maximum: 5 };
    const c = only(autoscaleAz(PORTAL, base, next, CONTEXT));
    assert.equal(c.args[1], 'rest');
  });

  test('a schedule without an end (az profile create would crash: KeyError end): az rest --method patch of the profiles', () => {
    const raw = templateSetting();
    const base = read(raw);
    const next = structuredClone(base.settings);
    next.schedules.push({ ...weekdaySchedule(), end: undefined, rules: next.defaultProfile.rules });
    const c = only(autoscaleAz({ ...TARGET, subscription: SUB }, base, next, CONTEXT));
    assert.deepEqual(c.args, [
      'az',
      'rest',
      '--method',
      'patch',
      '--url',
      SETTING_URL,
      '--body',
      '@-',
    ]);
    assert.match(c.shell, /--body @- <<'JSON'\n\{\n {2}"properties": \{/);
    const body = JSON.parse(c.stdin!) as { properties: Record<string, unknown> };
    assert.deepEqual(Object.keys(body.properties).sort(), ['enabled', 'profiles']);
    assert.deepEqual(
      body.properties.profiles,
      writeAutoscale(raw, next, CONTEXT).properties!.profiles,
      'the profiles the app itself writes',
    );
    const after = readAutoscale(patched(raw, body), 'rg-team');
    assert.deepEqual(
      shape(after.settings),
      shape(next),
      'applied, it reads back as the model saved',
    );
  });

  test('the portal setting with a moved schedule and a new rule: no secret in the command', () => {
    const raw = portalSetting();
    const base = read(raw, 'ops-rg');
    const next = structuredClone(base.settings);
    next.schedules[0].start = '07:00';
    next.defaultProfile.rules.push({
      ...next.defaultProfile.rules[1],
      ref: undefined,
      threshold: 5,
    });
    const c = only(autoscaleAz(PORTAL, base, next, CONTEXT));
    assert.match(
      c.args[5],
      /^\/subscriptions\/\{subscriptionId\}\/resourceGroups\/ops-rg\/.*\/team-Autoscale-512\?/,
    );
    for (const text of [c.shell, c.stdin!, c.summary]) {
      assert.doesNotMatch(text, /SECRET|hooks\.example|ops@example/);
    }
    const body = JSON.parse(c.stdin!) as { properties: Record<string, unknown> };
    assert.deepEqual(Object.keys(body.properties).sort(), ['enabled', 'profiles']);
    const after = readAutoscale(patched(raw, body), 'ops-rg');
    assert.deepEqual(shape(after.settings), shape(next));
    assert.deepEqual(after.raw.properties!.notifications, raw.properties!.notifications);
    assert.deepEqual(
      (after.raw.properties!.profiles as Array<{ name: string }>).map((p) => p.name),
      (raw.properties!.profiles as Array<{ name: string }>).map((p) => p.name),
      'portal-made names kept',
    );
  });

  test('a pool without a setting: az rest --method put of the whole setting the app creates', () => {
    const next: AutoscaleSettings = {
      ...read(templateSetting()).settings,
      revision: '',
      exists: false,
      schedules: [weekdaySchedule()],
    };
    const context = { ...CONTEXT, location: 'westeurope', tags: { 'dsvm-pool': 'team' } };
    const c = only(autoscaleAz(TARGET, undefined, next, context));
    assert.deepEqual(c.args.slice(0, 4), ['az', 'rest', '--method', 'put']);
    const body = JSON.parse(c.stdin!) as RawAutoscaleSetting;
    assert.deepEqual(body, writeAutoscale(undefined, next, context));
    assert.equal(body.location, 'westeurope');
    const after = readAutoscale({ ...body, name: 'team-autoscale' }, 'rg-team');
    assert.deepEqual(shape(after.settings), shape({ ...next, exists: true }));
  });
});
