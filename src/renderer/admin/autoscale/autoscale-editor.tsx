// Views and edits an Azure pool's autoscale setting: on/off, the default capacity and its metric
// rules, weekly schedules (days, start and end time, time zone, capacity, rules), fixed dates (remove
// only), with per-field errors, notes (a CPU rule cannot wake a pool from zero), and the `az
// monitor autoscale …` commands the save amounts to, before saving as a tracked operation.
//
// Test ids (data-testid):
//   autoscale-open                      the button that opens the editor (AutoscaleButton)
//   autoscale-dialog                    the dialog surface
//   autoscale-loading, autoscale-load-error, autoscale-retry
//   autoscale-setting                   the setting's name and resource group
//   autoscale-enabled                   the on/off switch
//   autoscale-default-min|default|max   the default capacity
//   autoscale-rules-<scope>             a profile's rules (scope `default`, or `s<i>` for schedule i)
//   autoscale-rule-<scope>-<i>[-direction|-value|-change|-metric|-operator|-threshold|
//                         -aggregation|-window|-cooldown|-remove]      one rule and its fields
//   autoscale-rule-add-out-<scope>, autoscale-rule-add-in-<scope>     add a CPU rule
//   autoscale-schedule-add-weekdays     adds "Weekdays 08:00–19:00, min 2"
//   autoscale-schedule-add              adds a schedule for every day
//   autoscale-schedule-<i>              one schedule, with -name, -day-<mon…sun>, -start,
//                                       -has-end, -end, -timezone, -min, -default, -max,
//                                       -summary, -copy-rules, -remove
//   autoscale-fixed-<i>, autoscale-fixed-<i>-remove                   fixed-date profiles
//   autoscale-kept                      what the setting holds that the app keeps as it is
//   autoscale-notes, autoscale-zero-note  notes; the one about waking from zero instances
//   autoscale-problems                  every problem that blocks saving
//   autoscale-az                        the az commands of the save
//   autoscale-reload                    re-reads the setting (after it changed in Azure)
//   autoscale-save, autoscale-cancel, autoscale-progress, autoscale-error
import {
  Button,
  Checkbox,
  Dialog,
  DialogSurface,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Option,
  Spinner,
  Switch,
  Text,
  ToggleButton,
  Tooltip,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import {
  Add16Regular,
  ArrowClockwise16Regular,
  CalendarClock16Regular,
  Delete16Regular,
} from '@fluentui/react-icons';
import { useMemo, useRef, useState, type ReactNode } from 'react';
import { ErrorCode, RpcError } from '../../../common/errors';
import type {
  AutoscalePreview,
  AutoscaleSettings,
  AutoscaleTimeZone,
  OperationInfo,
  PoolInfo,
} from '../../../common/models';
import { useRpc } from '../../shared/rpc-context';
import { useEvent } from '../../shared/use-event';
import { useLoad } from '../../shared/use-load';
import { fieldErrors, type FieldErrors } from '../../shared/field-errors';
import {
  type AutoscaleDraft,
  type CapacityDraft,
  DAYS,
  type LocalErrors,
  type ScheduleDraft,
  describeDays,
  draftOf,
  guessTimeZone,
  newKey,
  newSchedule,
  settingsOf,
} from './autoscale-draft';
import { AutoscaleRules } from './autoscale-rules';
import { AzCommands } from '../az/az-commands';
import { DialogShell } from '../../shared/dialog-shell';

const useStyles = makeStyles({
  surface: { width: 'min(1100px, calc(100vw - 48px))', maxWidth: 'none' },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  heading: { margin: 0 },
  muted: { color: tokens.colorNeutralForeground3 },
  row: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'flex-start',
    gap: tokens.spacingHorizontalM,
  },
  count: { width: '110px' },
  name: { minWidth: '220px', flex: '1 1 220px' },
  time: { width: '130px' },
  zone: { minWidth: '300px' },
  days: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS },
  schedule: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalM,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  scheduleHead: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  spacer: { flex: '1 1 auto' },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
  wrap: { overflowWrap: 'anywhere', minWidth: 0 },
  error: { color: tokens.colorPaletteRedForeground1 },
});

