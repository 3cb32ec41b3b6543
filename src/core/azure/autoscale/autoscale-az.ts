// The `az monitor autoscale …` commands that make the same change as a save: only what differs
// between the stored setting and the edited one (update, profile delete/create, rule delete/create).
import type {
  AutoscaleRule,
  AutoscaleSchedule,
  AutoscaleFixedDate,
  AutoscaleSettings,
  AzCommand,
} from '../../../common/models';
import {
  type AutoscaleTarget,
  type AzAutoscaleProfile,
  azAutoscaleCreate,
  azAutoscaleProfileCreate,
  azAutoscaleProfileDelete,
  azAutoscaleRuleCreate,
  azAutoscaleRuleDelete,
  azAutoscaleUpdateSetting,
} from './autoscale-az-commands';
import { same } from './autoscale-json';
import type { AutoscaleRead } from './autoscale-model';

/**
 * The commands from `base` (the stored setting as read; undefined when there is none yet) to
 * `next`. Empty when nothing changed. `resource` is the scale set's id, for `autoscale create`.
 */
export function autoscaleAz(
  target: AutoscaleTarget & { resource: string },
  base: AutoscaleRead | undefined,
  next: AutoscaleSettings,
): AzCommand[] {
  const t: AutoscaleTarget = {
    resourceGroup: target.resourceGroup,
    autoscaleName: target.autoscaleName,
    ...(target.subscription !== undefined ? { subscription: target.subscription } : {}),
  };
  const out: AzCommand[] = [];
  const def = next.defaultProfile;
  const counts = {
    minCount: def.capacity.minimum,
    maxCount: def.capacity.maximum,
    count: def.capacity.default,
  };
  const b = base?.settings;

  // 1. The setting and its default profile.
  if (!b) {
    out.push(azAutoscaleCreate({ ...t, resource: target.resource }, counts));
    if (!next.enabled) out.push(azAutoscaleUpdateSetting(t, { enabled: false }));
    for (const r of def.rules) out.push(azAutoscaleRuleCreate(t, def.name, r));
  } else {
    const capacityChanged = !same(b.defaultProfile.capacity, def.capacity);
    if (capacityChanged || b.enabled !== next.enabled) {
      out.push(
        azAutoscaleUpdateSetting(t, {
          ...(capacityChanged ? counts : {}),
          ...(b.enabled !== next.enabled ? { enabled: next.enabled } : {}),
        }),
      );
    }
    out.push(...ruleChanges(t, def.name, b.defaultProfile.rules, def.rules, base));
  }
  const defaultRulesChanged = !b || !same(b.defaultProfile.rules, def.rules);

  // 2. Schedules: removed, recreated when their window or capacity changed, else rules only.
  const nextRefs = new Set(next.schedules.map((s) => s.ref).filter(Boolean));
  for (const old of b?.schedules ?? []) {
    if (!nextRefs.has(old.ref)) out.push(azAutoscaleProfileDelete(t, old.name));
  }
  for (const s of next.schedules) {
    const old = s.ref ? b?.schedules.find((o) => o.ref === s.ref) : undefined;
    if (!old) {
      out.push(...createSchedule(t, s, next));
      continue;
    }
    if (!same(withoutRules(old), withoutRules(s))) {
      out.push(azAutoscaleProfileDelete(t, old.name), ...createSchedule(t, s, next));
      continue;
    }
    out.push(...ruleChanges(t, s.name, old.rules, s.rules, base));
    // The profile that ends it returns to the default: its rules follow the default's.
    const endName = base?.layout.schedules.find((e) => e.ref === s.ref)?.endName;
    if (defaultRulesChanged && s.end !== undefined && endName !== undefined) {
      out.push(azAutoscaleRuleDelete(t, endName, '*'));
      for (const r of def.rules) out.push(azAutoscaleRuleCreate(t, endName, r));
    }
  }

  // 3. Fixed dates.
  const nextFixed = new Set(next.fixedDates.map((f) => f.ref).filter(Boolean));
  for (const old of b?.fixedDates ?? []) {
    if (!nextFixed.has(old.ref)) out.push(azAutoscaleProfileDelete(t, old.name));
  }
  for (const f of next.fixedDates) {
    const old = f.ref ? b?.fixedDates.find((o) => o.ref === f.ref) : undefined;
    if (old && same(withoutRules(old), withoutRules(f))) {
      out.push(...ruleChanges(t, f.name, old.rules, f.rules, base));
      continue;
    }
    if (old) out.push(azAutoscaleProfileDelete(t, old.name));
    out.push(...createFixed(t, f, next));
  }
  return out;
}

