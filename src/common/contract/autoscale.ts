// An autoscale setting as the admin view edits it (AutoscaleSettings in models.ts); core
// re-checks what needs Azure's context (time zones, profile counts) in
// src/core/azure/autoscale/autoscale-validation.ts.
import { z } from 'zod';
import { unsafeTextProblem } from '../user-text';

const instances = (what: string) => {
  const message = `${what} must be a whole number from 0 to 1000`;
  return z.number({ error: message }).int(message).min(0, message).max(1000, message);
};

const autoscaleCapacitySchema = z
  .object({
    minimum: instances('minimum'),
    default: instances('default'),
    maximum: instances('maximum'),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.minimum > c.maximum) {
      ctx.addIssue({
        code: 'custom',
        path: ['maximum'],
        message: `the maximum (${c.maximum}) must be at least the minimum (${c.minimum})`,
      });
    } else if (c.default < c.minimum || c.default > c.maximum) {
      ctx.addIssue({
        code: 'custom',
        path: ['default'],
        message: `the default (${c.default}) must lie between the minimum (${c.minimum}) and the maximum (${c.maximum})`,
      });
    }
  });

const isoDuration = (what: string) =>
  z
    .string({ error: `${what} must be an ISO 8601 duration such as PT10M` })
    .regex(
      /^P(?=\d|T\d)(?:\d+W)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$/,
      `${what} must be an ISO 8601 duration such as PT10M`,
    );

const clockTime = (what: string) =>
  z
    .string({ error: `${what} must be HH:MM on a 24-hour clock, e.g. 08:00` })
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, `${what} must be HH:MM on a 24-hour clock, e.g. 08:00`);

const profileName = z
  .string({ error: 'the name must be text' })
  .min(1, 'give the profile a name')
  .max(256, 'a profile name has at most 256 characters')
  .superRefine((value, ctx) => {
    const problem = unsafeTextProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `the name ${problem}` });
  });

const autoscaleRef = z.string().max(40).optional();

const autoscaleRuleSchema = z
  .object({
    ref: autoscaleRef,
    metricName: z
      .string({ error: 'the metric name must be text' })
      .min(1, 'name the metric, e.g. Percentage CPU')
      .max(256, 'the metric name is too long'),
    metricNamespace: z.string().max(256, 'the metric namespace is too long').optional(),
    operator: z.enum(
      ['GreaterThan', 'GreaterThanOrEqual', 'LessThan', 'LessThanOrEqual', 'Equals', 'NotEquals'],
      {
        error:
          'the operator must be greater than, at least, less than, at most, equal or not equal',
      },
    ),
    threshold: z.number({ error: 'the threshold must be a number' }),
    statistic: z.enum(['Average', 'Min', 'Max', 'Sum'], {
      error: 'the statistic must be Average, Min, Max or Sum',
    }),
    timeGrain: isoDuration('the time grain'),
    timeWindow: isoDuration('the time window'),
    timeAggregation: z.enum(['Average', 'Minimum', 'Maximum', 'Total', 'Count'], {
      error: 'the time aggregation must be Average, Minimum, Maximum, Total or Count',
    }),
    direction: z.enum(['Increase', 'Decrease'], {
      error: 'direction must be Increase (scale out) or Decrease (scale in)',
    }),
    changeType: z.enum(['ChangeCount', 'PercentChangeCount', 'ExactCount'], {
      error: 'the change must be by a count, by a percentage or to an exact count',
    }),
    value: z
      .number({ error: 'value must be a whole number from 1 to 1000' })
      .int('value must be a whole number from 1 to 1000')
      .min(1, 'value must be a whole number from 1 to 1000')
      .max(1000, 'value must be a whole number from 1 to 1000'),
    cooldown: isoDuration('the cool-down'),
  })
  .strict();

const autoscaleRules = z.array(autoscaleRuleSchema).max(10, 'a profile holds at most 10 rules');

const autoscaleDay = z.enum(
  ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
  { error: 'days are Monday to Sunday' },
);

/** An autoscale setting as the admin view edits it (AutoscaleSettings). */
export const autoscaleSettingsSchema = z
  .object({
    revision: z.string().max(200),
    exists: z.boolean(),
    name: z.string().max(260),
    resourceGroup: z.string().max(90),
    enabled: z.boolean({ error: 'autoscale must be on or off' }),
    defaultProfile: z
      .object({ name: profileName, capacity: autoscaleCapacitySchema, rules: autoscaleRules })
      .strict(),
    schedules: z
      .array(
        z
          .object({
            ref: autoscaleRef,
            name: profileName,
            days: z.array(autoscaleDay).min(1, 'pick at least one day').max(7),
            start: clockTime('the start'),
            end: clockTime('the end').optional(),
            timeZone: z.string().min(1, 'pick a time zone').max(100, 'the time zone is too long'),
            capacity: autoscaleCapacitySchema,
            rules: autoscaleRules,
          })
          .strict(),
      )
      .max(20, 'a setting holds at most 20 profiles'),
    fixedDates: z
      .array(
        z
          .object({
            ref: autoscaleRef,
            name: profileName,
            start: z.string().min(1, 'give a start date and time').max(40),
            end: z.string().min(1, 'give an end date and time').max(40),
            timeZone: z.string().min(1).max(100).optional(),
            capacity: autoscaleCapacitySchema,
            rules: autoscaleRules,
          })
          .strict(),
      )
      .max(20, 'a setting holds at most 20 profiles'),
    kept: z.array(z.string().max(2000)).max(200),
  })
  .strict();
