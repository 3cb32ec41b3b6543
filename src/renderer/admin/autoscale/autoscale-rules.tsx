// The metric rules of one autoscale profile, each as an editable sentence ("Scale out by 1
// instance when Percentage CPU > 75, average over 10 min; then wait 10 min"), with add and remove.
import {
  Button,
  Input,
  Select,
  Text,
  makeStyles,
  mergeClasses,
  shorthands,
  tokens,
} from '@fluentui/react-components';
import { Add16Regular, Delete16Regular } from '@fluentui/react-icons';
import type { AutoscaleRule } from '../../../common/models';
import { type RuleDraft, cpuRule, ruleDraft } from './autoscale-draft';

const useStyles = makeStyles({
  list: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  rule: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXXS,
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  sentence: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: tokens.spacingHorizontalXS,
  },
  number: { width: '76px' },
  metric: { width: '160px' },
  select: { minWidth: 0 },
  invalid: { ...shorthands.borderColor(tokens.colorPaletteRedBorder2) },
  errors: {
    margin: 0,
    paddingLeft: tokens.spacingHorizontalL,
    color: tokens.colorPaletteRedForeground1,
  },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  muted: { color: tokens.colorNeutralForeground3 },
  spacer: { flex: '1 1 auto' },
});

const OPERATORS: Array<[AutoscaleRule['operator'], string, string]> = [
  ['GreaterThan', '>', 'greater than'],
  ['GreaterThanOrEqual', '≥', 'greater than or equal to'],
  ['LessThan', '<', 'less than'],
  ['LessThanOrEqual', '≤', 'less than or equal to'],
  ['Equals', '=', 'equal to'],
  ['NotEquals', '≠', 'not equal to'],
];
const AGGREGATIONS: Array<[AutoscaleRule['timeAggregation'], string]> = [
  ['Average', 'average'],
  ['Minimum', 'minimum'],
  ['Maximum', 'maximum'],
  ['Total', 'total'],
  ['Count', 'count'],
];
const CHANGES: Array<[AutoscaleRule['changeType'], string]> = [
  ['ChangeCount', 'instances'],
  ['PercentChangeCount', '% of instances'],
  ['ExactCount', 'instances exactly'],
];

/** Field names for the error list under a rule. */
const FIELD_NAMES: Record<string, string> = {
  metricName: 'Metric',
  metricNamespace: 'Metric namespace',
  threshold: 'Threshold',
  timeWindow: 'Time window',
  timeGrain: 'Time grain',
  cooldown: 'Cooldown',
  value: 'Amount',
};

export interface AutoscaleRulesProps {
  /** Test id and label prefix, e.g. `default` or `s0`. */
  scope: string;
  /** What the rules belong to, for labels: "the default profile", "Weekdays". */
  owner: string;
  rules: RuleDraft[];
  onChange: (rules: RuleDraft[]) => void;
  /** Field errors by path. */
  errorAt: (path: string) => string | undefined;
  /** The rules' path, e.g. `settings.defaultProfile.rules`. */
  path: string;
  disabled?: boolean;
}