function withoutRules<T extends { rules: AutoscaleRule[] }>(p: T): Omit<T, 'rules'> {
  const { rules: _rules, ...rest } = p;
  return rest;
}

function withoutRef(r: AutoscaleRule): Omit<AutoscaleRule, 'ref'> {
  const { ref: _ref, ...rest } = r;
  return rest;
}

/** Same rules, wherever they came from: a schedule can then copy the default's (`--copy-rules`). */
function sameRules(a: AutoscaleRule[], b: AutoscaleRule[]): boolean {
  return same(a.map(withoutRef), b.map(withoutRef));
}

/**
 * `rule delete --index` for stored rules removed or changed (their indices as `rule list` shows
 * them), then `rule create` for new and changed ones.
 */
function ruleChanges(
  t: AutoscaleTarget,
  profileName: string,
  before: AutoscaleRule[],
  after: AutoscaleRule[],
  base: AutoscaleRead | undefined,
): AzCommand[] {
  const afterByRef = new Map(after.filter((r) => r.ref).map((r) => [r.ref!, r]));
  const gone = before.filter((r) => {
    const now = r.ref ? afterByRef.get(r.ref) : undefined;
    return !now || !same(now, r);
  });
  const indices = gone.flatMap((r) => {
    const at = r.ref ? base?.layout.rules.get(r.ref) : undefined;
    return at ? [at[1]] : [];
  });
  const fresh = after.filter((r) => {
    const was = r.ref ? before.find((o) => o.ref === r.ref) : undefined;
    return !was || !same(was, r);
  });
  const out: AzCommand[] = [];
  if (indices.length) out.push(azAutoscaleRuleDelete(t, profileName, indices));
  for (const r of fresh) out.push(azAutoscaleRuleCreate(t, profileName, r));
  return out;
}

function createSchedule(
  t: AutoscaleTarget,
  s: AutoscaleSchedule,
  next: AutoscaleSettings,
): AzCommand[] {
  return createProfile(t, s, next, {
    timeZone: s.timeZone,
    recurrence: { days: s.days, start: s.start, ...(s.end !== undefined ? { end: s.end } : {}) },
  });
}

/** az reads fixed dates without an offset and applies `--timezone`. */
function azDateTime(text: string): string {
  const bare = text.replace(/(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i, '');
  return /T\d{2}:\d{2}$/.test(bare) ? `${bare}:00` : bare;
}

function createFixed(
  t: AutoscaleTarget,
  f: AutoscaleFixedDate,
  next: AutoscaleSettings,
): AzCommand[] {
  return createProfile(t, f, next, {
    timeZone: f.timeZone ?? 'UTC',
    fixed: { start: azDateTime(f.start), end: azDateTime(f.end) },
  });
}

/**
 * `az monitor autoscale profile create` for a schedule or fixed-date profile (`when`), copying
 * the default profile's rules when they are the same, else one `rule create` per rule.
 */
function createProfile(
  t: AutoscaleTarget,
  p: AutoscaleSchedule | AutoscaleFixedDate,
  next: AutoscaleSettings,
  when: Pick<AzAutoscaleProfile, 'timeZone' | 'recurrence' | 'fixed'>,
): AzCommand[] {
  const copy = p.rules.length > 0 && sameRules(p.rules, next.defaultProfile.rules);
  const out = [
    azAutoscaleProfileCreate(t, {
      name: p.name,
      minCount: p.capacity.minimum,
      maxCount: p.capacity.maximum,
      count: p.capacity.default,
      ...when,
      ...(copy ? { copyRules: next.defaultProfile.name } : {}),
    }),
  ];
  if (!copy) for (const r of p.rules) out.push(azAutoscaleRuleCreate(t, p.name, r));
  return out;
}