export interface AutoscaleButtonProps {
  pool: PoolInfo;
  /** Shows the save's operation at once (e.g. in the operations panel). */
  onOperation?: (op: OperationInfo) => void;
  disabled?: boolean;
}

/** "Autoscale…" for an Azure pool's toolbar; opens the editor. */
export function AutoscaleButton({ pool, onOperation, disabled }: AutoscaleButtonProps) {
  const [open, setOpen] = useState(false);
  if (pool.kind !== 'azure') return null;
  return (
    <>
      <Button
        size="small"
        icon={<CalendarClock16Regular />}
        disabled={disabled}
        data-testid="autoscale-open"
        onClick={() => setOpen(true)}
      >
        Autoscale…
      </Button>
      {/* Mounted only while open: no event subscription per pool card otherwise. */}
      {open && (
        <AutoscaleEditor
          pool={pool}
          open={open}
          onOperation={onOperation}
          onClose={() => setOpen(false)}
        />
      )}
    </>
  );
}

export interface AutoscaleEditorProps {
  pool: PoolInfo;
  open: boolean;
  onClose: () => void;
  onOperation?: (op: OperationInfo) => void;
}

const PREVIEW_DELAY_MS = 300;

/** What the app said of the settings on screen: its preview, or why it refused them. */
type PreviewAnswer = { preview: AutoscalePreview } | { refused: RpcError };

