// The autoscale editor's state: the setting as read (and read again on Retry / Reload), the draft
// on screen with its typing mistakes, the app's preview of it (problems, notes, az; debounced),
// and Save, followed through its operation. The dialog and its sections only show it.
import { useMemo, useRef, useState } from 'react';
import { ErrorCode, RpcError } from '../../../common/errors';
import type {
  AutoscalePreview,
  AutoscaleProblem,
  AutoscaleSettings,
  AutoscaleTimeZone,
  AutoscaleView,
  AutoscaleWarning,
  OperationInfo,
  PoolInfo,
} from '../../../common/models';
import { fieldErrors, type FieldErrors } from '../../shared/field-errors';
import { useRpc } from '../../shared/rpc-context';
import { useEvent } from '../../shared/use-event';
import { useLoad } from '../../shared/use-load';
import {
  draftOf,
  guessTimeZone,
  newSchedule,
  settingsOf,
  type AutoscaleDraft,
  type LocalErrors,
  type ScheduleDraft,
} from './autoscale-draft';

const PREVIEW_DELAY_MS = 300;

/** What the app said of the settings on screen: its preview, or why it refused them. */
type PreviewAnswer = { preview: AutoscalePreview } | { refused: RpcError };

/** What a section of the editor gets: the draft on screen and the way to change it. */
export interface SectionProps {
  draft: AutoscaleDraft;
  errorAt: (path: string) => string | undefined;
  /** A save is under way: nothing can be changed. */
  busy: boolean;
  change: (update: (d: AutoscaleDraft) => AutoscaleDraft) => void;
}

export interface AutoscaleEditorModel {
  /** The setting as last read; undefined until the first answer. */
  view?: AutoscaleView;
  draft?: AutoscaleDraft;
  loading: boolean;
  loadError?: string;
  /** Reads the setting again (Retry, Reload), forgetting the preview and the errors. */
  load: () => void;
  preview?: AutoscalePreview;
  previewing: boolean;
  /** The preview's problems (empty without one). */
  problems: AutoscaleProblem[];
  /** Typing mistakes, by field path. */
  local: LocalErrors;
  /** The app's errors, by field path: from the preview, or a refused save. */
  server: FieldErrors;
  /** The app's refusal of the settings, when it is about no field. */
  serverMessage?: string;
  saving?: OperationInfo | 'starting';
  saveError?: string;
  busy: boolean;
  /** The setting changed in Azure since it was read. */
  stale: boolean;
  canSave: boolean;
  save: () => void;
  errorAt: (path: string) => string | undefined;
  change: (update: (d: AutoscaleDraft) => AutoscaleDraft) => void;
  setSchedule: (i: number, update: Partial<ScheduleDraft>) => void;
  notes: string[];
  /** Profiles that cannot wake a sleeping pool (the app's, for what is on screen). */
  warnings: AutoscaleWarning[];
  /** Adds "Weekdays 08:00–19:00, min 2", as a warning suggests. */
  addWeekdaySchedule: () => void;
  zones: AutoscaleTimeZone[];
}

export function useAutoscaleEditor({
  pool,
  open,
  onClose,
  onOperation,
}: {
  pool: PoolInfo;
  open: boolean;
  onClose: () => void;
  onOperation?: (op: OperationInfo) => void;
}): AutoscaleEditorModel {
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
  const warnings = preview?.warnings ?? view?.warnings ?? [];
  const zones = view?.timeZones ?? [];
  const addWeekdaySchedule = () =>
    change((x) => ({
      ...x,
      schedules: [...x.schedules, newSchedule(x, guessTimeZone(x, zones), 'weekdays')],
    }));

  return {
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
  };
}
