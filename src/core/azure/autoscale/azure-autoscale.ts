// A pool's autoscale setting: found by the scale set it targets (the template's `<pool>-autoscale`
// or one an admin made in the portal), read into the plain model the admin view edits, checked,
// previewed as `az monitor autoscale …` commands, and written back whole, keeping what it does not show.
//
// Reads and writes go through the MonitorClient's own pipeline (sign-in, retries, throttling
// limits) as plain JSON at api-version 2022-10-01. Not `autoscaleSettings.createOrUpdate`:
// @azure/arm-monitor 7 speaks api-version 2015-04-01 and serializes only its 2015 model, so a
// PUT through it drops `predictiveAutoscalePolicy` and any field newer than 2015.
import { RestError, createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { ErrorCode, RpcError } from '../../../common/errors';
import type {
  AutoscalePreview,
  AutoscaleProblem,
  AutoscaleSettings,
  AutoscaleView,
  AzCommand,
} from '../../../common/models';
import { type AutoscaleTarget, azAutoscaleShowSetting } from './autoscale-az-commands';
import { autoscaleAz } from './autoscale-az';
import {
  AUTOSCALE_API_VERSION,
  type RawAutoscaleSetting,
  autoscaleRevision,
  canonical,
} from './autoscale-json';
import { type AutoscaleRead, newAutoscaleSettings, readAutoscale } from './autoscale-model';
import { type WriteContext, putBody, writeAutoscale } from './autoscale-write';
import { autoscaleNotes } from './autoscale-notes';
import { sortedAutoscaleTimeZones } from './autoscale-time-zones';
import { autoscaleProblems } from './autoscale-validation';
import { autoscaleWakeWarnings } from './autoscale-wake-validation';
import {
  type AzureClients,
  type AzurePoolRef,
  describeAzureFailure,
  translateAzureError,
} from '../arm/index';
import { poolResourceNames } from '../template/index';

export { AUTOSCALE_API_VERSION } from './autoscale-json';

/** A stored setting and where it lives (a portal-made one may sit in another resource group). */
export interface StoredAutoscale {
  resourceGroup: string;
  name: string;
  raw: RawAutoscaleSetting;
}

/** Bases of recent reads by pool and revision, so a preview need not read Azure on every keystroke. */
const recentReads = new Map<string, AutoscaleRead | null>();
const RECENT_READS = 32;

function remember(pool: AzurePoolRef, revision: string, read: AutoscaleRead | undefined): void {
  const key = `${poolKey(pool)}|${revision}`;
  recentReads.delete(key);
  recentReads.set(key, read ?? null);
  while (recentReads.size > RECENT_READS) recentReads.delete(recentReads.keys().next().value!);
}

function recall(pool: AzurePoolRef, revision: string): AutoscaleRead | null | undefined {
  return recentReads.get(`${poolKey(pool)}|${revision}`);
}

/** Scale sets' locations by pool: a new setting's az preview needs one, without a read per keystroke. */
const knownLocations = new Map<string, string>();

export class AzureAutoscale {
  constructor(
    private readonly clients: AzureClients,
    private readonly pool: AzurePoolRef,
    /** Tags of a setting the app creates (a pool whose setting was deleted), e.g. the pool tag. */
    private readonly newSettingTags: Record<string, string> = {},
  ) {}

  /** The ARM id of the pool's scale set, which its autoscale setting targets. */
  get scaleSetId(): string {
    const { subscriptionId, resourceGroup, poolName } = this.pool;
    return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/virtualMachineScaleSets/${poolResourceNames(poolName).vmss}`;
  }

  /**
   * The setting that targets the pool's scale set: `<pool>-autoscale` in the pool's group when it
   * does, else the first in that group that does, else the first in the subscription.
   */
  async find(): Promise<StoredAutoscale | undefined> {
    const target = this.scaleSetId.toLowerCase();
    const targets = (raw: RawAutoscaleSetting) =>
      String(obj(raw.properties).targetResourceUri ?? '')
        .replace(/\/+$/, '')
        .toLowerCase() === target;
    const stored = (raw: RawAutoscaleSetting, fallbackGroup: string): StoredAutoscale => ({
      resourceGroup: resourceGroupOfId(raw.id ?? '') || fallbackGroup,
      name: raw.name ?? String(obj(raw.properties).name ?? ''),
      raw,
    });
    const rg = this.pool.resourceGroup;
    const ours = poolResourceNames(this.pool.poolName).autoscale;
    try {
      const raw = (await this.request(
        'GET',
        settingPath(this.pool.subscriptionId, rg, ours),
      )) as RawAutoscaleSetting;
      if (targets(raw)) return stored(raw, rg);
    } catch (err) {
      if (describeAzureFailure(err).status !== 404) throw err;
    }
    const groupPath = `/subscriptions/${encodeURIComponent(this.pool.subscriptionId)}/resourceGroups/${encodeURIComponent(rg)}/providers/Microsoft.Insights/autoscalesettings`;
    for await (const raw of this.list(groupPath)) if (targets(raw)) return stored(raw, rg);
    const subPath = `/subscriptions/${encodeURIComponent(this.pool.subscriptionId)}/providers/Microsoft.Insights/autoscalesettings`;
    for await (const raw of this.list(subPath)) if (targets(raw)) return stored(raw, rg);
    return undefined;
  }

  /** The setting as the admin view shows it; a pool without one gets what saving would create. */
  async view(): Promise<AutoscaleView> {
    const { stored, read } = await this.readCurrent(
      `read the autoscale setting of pool ${this.pool.poolName}`,
    );
    if (!stored || !read) {
      const capacity = await this.scaleSetCapacity().catch(() => 0);
      const settings = newAutoscaleSettings(
        poolResourceNames(this.pool.poolName).autoscale,
        this.pool.resourceGroup,
        capacity,
      );
      return {
        settings,
        notes: [
          `Pool ${this.pool.poolName} has no autoscale setting: saving creates ${settings.name}, off until you turn it on.`,
          ...autoscaleNotes(settings),
        ],
        warnings: autoscaleWakeWarnings(settings),
        az: [],
        timeZones: sortedAutoscaleTimeZones(),
      };
    }
    return this.viewOf(stored, read);
  }

  /** Problems, notes and az commands of an edited setting, against the stored one it came from. */
  async preview(settings: AutoscaleSettings): Promise<AutoscalePreview> {
    let base = recall(this.pool, settings.revision);
    const problems: AutoscaleProblem[] = [];
    let stored: StoredAutoscale | undefined;
    if (base === undefined) {
      const current = await this.readCurrent(
        `read the autoscale setting of pool ${this.pool.poolName}`,
      );
      stored = current.stored;
      base = current.read ?? null;
      if (current.revision !== settings.revision) problems.push(staleProblem());
    }
    problems.push(...autoscaleProblems(settings, base ?? undefined));
    const context = await this.writeContext(base ?? undefined).catch(() => undefined);
    const az =
      problems.length === 0 && context
        ? azOrNone(() =>
            autoscaleAz(
              this.azTarget(stored, base ?? undefined, settings),
              base ?? undefined,
              settings,
              context,
            ),
          )
        : [];
    return {
      problems,
      notes: autoscaleNotes(settings),
      warnings: autoscaleWakeWarnings(settings),
      az,
      changed: !base || az.length > 0 || base.settings.enabled !== settings.enabled,
    };
  }

  /** The az commands of a save, if the stored setting was read recently (else none yet). */
  plannedAz(settings: AutoscaleSettings): AzCommand[] {
    const base = recall(this.pool, settings.revision);
    if (base === undefined || autoscaleProblems(settings, base ?? undefined).length) return [];
    const location = knownLocations.get(poolKey(this.pool));
    if (!base && !location) return []; // the save reports them once it knows the location
    const context = base ? this.contextOf(base) : this.newContext(location!);
    return azOrNone(() =>
      autoscaleAz(
        this.azTarget(undefined, base ?? undefined, settings),
        base ?? undefined,
        settings,
        context,
      ),
    );
  }

  /**
   * Checks what can be checked without Azure (against a recent read): a refusal comes back at
   * once, with the fields, instead of as a failed operation.
   */
  check(settings: AutoscaleSettings): void {
    const base = recall(this.pool, settings.revision);
    if (base === undefined) return;
    const problems = autoscaleProblems(settings, base ?? undefined);
    if (problems.length) throw badSettings(problems);
  }

  /**
   * Saves `settings`: reads the stored setting again, refuses if it changed since `settings` was
   * read, checks, and PUTs the whole setting with only the edited parts changed.
   */
  async save(
    settings: AutoscaleSettings,
    report: { progress(text: string): void; setAz(az: AzCommand[]): void },
  ): Promise<AutoscaleView> {
    report.progress('Reading the autoscale setting…');
    const stored = await this.find();
    const revision = stored ? autoscaleRevision(stored.raw) : '';
    if (revision !== settings.revision) {
      const stale = staleProblem();
      throw new RpcError(ErrorCode.BadInput, stale.message, [stale]);
    }
    const read = stored ? readAutoscale(stored.raw, stored.resourceGroup) : undefined;
    remember(this.pool, revision, read);
    const problems = autoscaleProblems(settings, read);
    if (problems.length) throw badSettings(problems);
    const context = await this.writeContext(read);
    report.setAz(
      azOrNone(() => autoscaleAz(this.azTarget(stored, read, settings), read, settings, context)),
    );

    const resourceGroup = stored?.resourceGroup ?? this.pool.resourceGroup;
    const name = stored?.name ?? poolResourceNames(this.pool.poolName).autoscale;
    const body = writeAutoscale(stored?.raw, settings, context);
    if (stored && canonical(body) === canonical(putBody(stored.raw))) {
      report.progress(`Nothing changed in ${name}.`);
      return this.viewOf(stored, read!);
    }
    const profiles = (obj(body.properties).profiles as unknown[]).length;
    report.progress(
      `${stored ? 'Saving' : 'Creating'} autoscale setting ${name} (${profiles} profile${profiles === 1 ? '' : 's'}, autoscale ${settings.enabled ? 'on' : 'off'})…`,
    );
    const path = settingPath(this.pool.subscriptionId, resourceGroup, name);
    await this.request('PUT', path, body);
    // Read back, so the revision is the one a later read finds (a PUT's answer may differ).
    const saved = (await this.request('GET', path)) as RawAutoscaleSetting;
    const after: StoredAutoscale = { resourceGroup, name: saved.name ?? name, raw: saved };
    const afterRead = readAutoscale(saved, resourceGroup);
    remember(this.pool, afterRead.settings.revision, afterRead);
    report.progress(`Saved autoscale setting ${after.name}.`);
    return this.viewOf(after, afterRead);
  }

  // --- internals ---------------------------------------------------------------------------

  private async readCurrent(action: string): Promise<{
    stored?: StoredAutoscale;
    read?: AutoscaleRead;
    revision: string;
  }> {
    let stored: StoredAutoscale | undefined;
    try {
      stored = await this.find();
    } catch (err) {
      throw translateAzureError(err, {
        action,
        scope: `resource group ${this.pool.resourceGroup}`,
      });
    }
    const read = stored ? readAutoscale(stored.raw, stored.resourceGroup) : undefined;
    const revision = read?.settings.revision ?? '';
    remember(this.pool, revision, read);
    return { stored, read, revision };
  }

  private viewOf(stored: StoredAutoscale, read: AutoscaleRead): AutoscaleView {
    return {
      settings: read.settings,
      notes: [...read.notes, ...autoscaleNotes(read.settings)],
      warnings: autoscaleWakeWarnings(read.settings),
      az: [azAutoscaleShowSetting(this.target(stored.resourceGroup, stored.name))],
      timeZones: sortedAutoscaleTimeZones(),
    };
  }

  /** What writing needs besides the model: the target, and for a new setting location and tags. */
  private async writeContext(base: AutoscaleRead | undefined): Promise<WriteContext> {
    if (base) return this.contextOf(base);
    const key = poolKey(this.pool);
    const location = knownLocations.get(key) ?? (await this.scaleSetLocation());
    knownLocations.set(key, location);
    return this.newContext(location);
  }

  private contextOf(base: AutoscaleRead): WriteContext {
    return {
      targetResourceUri: String(obj(base.raw.properties).targetResourceUri ?? this.scaleSetId),
    };
  }

  private newContext(location: string): WriteContext {
    return { targetResourceUri: this.scaleSetId, location, tags: { ...this.newSettingTags } };
  }

  private target(resourceGroup: string, autoscaleName: string): AutoscaleTarget {
    return { resourceGroup, autoscaleName, subscription: this.pool.subscriptionId };
  }

  private azTarget(
    stored: StoredAutoscale | undefined,
    base: AutoscaleRead | undefined,
    settings: AutoscaleSettings,
  ): AutoscaleTarget {
    const resourceGroup =
      stored?.resourceGroup ?? base?.settings.resourceGroup ?? settings.resourceGroup;
    const name =
      stored?.name ?? base?.settings.name ?? poolResourceNames(this.pool.poolName).autoscale;
    return this.target(resourceGroup || this.pool.resourceGroup, name);
  }

  private async scaleSetCapacity(): Promise<number> {
    const vmss = await this.clients.compute.virtualMachineScaleSets.get(
      this.pool.resourceGroup,
      poolResourceNames(this.pool.poolName).vmss,
    );
    return vmss.sku?.capacity ?? 0;
  }

  private async scaleSetLocation(): Promise<string> {
    const vmss = await this.clients.compute.virtualMachineScaleSets.get(
      this.pool.resourceGroup,
      poolResourceNames(this.pool.poolName).vmss,
    );
    return vmss.location;
  }

  private async *list(path: string): AsyncGenerator<RawAutoscaleSetting> {
    let next: string | undefined = path;
    for (let page = 0; next && page < 100; page++) {
      const body = obj(await this.request('GET', next));
      for (const item of Array.isArray(body.value) ? body.value : []) {
        yield item as RawAutoscaleSetting;
      }
      next = typeof body.nextLink === 'string' && body.nextLink ? body.nextLink : undefined;
    }
  }

  /** One ARM request through the MonitorClient's pipeline; ARM errors become RestErrors. */
  private async request(
    method: 'GET' | 'PUT',
    pathOrUrl: string,
    body?: unknown,
  ): Promise<unknown> {
    const endpoint = this.clients.environment.resourceManagerEndpoint.replace(/\/+$/, '');
    const url = new URL(/^https?:\/\//i.test(pathOrUrl) ? pathOrUrl : `${endpoint}${pathOrUrl}`);
    if (!url.searchParams.has('api-version'))
      url.searchParams.set('api-version', AUTOSCALE_API_VERSION);
    const request = createPipelineRequest({
      url: url.toString(),
      method,
      headers: createHttpHeaders({
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const response = await this.clients.monitor.sendRequest(request);
    const text = response.bodyAsText ?? '';
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (response.status >= 400) {
      const error = obj(obj(parsed).error);
      const failure = new RestError(
        typeof error.message === 'string' && error.message
          ? error.message
          : `Azure answered HTTP ${response.status}`,
        {
          ...(typeof error.code === 'string' ? { code: error.code } : {}),
          statusCode: response.status,
          request,
          response,
        },
      );
      failure.details = parsed;
      throw failure;
    }
    return parsed;
  }
}

/** The az commands are a courtesy: a name az cannot take must not stop a save. */
function azOrNone(build: () => AzCommand[]): AzCommand[] {
  try {
    return build();
  } catch {
    return [];
  }
}

function staleProblem(): AutoscaleProblem {
  return {
    path: ['settings', 'revision'],
    message:
      'The autoscale setting changed in Azure since it was read (someone may have edited it in the portal). Reload it, then make the change again.',
  };
}

function badSettings(problems: AutoscaleProblem[]): RpcError {
  const shown = problems
    .slice(0, 3)
    .map((p) => `${p.path.slice(1).join('.')}: ${p.message}`)
    .join('; ');
  const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
  return new RpcError(
    ErrorCode.BadInput,
    `The autoscale setting cannot be saved: ${shown}${more}.`,
    problems,
  );
}

function settingPath(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${encodeURIComponent(subscriptionId)}/resourceGroups/${encodeURIComponent(resourceGroup)}/providers/Microsoft.Insights/autoscalesettings/${encodeURIComponent(name)}`;
}

function resourceGroupOfId(id: string): string {
  const m = /\/resourceGroups\/([^/]+)/i.exec(id);
  return m ? decodeURIComponent(m[1]) : '';
}

function poolKey(pool: AzurePoolRef): string {
  return `${pool.subscriptionId}/${pool.resourceGroup}/${pool.poolName}`.toLowerCase();
}

function obj(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
