// Shared fixtures for the autoscale tests: the setting resources/templates/pool.json deploys, a
// portal-made one with everything the model does not show, and helpers to compare reads.
import type { AutoscaleSchedule, AutoscaleSettings } from '../../../../../src/common/models';
import type { RawAutoscaleSetting } from '../../../../../src/core/azure/autoscale/autoscale-json';
import { readAutoscale } from '../../../../../src/core/azure/autoscale/autoscale-model';

export const SUB = '00000000-0000-0000-0000-000000000001';
export const VMSS = `/subscriptions/${SUB}/resourceGroups/rg-team/providers/Microsoft.Compute/virtualMachineScaleSets/team`;
export const TARGET = { resourceGroup: 'rg-team', autoscaleName: 'team-autoscale' };
export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'] as const;
export const PORTAL_DEFAULT = 'Auto created default scale condition';
export const WEBHOOK = 'https://hooks.example.com/scale?sig=SECRET-TOKEN-123';

export function cpuRule(direction: 'Increase' | 'Decrease', extra: Record<string, unknown> = {}) {
  return {
    metricTrigger: {
      metricName: 'Percentage CPU',
      metricNamespace: 'microsoft.compute/virtualmachinescalesets',
      metricResourceUri: VMSS,
      timeGrain: 'PT1M',
      statistic: 'Average',
      timeWindow: direction === 'Increase' ? 'PT10M' : 'PT30M',
      timeAggregation: 'Average',
      operator: direction === 'Increase' ? 'GreaterThan' : 'LessThan',
      threshold: direction === 'Increase' ? 75 : 20,
      dividePerInstance: false,
      ...extra,
    },
    scaleAction: { direction, type: 'ChangeCount', value: '1', cooldown: 'PT10M' },
  };
}

/** What resources/templates/pool.json deploys (as ARM returns it). */
export function templateSetting(): RawAutoscaleSetting {
  return {
    id: `/subscriptions/${SUB}/resourceGroups/rg-team/providers/microsoft.insights/autoscalesettings/team-autoscale`,
    name: 'team-autoscale',
    type: 'Microsoft.Insights/autoscaleSettings',
    location: 'westeurope',
    tags: { 'dsvm-pool': 'team', 'dsvm-pool-template': '1.0.0' },
    properties: {
      name: 'team-autoscale',
      enabled: true,
      targetResourceUri: VMSS,
      profiles: [
        {
          name: 'default',
          capacity: { minimum: '0', maximum: '4', default: '2' },
          rules: [cpuRule('Increase'), cpuRule('Decrease')],
        },
      ],
      notifications: [],
      predictiveAutoscalePolicy: { scaleMode: 'Disabled' },
    },
  };
}

/**
 * As the portal saves "weekdays 08–19 min 2, else 0": a default condition, the "Weekdays"
 * profile at 08:00 and the JSON-named profile that ends it at 19:00, plus what the model does not
 * show: notifications with a secret-bearing webhook, predictive autoscale, a rule dimension, a
 * Count-statistic rule, a profile starting twice a day and fields from a future api-version.
 */
export function portalSetting(): RawAutoscaleSetting {
  const weekly = (hour: number) => ({
    frequency: 'Week',
    schedule: {
      timeZone: 'W. Europe Standard Time',
      days: [...WEEKDAYS],
      hours: [hour],
      minutes: [0],
    },
  });
  const defaultRules = [
    cpuRule('Increase', {
      dimensions: [{ DimensionName: 'VMName', Operator: 'Equals', Values: ['team_0'] }],
    }),
    cpuRule('Decrease'),
  ];
  return {
    id: `/subscriptions/${SUB}/resourceGroups/ops-rg/providers/microsoft.insights/autoscalesettings/team-Autoscale-512`,
    name: 'team-Autoscale-512',
    type: 'Microsoft.Insights/autoscaleSettings',
    location: 'West Europe',
    tags: { owner: 'ops' },
    properties: {
      name: 'team-Autoscale-512',
      enabled: true,
      targetResourceUri: VMSS,
      targetResourceLocation: 'westeurope',
      futureField: { keep: 'me' },
      profiles: [
        {
          name: PORTAL_DEFAULT,
          capacity: { minimum: '0', maximum: '4', default: '0' },
          rules: defaultRules,
        },
        {
          name: 'Weekdays',
          capacity: { minimum: '2', maximum: '4', default: '2' },
          rules: [
            cpuRule('Increase'),
            cpuRule('Decrease'),
            {
              metricTrigger: { ...cpuRule('Increase').metricTrigger, statistic: 'Count' },
              scaleAction: cpuRule('Increase').scaleAction,
            },
          ],
          recurrence: weekly(8),
          portalOnly: true,
        },
        {
          name: `{"name":"${PORTAL_DEFAULT}","for":"Weekdays"}`,
          capacity: { minimum: '0', maximum: '4', default: '0' },
          rules: defaultRules,
          recurrence: weekly(19),
        },
        {
          name: 'Lunch peaks',
          capacity: { minimum: '3', maximum: '4', default: '3' },
          rules: [],
          recurrence: {
            frequency: 'Week',
            schedule: { timeZone: 'UTC', days: ['Monday'], hours: [11, 13], minutes: [30] },
          },
        },
      ],
      notifications: [
        {
          operation: 'Scale',
          email: {
            sendToSubscriptionAdministrator: true,
            sendToSubscriptionCoAdministrators: false,
            customEmails: ['ops@example.com'],
          },
          webhooks: [{ serviceUri: WEBHOOK, properties: {} }],
        },
      ],
      predictiveAutoscalePolicy: { scaleMode: 'ForecastOnly', scaleLookAheadTime: 'PT14M' },
    },
  };
}

/** The PUT body a no-op save must produce: the setting as read, less what ARM sets. */
export function asPut(raw: RawAutoscaleSetting): RawAutoscaleSetting {
  const { id: _id, name: _name, type: _type, ...rest } = structuredClone(raw);
  return rest;
}

export function profiles(body: RawAutoscaleSetting): Array<Record<string, unknown>> {
  return (body.properties as { profiles: Array<Record<string, unknown>> }).profiles;
}

export const read = (raw: RawAutoscaleSetting, rg = 'rg-team') => readAutoscale(raw, rg);

export function weekdaySchedule(): AutoscaleSchedule {
  return {
    name: 'Weekdays',
    days: [...WEEKDAYS],
    start: '08:00',
    end: '19:00',
    timeZone: 'W. Europe Standard Time',
    capacity: { minimum: 2, default: 2, maximum: 4 },
    rules: [],
  };
}

/** A model without the parts that identify where it came from, for comparing two reads. */
export function shape(settings: AutoscaleSettings): unknown {
  return JSON.parse(
    JSON.stringify(settings, (key, value: unknown) =>
      key === 'ref' || key === 'revision' ? undefined : value,
    ),
  );
}
