// Views and edits an Azure pool's autoscale setting: on/off, the default capacity and its metric
// rules, weekly schedules (days, start and end time, time zone, capacity, rules), fixed dates (remove
// only), with per-field errors, notes, warnings (a CPU rule cannot wake a pool from zero, with a
// schedule to add), and the `az` commands the save amounts to, before saving as a tracked operation.
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
//   autoscale-notes                     the app's notes
//   autoscale-warnings, autoscale-zero-note, autoscale-warning-add-schedule
//                                       warnings about waking from 0 instances; the schedule one offers
//   autoscale-problems                  every problem that blocks saving
//   autoscale-az                        the az commands of the save
//   autoscale-reload                    re-reads the setting (after it changed in Azure)
//   autoscale-save, autoscale-cancel, autoscale-progress, autoscale-error
import {
  Button,
  Dialog,
  DialogSurface,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Switch,
  Text,
} from '@fluentui/react-components';
import { ArrowClockwise16Regular, CalendarClock16Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import type { OperationInfo, PoolInfo } from '../../../common/models';
import { DialogShell } from '../../shared/dialog-shell';
import { AzCommands } from '../az/az-commands';
import { describePath } from './autoscale-draft';
import { Notes, Problems, Warnings } from './autoscale-messages';
import { useAutoscaleEditor } from './autoscale-model';
import { useAutoscaleStyles } from './autoscale-styles';
import { DefaultProfileSection } from './default-profile-section';
import { FixedDatesSection } from './fixed-dates-section';
import { SchedulesSection } from './schedules-section';
import { WhyButton } from '../scaling/why-dialog';

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

export function AutoscaleEditor({ pool, open, onClose, onOperation }: AutoscaleEditorProps) {
  const styles = useAutoscaleStyles();
  const {
    view,
    draft,
    loading,
    loadError,
    load,
    preview,
    previewing,
    problems,
    local,
    server,
    serverMessage,
    saving,
    saveError,
    busy,
    stale,
    canSave,
    save,
    errorAt,
    change,
    setSchedule,
    notes,
    warnings,
    addWeekdaySchedule,
    zones,
  } = useAutoscaleEditor({ pool, open, onClose, onOperation });
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
                <WhyButton pool={pool} subtle />
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
                <Warnings
                  warnings={warnings}
                  busy={busy}
                  onAddWeekdaySchedule={addWeekdaySchedule}
                />
                <Switch
                  label={draft.enabled ? 'Autoscale is on' : 'Autoscale is off'}
                  checked={draft.enabled}
                  disabled={busy}
                  autoFocus
                  data-testid="autoscale-enabled"
                  onChange={(_, d) => change((x) => ({ ...x, enabled: d.checked }))}
                />

                <DefaultProfileSection
                  draft={draft}
                  errorAt={errorAt}
                  busy={busy}
                  change={change}
                />

                <SchedulesSection
                  draft={draft}
                  errorAt={errorAt}
                  busy={busy}
                  change={change}
                  zones={zones}
                  setSchedule={setSchedule}
                />

                <FixedDatesSection draft={draft} busy={busy} change={change} />

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