export function AutoscaleEditor({ pool, open, onClose, onOperation }: AutoscaleEditorProps) {
  const styles = useStyles();
  const rpc = useRpc();
  // The editor is mounted while open (see AutoscaleButton), so each opening starts afresh.
  const [draft, setDraft] = useState<AutoscaleDraft>();
  const [server, setServer] = useState<FieldErrors>({});
  const [serverMessage, setServerMessage] = useState<string>();
  const [saving, setSaving] = useState<OperationInfo | 'starting'>();
  const [saveError, setSaveError] = useState<string>();
  const savingId = useRef<string>(undefined);
  const seen = useRef(new Map<string, OperationInfo>());

  // Read when it opens, and again on Retry or Reload; each answer refills the form. Only then: a
  // pool update must not throw away what is being edited. The last one read shows meanwhile.
  const {
    data: view,
    error: loadError,
    loading,
    reload,
  } = useLoad(open, () => rpc.call('azure.getAutoscale', { poolId: pool.id }), [], {
    keep: true,
    onData: (v) => setDraft(draftOf(v.settings)),
  });

  const { settings, errors: local } = useMemo<{
    settings?: AutoscaleSettings;
    errors: LocalErrors;
  }>(() => (draft ? settingsOf(draft) : { errors: {} }), [draft]);

  // Problems, notes and az of what is on screen, from the app (debounced while typing). Typing
  // mistakes first: an older preview's commands would mislead, so there is none meanwhile.
  const previewed = useLoad<PreviewAnswer>(
    open && settings !== undefined && Object.keys(local).length === 0,
    () =>
      rpc.call('azure.previewAutoscale', { poolId: pool.id, settings: settings! }).then(
        (preview) => ({ preview }),
        (err: unknown) => ({ refused: RpcError.from(err) }),
      ),
    [settings, local, pool.id, rpc],
    {
      keep: true,
      clearWhenDisabled: true,
      delayMs: PREVIEW_DELAY_MS,
      onData: (answer) => {
        if ('preview' in answer) {
          setServer(fieldErrors(new RpcError(ErrorCode.BadInput, '', answer.preview.problems)));
          setServerMessage(undefined);
        } else {
          setServer(fieldErrors(answer.refused));
          setServerMessage(answer.refused.message);
        }
      },
    },
  );
  const preview =
    previewed.data && 'preview' in previewed.data ? previewed.data.preview : undefined;
  const previewing = previewed.loading;

  const load = () => {
    setSaveError(undefined);
    setServer({});
    setServerMessage(undefined);
    previewed.setData(undefined);
    reload();
  };

  // The save's operation: progress here, success closes, failure stays with its message.
  const follow = (op: OperationInfo) => {
    if (op.id !== savingId.current) return;
    if (op.status === 'running') {
      setSaving(op);
      return;
    }
    savingId.current = undefined;
    setSaving(undefined);
    if (op.status === 'succeeded') {
      onClose();
    } else {
      setSaveError(op.error?.message ?? 'The autoscale setting could not be saved.');
    }
  };
  useEvent('operations.onDidChange', (op) => {
    if (savingId.current === undefined) {
      // An event may come before the call's answer: keep the latest few.
      seen.current.set(op.id, op);
      if (seen.current.size > 20) seen.current.delete(seen.current.keys().next().value!);
      return;
    }
    follow(op);
  });

  const problems = preview?.problems ?? [];
  const localCount = Object.keys(local).length;
  const stale =
    problems.some((p) => p.path.join('.') === 'settings.revision') ||
    /changed in Azure since it was read/.test(saveError ?? '');
  const busy = saving !== undefined;
  const canSave =
    !!settings &&
    !busy &&
    localCount === 0 &&
    problems.length === 0 &&
    serverMessage === undefined &&
    (previewing || preview?.changed === true);

  const save = () => {
    if (!settings || !canSave) return;
    setSaveError(undefined);
    setSaving('starting');
    seen.current.clear();
    rpc.call('azure.setAutoscale', { poolId: pool.id, settings }).then(
      (op) => {
        savingId.current = op.id;
        onOperation?.(op);
        follow(seen.current.get(op.id) ?? op);
      },
      (err: unknown) => {
        setSaving(undefined);
        const error = RpcError.from(err);
        setServer(fieldErrors(error));
        setSaveError(error.message);
      },
    );
  };

  const errorAt = (path: string): string | undefined => local[path] ?? server[path];
  const change = (update: (d: AutoscaleDraft) => AutoscaleDraft) =>
    setDraft((d) => (d ? update(d) : d));
  const setSchedule = (i: number, update: Partial<ScheduleDraft>) =>
    change((d) => ({
      ...d,
      schedules: d.schedules.map((s, j) => (j === i ? { ...s, ...update } : s)),
    }));

  const notes = preview?.notes ?? view?.notes ?? [];
  const zones = view?.timeZones ?? [];
  const title = `Autoscale: ${pool.name}`;

  return (
    <Dialog
      open={open}
      onOpenChange={(_, d) => {
        if (!d.open && !busy) onClose();
      }}
    >
      <DialogSurface className={styles.surface} data-testid="autoscale-dialog" aria-label={title}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
        >
          <DialogShell
            title={title}
            icon={<CalendarClock16Regular />}
            error={saveError}
            multilineError
            actions={
              <>
                {busy && (
                  <Text
                    size={200}
                    className={styles.muted}
                    aria-live="polite"
                    data-testid="autoscale-progress"
                  >
                    {saving === 'starting'
                      ? 'Saving…'
                      : (saving?.progress.at(-1)?.text ?? 'Saving…')}
                  </Text>
                )}
                <Button
                  type="submit"
                  appearance="primary"
                  disabled={!canSave}
                  icon={busy ? <Spinner size="extra-tiny" /> : undefined}
                  data-testid="autoscale-save"
                >
                  Save
                </Button>
                <Button disabled={busy} data-testid="autoscale-cancel" onClick={onClose}>
                  Cancel
                </Button>
              </>
            }
          >
            {loading && (
              <Spinner
                size="tiny"
                label="Reading the autoscale setting…"
                data-testid="autoscale-loading"
              />
            )}
            {loadError && (
              <MessageBar intent="error" layout="multiline" data-testid="autoscale-load-error">
                <MessageBarBody className={styles.wrap}>{loadError}</MessageBarBody>
                <Button size="small" data-testid="autoscale-retry" onClick={load}>
                  Retry
                </Button>
              </MessageBar>
            )}
            {stale && (
              <MessageBar intent="warning" layout="multiline">
                <MessageBarBody>
                  <MessageBarTitle>Changed in Azure</MessageBarTitle>
                  The setting changed since it was read (someone may have edited it in the portal).
                  Reload it, then make your change again.
                </MessageBarBody>
                <Button
                  size="small"
                  icon={<ArrowClockwise16Regular />}
                  data-testid="autoscale-reload"
                  onClick={load}
                >
                  Reload
                </Button>
              </MessageBar>
            )}
            {view && draft && (
              <>
                <Text size={200} className={styles.muted} data-testid="autoscale-setting">
                  {view.settings.exists
                    ? `Setting ${view.settings.name} in resource group ${view.settings.resourceGroup}.`
                    : `No autoscale setting yet: saving creates ${view.settings.name}.`}
                </Text>
                <Notes notes={notes} />
                <Switch
                  label={draft.enabled ? 'Autoscale is on' : 'Autoscale is off'}
                  checked={draft.enabled}
                  disabled={busy}
                  autoFocus
                  data-testid="autoscale-enabled"
                  onChange={(_, d) => change((x) => ({ ...x, enabled: d.checked }))}
                />

                <section className={styles.section} aria-labelledby="autoscale-default-heading">
                  <Text
                    as="h3"
                    id="autoscale-default-heading"
                    weight="semibold"
                    className={styles.heading}
                  >
                    Default: outside every schedule
                  </Text>
                  <CapacityFields
                    id="autoscale-default"
                    owner="the default profile"
                    value={draft.capacity}
                    path="settings.defaultProfile.capacity"
                    errorAt={errorAt}
                    disabled={busy}
                    onChange={(capacity) => change((x) => ({ ...x, capacity }))}
                  />
                  <AutoscaleRules
                    scope="default"
                    owner="the default profile"
                    rules={draft.rules}
                    path="settings.defaultProfile.rules"
                    errorAt={errorAt}
                    disabled={busy}
                    onChange={(rules) => change((x) => ({ ...x, rules }))}
                  />
                </section>

                <section className={styles.section} aria-labelledby="autoscale-schedules-heading">
                  <Text
                    as="h3"
                    id="autoscale-schedules-heading"
                    weight="semibold"
                    className={styles.heading}
                  >
                    Schedules
                  </Text>
                  <Text size={200} className={styles.muted}>
                    A schedule sets the capacity on its days from its start time; at its end time
                    the pool returns to the default (Azure stores that as a second profile, named
                    after the schedule).
                  </Text>
                  {errorAt('settings.schedules') && (
                    <Text role="alert" className={styles.error}>
                      {errorAt('settings.schedules')}
                    </Text>
                  )}
                  {draft.schedules.map((s, i) => (
                    <ScheduleEditor
                      key={s.key}
                      index={i}
                      schedule={s}
                      zones={zones}
                      errorAt={errorAt}
                      disabled={busy}
                      onChange={(update) => setSchedule(i, update)}
                      onCopyDefaultRules={() =>
                        setSchedule(i, {
                          rules: draft.rules.map((r) => ({ ...r, key: newKey() })),
                        })
                      }
                      onRemove={() =>
                        change((x) => ({ ...x, schedules: x.schedules.filter((_, j) => j !== i) }))
                      }
                    />
                  ))}
                  <div className={styles.actions}>
                    <Button
                      size="small"
                      icon={<Add16Regular />}
                      disabled={busy}
                      data-testid="autoscale-schedule-add-weekdays"
                      onClick={() =>
                        change((x) => ({
                          ...x,
                          schedules: [
                            ...x.schedules,
                            newSchedule(x, guessTimeZone(x, zones), 'weekdays'),
                          ],
                        }))
                      }
                    >
                      Add “Weekdays 08:00–19:00, min 2”
                    </Button>
                    <Button
                      size="small"
                      icon={<Add16Regular />}
                      disabled={busy}
                      data-testid="autoscale-schedule-add"
                      onClick={() =>
                        change((x) => ({
                          ...x,
                          schedules: [
                            ...x.schedules,
                            newSchedule(x, guessTimeZone(x, zones), 'blank'),
                          ],
                        }))
                      }
                    >
                      Add schedule
                    </Button>
                  </div>
                </section>

                {draft.fixedDates.length > 0 && (
                  <section className={styles.section} aria-labelledby="autoscale-fixed-heading">
                    <Text
                      as="h3"
                      id="autoscale-fixed-heading"
                      weight="semibold"
                      className={styles.heading}
                    >
                      Fixed dates
                    </Text>
                    {draft.fixedDates.map((f, i) => (
                      <div
                        key={f.ref ?? i}
                        className={styles.scheduleHead}
                        data-testid={`autoscale-fixed-${i}`}
                      >
                        <Text className={styles.wrap}>
                          <strong>{f.name}</strong>: {f.start} to {f.end}
                          {f.timeZone ? ` (${f.timeZone})` : ''}: {f.capacity.minimum}–
                          {f.capacity.maximum} instances, {f.capacity.default} by default
                          {f.rules.length
                            ? `, ${f.rules.length} rule${f.rules.length === 1 ? '' : 's'}`
                            : ''}
                          .
                        </Text>
                        <div className={styles.spacer} />
                        <Button
                          size="small"
                          appearance="subtle"
                          icon={<Delete16Regular />}
                          disabled={busy}
                          aria-label={`Remove the fixed-date profile ${f.name}`}
                          data-testid={`autoscale-fixed-${i}-remove`}
                          onClick={() =>
                            change((x) => ({
                              ...x,
                              fixedDates: x.fixedDates.filter((_, j) => j !== i),
                            }))
                          }
                        />
                      </div>
                    ))}
                  </section>
                )}

                {view.settings.kept.length > 0 && (
                  <MessageBar intent="info" layout="multiline" data-testid="autoscale-kept">
                    <MessageBarBody>
                      <MessageBarTitle>Kept as they are</MessageBarTitle>
                      The setting also holds what this editor does not show; saving leaves it
                      unchanged:
                      <ul className={styles.list}>
                        {view.settings.kept.map((k) => (
                          <li key={k}>{k}</li>
                        ))}
                      </ul>
                    </MessageBarBody>
                  </MessageBar>
                )}

                <Problems
                  messages={[
                    ...Object.entries(local),
                    // The app's problems: from the preview, or the fields of a refused input.
                    ...(preview
                      ? problems.map((p) => [p.path.join('.'), p.message] as const)
                      : Object.entries(server)),
                  ].map(([path, message]) => `${describePath(path, draft)}: ${message}`)}
                  serverMessage={serverMessage}
                />

                <section
                  className={styles.section}
                  aria-label="az equivalent"
                  data-testid="autoscale-az"
                >
                  {previewing && <Spinner size="extra-tiny" label="Checking…" />}
                  {!previewing && preview && !preview.changed && (
                    <Text size={200} className={styles.muted}>
                      No changes yet.
                    </Text>
                  )}
                  {preview && preview.az.length > 0 && <AzCommands az={preview.az} open />}
                  {preview && preview.az.length === 0 && view.az.length > 0 && (
                    <AzCommands az={view.az} />
                  )}
                </section>
              </>
            )}
          </DialogShell>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

function Notes({ notes }: { notes: string[] }) {
  const styles = useStyles();
  if (notes.length === 0) return null;
  return (
    <div className={styles.section} data-testid="autoscale-notes">
      {notes.map((n) => {
        const zero = /cannot wake/.test(n);
        return (
          <MessageBar
            key={n}
            intent={zero ? 'warning' : 'info'}
            layout="multiline"
            data-testid={zero ? 'autoscale-zero-note' : undefined}
          >
            <MessageBarBody className={styles.wrap}>{n}</MessageBarBody>
          </MessageBar>
        );
      })}
    </div>
  );
}

function Problems({ messages, serverMessage }: { messages: string[]; serverMessage?: string }) {
  const styles = useStyles();
  const count = messages.length;
  if (count === 0 && !serverMessage) return null;
  return (
    <MessageBar intent="error" layout="multiline" data-testid="autoscale-problems">
      <MessageBarBody className={styles.wrap}>
        <MessageBarTitle>
          {count > 0
            ? `${count} ${count === 1 ? 'thing' : 'things'} to fix before saving`
            : 'The app refused the setting'}
        </MessageBarTitle>
        {messages.length > 0 ? (
          <ul className={styles.list}>
            {messages.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        ) : (
          serverMessage
        )}
      </MessageBarBody>
    </MessageBar>
  );
}

/** "Schedule “Weekdays”, rule 2, cooldown" for `settings.schedules.0.rules.1.cooldown`. */
function describePath(path: string, draft: AutoscaleDraft): string {
  const parts = path.split('.').slice(1);
  const words: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p === 'defaultProfile') words.push('Default');
    else if (p === 'schedules' && parts[i + 1] !== undefined) {
      const s = draft.schedules[Number(parts[i + 1])];
      words.push(`Schedule “${s?.name ?? Number(parts[i + 1]) + 1}”`);
      i++;
    } else if (p === 'schedules') words.push('Schedules');
    else if (p === 'rules' && parts[i + 1] !== undefined) {
      words.push(`rule ${Number(parts[i + 1]) + 1}`);
      i++;
    } else if (p === 'capacity') continue;
    else if (p === 'revision') words.push('Setting');
    else words.push(p.replace(/([A-Z])/g, ' $1').toLowerCase());
  }
  return words.join(', ') || 'Setting';
}

function CapacityFields({
  id,
  owner,
  value,
  path,
  errorAt,
  disabled,
  onChange,
}: {
  id: string;
  owner: string;
  value: CapacityDraft;
  path: string;
  errorAt: (path: string) => string | undefined;
  disabled?: boolean;
  onChange: (value: CapacityDraft) => void;
}) {
  const styles = useStyles();
  const field = (key: keyof CapacityDraft, label: string, short: string, hint?: string) => (
    <Field
      label={label}
      hint={hint}
      className={styles.count}
      validationMessage={errorAt(`${path}.${key}`)}
    >
      <Input
        type="number"
        min={0}
        max={1000}
        step={1}
        value={value[key]}
        disabled={disabled}
        aria-description={`${label} instances of ${owner}`}
        data-testid={`${id}-${short}`}
        onChange={(_, d) => onChange({ ...value, [key]: d.value })}
      />
    </Field>
  );
  return (
    <div className={styles.row} role="group" aria-label={`Instances of ${owner}`}>
      {field('minimum', 'Minimum', 'min')}
      {field('default', 'Default', 'default', 'When no metric can be read')}
      {field('maximum', 'Maximum', 'max')}
    </div>
  );
}

function ScheduleEditor({
  index,
  schedule: s,
  zones,
  errorAt,
  disabled,
  onChange,
  onCopyDefaultRules,
  onRemove,
}: {
  index: number;
  schedule: ScheduleDraft;
  zones: AutoscaleTimeZone[];
  errorAt: (path: string) => string | undefined;
  disabled?: boolean;
  onChange: (update: Partial<ScheduleDraft>) => void;
  onCopyDefaultRules: () => void;
  onRemove: () => void;
}) {
  const styles = useStyles();
  const id = `autoscale-schedule-${index}`;
  const path = `settings.schedules.${index}`;
  const label = s.name.trim() ? `schedule ${s.name}` : `schedule ${index + 1}`;
  const options: AutoscaleTimeZone[] = zones.some((z) => z.id === s.timeZone)
    ? zones
    : [{ id: s.timeZone, offset: '' }, ...zones];
  const zoneText = (z: AutoscaleTimeZone) => (z.offset ? `(UTC${z.offset}) ${z.id}` : z.id);
  const current = options.find((z) => z.id === s.timeZone);
  const summary: ReactNode = `${describeDays(s.days)} ${s.start}${s.hasEnd ? `–${s.end}` : ' onwards'} (${s.timeZone}): ${s.capacity.minimum}–${s.capacity.maximum} instances, ${s.capacity.default} by default${s.hasEnd ? `; at ${s.end} back to the default` : '; until another schedule starts'}.`;

  return (
    <fieldset className={styles.schedule} data-testid={id} aria-label={label}>
      <div className={styles.scheduleHead}>
        <Field label="Name" className={styles.name} validationMessage={errorAt(`${path}.name`)}>
          <Input
            value={s.name}
            disabled={disabled}
            data-testid={`${id}-name`}
            onChange={(_, d) => onChange({ name: d.value })}
          />
        </Field>
        <div className={styles.spacer} />
        <Button
          size="small"
          appearance="subtle"
          icon={<Delete16Regular />}
          disabled={disabled}
          data-testid={`${id}-remove`}
          onClick={onRemove}
        >
          Remove schedule
        </Button>
      </div>
      <Field label="Days" validationMessage={errorAt(`${path}.days`)}>
        <div className={styles.days} role="group" aria-label={`Days of ${label}`}>
          {DAYS.map(({ day, short }) => (
            <ToggleButton
              key={day}
              size="small"
              checked={s.days.includes(day)}
              appearance={s.days.includes(day) ? 'primary' : 'secondary'}
              aria-label={day}
              disabled={disabled}
              data-testid={`${id}-day-${short.toLowerCase()}`}
              onClick={() =>
                onChange({
                  days: s.days.includes(day) ? s.days.filter((d) => d !== day) : [...s.days, day],
                })
              }
            >
              {short}
            </ToggleButton>
          ))}
        </div>
      </Field>
      <div className={styles.row}>
        <Field label="From" className={styles.time} validationMessage={errorAt(`${path}.start`)}>
          <Input
            type="time"
            value={s.start}
            disabled={disabled}
            data-testid={`${id}-start`}
            onChange={(_, d) => onChange({ start: d.value })}
          />
        </Field>
        <Checkbox
          label="Ends at"
          checked={s.hasEnd}
          disabled={disabled}
          data-testid={`${id}-has-end`}
          onChange={(_, d) => onChange({ hasEnd: d.checked === true })}
        />
        <Field
          label="To"
          className={styles.time}
          validationMessage={s.hasEnd ? errorAt(`${path}.end`) : undefined}
        >
          <Input
            type="time"
            value={s.end}
            disabled={disabled || !s.hasEnd}
            data-testid={`${id}-end`}
            onChange={(_, d) => onChange({ end: d.value })}
          />
        </Field>
        <Field
          label="Time zone"
          className={styles.zone}
          validationMessage={errorAt(`${path}.timeZone`)}
        >
          <Dropdown
            value={current ? zoneText(current) : s.timeZone}
            selectedOptions={[s.timeZone]}
            disabled={disabled}
            data-testid={`${id}-timezone`}
            onOptionSelect={(_, d) => d.optionValue && onChange({ timeZone: d.optionValue })}
          >
            {options.map((z) => (
              <Option key={z.id} value={z.id} text={zoneText(z)}>
                {zoneText(z)}
              </Option>
            ))}
          </Dropdown>
        </Field>
      </div>
      <CapacityFields
        id={id}
        owner={label}
        value={s.capacity}
        path={`${path}.capacity`}
        errorAt={errorAt}
        disabled={disabled}
        onChange={(capacity) => onChange({ capacity })}
      />
      <Text size={200} className={styles.muted} data-testid={`${id}-summary`}>
        {summary}
      </Text>
      <div className={styles.scheduleHead}>
        <Text weight="semibold">Rules during this schedule</Text>
        <Tooltip
          content="Replace these rules with copies of the default's"
          relationship="description"
        >
          <Button
            size="small"
            appearance="subtle"
            disabled={disabled}
            data-testid={`${id}-copy-rules`}
            onClick={onCopyDefaultRules}
          >
            Use the default&apos;s rules
          </Button>
        </Tooltip>
      </div>
      <AutoscaleRules
        scope={`s${index}`}
        owner={label}
        rules={s.rules}
        path={`${path}.rules`}
        errorAt={errorAt}
        disabled={disabled}
        onChange={(rules) => onChange({ rules })}
      />
    </fieldset>
  );
}