export function AutoscaleRules(props: AutoscaleRulesProps) {
  const { scope, owner, rules, onChange, errorAt, path, disabled } = props;
  const styles = useStyles();
  const update = (i: number, change: Partial<RuleDraft>) =>
    onChange(rules.map((r, j) => (j === i ? { ...r, ...change } : r)));
  const listError = errorAt(path);

  return (
    <div className={styles.list} data-testid={`autoscale-rules-${scope}`}>
      {rules.length === 0 && (
        <Text size={200} className={styles.muted}>
          No metric rules: the instance count stays within the capacity above, at its default.
        </Text>
      )}
      {rules.map((r, i) => {
        const at = `${path}.${i}`;
        const id = `autoscale-rule-${scope}-${i}`;
        const label = `Rule ${i + 1} of ${owner}`;
        const err = (field: string) => errorAt(`${at}.${field}`);
        const invalid = (field: string) => (err(field) ? styles.invalid : undefined);
        const errors = Object.keys(FIELD_NAMES)
          .map((f) => [f, err(f)] as const)
          .filter((e): e is readonly [string, string] => e[1] !== undefined);
        const ruleError = errorAt(at);
        return (
          <div key={r.key} className={styles.rule} role="group" aria-label={label} data-testid={id}>
            <div className={styles.sentence}>
              <Text>Scale</Text>
              <Select
                size="small"
                className={styles.select}
                aria-label={`${label}: direction`}
                value={r.direction}
                disabled={disabled}
                data-testid={`${id}-direction`}
                onChange={(_, d) => update(i, { direction: d.value as AutoscaleRule['direction'] })}
              >
                <option value="Increase">out</option>
                <option value="Decrease">in</option>
              </Select>
              <Text>{r.changeType === 'ExactCount' ? 'to' : 'by'}</Text>
              <Input
                size="small"
                type="number"
                min={1}
                max={1000}
                className={mergeClasses(styles.number, invalid('value'))}
                aria-label={`${label}: amount`}
                aria-invalid={err('value') ? true : undefined}
                value={r.value}
                disabled={disabled}
                data-testid={`${id}-value`}
                onChange={(_, d) => update(i, { value: d.value })}
              />
              <Select
                size="small"
                className={styles.select}
                aria-label={`${label}: amount in`}
                value={r.changeType}
                disabled={disabled}
                data-testid={`${id}-change`}
                onChange={(_, d) =>
                  update(i, { changeType: d.value as AutoscaleRule['changeType'] })
                }
              >
                {CHANGES.map(([value, text]) => (
                  <option key={value} value={value}>
                    {text}
                  </option>
                ))}
              </Select>
              <Text>when</Text>
              <Input
                size="small"
                className={mergeClasses(styles.metric, invalid('metricName'))}
                aria-label={`${label}: metric`}
                aria-invalid={err('metricName') ? true : undefined}
                value={r.metricName}
                disabled={disabled}
                data-testid={`${id}-metric`}
                onChange={(_, d) => update(i, { metricName: d.value })}
              />
              <Select
                size="small"
                className={styles.select}
                aria-label={`${label}: comparison`}
                value={r.operator}
                disabled={disabled}
                data-testid={`${id}-operator`}
                onChange={(_, d) => update(i, { operator: d.value as AutoscaleRule['operator'] })}
              >
                {OPERATORS.map(([value, sign, words]) => (
                  <option key={value} value={value} aria-label={words}>
                    {sign}
                  </option>
                ))}
              </Select>
              <Input
                size="small"
                type="number"
                className={mergeClasses(styles.number, invalid('threshold'))}
                aria-label={`${label}: threshold`}
                aria-invalid={err('threshold') ? true : undefined}
                value={r.threshold}
                disabled={disabled}
                data-testid={`${id}-threshold`}
                onChange={(_, d) => update(i, { threshold: d.value })}
              />
              <Text>(</Text>
              <Select
                size="small"
                className={styles.select}
                aria-label={`${label}: aggregation over time`}
                value={r.timeAggregation}
                disabled={disabled}
                data-testid={`${id}-aggregation`}
                onChange={(_, d) =>
                  update(i, { timeAggregation: d.value as AutoscaleRule['timeAggregation'] })
                }
              >
                {AGGREGATIONS.map(([value, text]) => (
                  <option key={value} value={value}>
                    {text}
                  </option>
                ))}
              </Select>
              <Text>over</Text>
              <Input
                size="small"
                type="number"
                min={5}
                max={720}
                className={mergeClasses(styles.number, invalid('timeWindow'))}
                aria-label={`${label}: time window in minutes`}
                aria-invalid={err('timeWindow') ? true : undefined}
                value={r.timeWindow.minutes}
                disabled={disabled}
                data-testid={`${id}-window`}
                onChange={(_, d) =>
                  update(i, { timeWindow: { ...r.timeWindow, minutes: d.value } })
                }
              />
              <Text>min); then wait</Text>
              <Input
                size="small"
                type="number"
                min={1}
                max={10080}
                className={mergeClasses(styles.number, invalid('cooldown'))}
                aria-label={`${label}: cooldown in minutes`}
                aria-invalid={err('cooldown') ? true : undefined}
                value={r.cooldown.minutes}
                disabled={disabled}
                data-testid={`${id}-cooldown`}
                onChange={(_, d) => update(i, { cooldown: { ...r.cooldown, minutes: d.value } })}
              />
              <Text>min</Text>
              <div className={styles.spacer} />
              <Button
                size="small"
                appearance="subtle"
                icon={<Delete16Regular />}
                aria-label={`Remove ${label.toLowerCase()}`}
                disabled={disabled}
                data-testid={`${id}-remove`}
                onClick={() => onChange(rules.filter((_, j) => j !== i))}
              />
            </div>
            {(errors.length > 0 || ruleError) && (
              <ul className={styles.errors} role="alert">
                {ruleError && <li>{ruleError}</li>}
                {errors.map(([field, message]) => (
                  <li key={field}>
                    {FIELD_NAMES[field]}: {message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        );
      })}
      {listError && (
        <Text role="alert" className={styles.errors}>
          {listError}
        </Text>
      )}
      <div className={styles.actions}>
        <Button
          size="small"
          icon={<Add16Regular />}
          disabled={disabled}
          data-testid={`autoscale-rule-add-out-${scope}`}
          onClick={() => onChange([...rules, ruleDraft(cpuRule('Increase'))])}
        >
          Add scale-out rule
        </Button>
        <Button
          size="small"
          icon={<Add16Regular />}
          disabled={disabled}
          data-testid={`autoscale-rule-add-in-${scope}`}
          onClick={() => onChange([...rules, ruleDraft(cpuRule('Decrease'))])}
        >
          Add scale-in rule
        </Button>
      </div>
    </div>
  );
}
