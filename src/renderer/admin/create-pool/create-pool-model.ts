// The create-pool wizard's state: the draft and its step, the app's field errors, the lists the
// form picks from (subscriptions, resource groups, with the app's key as the default admin key),
// and the actions (Next validates up to the step, Create deploys, Import reads the article's
// parameters file). The steps and the dialog only show it.
import { useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { RpcError } from '../../../common/errors';
import type {
  ArticleImportResult,
  AzCommand,
  AzureResourceGroup,
  AzureSubscription,
  OperationInfo,
} from '../../../common/models';
import { fieldErrors, type FieldErrors } from '../../shared/field-errors';
import { useRpc } from '../../shared/rpc-context';
import { useLoad } from '../../shared/use-load';
import type { Operations } from '../operations/use-operations';
import {
  WIZARD_STEPS,
  draftParameters,
  draftWithParameters,
  emptyDraft,
  errorFor,
  localErrors,
  resourceGroupOf,
  stepOfField,
  type PoolDraft,
  type WizardStep,
} from './pool-draft';

/** What the app's validation said once every step was right: warnings and the `az` commands. */
export interface PoolReview {
  warnings: string[];
  az: AzCommand[];
}

export interface CreatePoolModel {
  draft: PoolDraft;
  step: WizardStep;
  /** The step's place in WIZARD_STEPS. */
  index: number;
  /** By field path, as the app names them (`poolName`, `image.sku`). */
  errors: FieldErrors;
  /** How many errors each step shows, for the step list. */
  stepErrors: ReadonlyMap<WizardStep, number>;
  /** A failure that belongs to no field. */
  formError?: string;
  /** What is under way: `next`, `create` or `import`. */
  busy?: string;
  subs?: AzureSubscription[];
  groups?: AzureResourceGroup[];
  listError?: string;
  review?: PoolReview;
  imported?: ArticleImportResult;
  /** Create was pressed: the wizard follows the deployment. */
  deploying: boolean;
  operation?: OperationInfo;
  running: boolean;
  /** The hidden file input of "Import the article's parameters file…". */
  fileRef: RefObject<HTMLInputElement | null>;
  update: <K extends keyof PoolDraft>(key: K, value: PoolDraft[K]) => void;
  /** A field's validation props: its error, if any. */
  field: (name: string) => {
    validationMessage: string | undefined;
    validationState: 'error' | undefined;
  };
  setStep: (step: WizardStep) => void;
  next: () => Promise<void>;
  create: () => Promise<void>;
  importFile: (file: File) => Promise<void>;
  fillAppKey: () => Promise<void>;
  backToSettings: () => void;
  /** Closes the wizard, unless Create is on its way. */
  close: () => void;
}

export function useCreatePool({
  open,
  onClose,
  operations,
}: {
  open: boolean;
  onClose: () => void;
  operations: Operations;
}): CreatePoolModel {
  const rpc = useRpc();
  const [draft, setDraft] = useState<PoolDraft>(() => emptyDraft());
  const [step, setStep] = useState<WizardStep>('basics');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [review, setReview] = useState<PoolReview>();
  const [imported, setImported] = useState<ArticleImportResult>();
  const [operationId, setOperationId] = useState<string>();
  const [started, setStarted] = useState<OperationInfo>();
  const fileRef = useRef<HTMLInputElement>(null);
  /** The draft of a deployment that failed, kept when the wizard closed, to fix and try again. */
  const kept = useRef<PoolDraft>(undefined);

  // A fresh form each time the wizard opens, unless the last Create failed: then its settings
  // come back at the review, so the admin fixes what Azure refused instead of typing it all again.
  useEffect(() => {
    if (!open) return;
    const retry = kept.current;
    kept.current = undefined;
    setDraft(retry ?? emptyDraft());
    setStep(retry ? 'review' : 'basics');
    setErrors({});
    setFormError(undefined);
    setReview(undefined);
    setImported(undefined);
    setOperationId(undefined);
    setStarted(undefined);
    setBusy(undefined);
  }, [open]);

  // The app's key is the default admin key (the app signs in with it, so Connect works as soon as
  // the pool is up); without it, the admin pastes one.
  useLoad(open, () => rpc.call('keys.appPublicKey', {}), [rpc], {
    onData: ({ publicKey }) =>
      setDraft((d) => (d.sshPublicKey ? d : { ...d, sshPublicKey: publicKey })),
  });

  // The subscriptions stay from the last opening until the new list comes.
  const { data: subs, error: subsError } = useLoad(
    open,
    () => rpc.call('azure.listSubscriptions', {}),
    [rpc],
    {
      keep: true,
      onData: (list) => {
        const enabled = list.filter((s) => s.state === 'Enabled');
        const only = enabled.length === 1 ? enabled[0] : list.length === 1 ? list[0] : undefined;
        if (only)
          setDraft((d) => (d.subscriptionId ? d : { ...d, subscriptionId: only.subscriptionId }));
      },
    },
  );

  const { data: groups, error: groupsError } = useLoad(
    open && !!draft.subscriptionId,
    () =>
      rpc
        .call('azure.listResourceGroups', { subscriptionId: draft.subscriptionId })
        .then((list) => [...list].sort((a, b) => a.name.localeCompare(b.name))),
    [rpc, draft.subscriptionId],
    { clearWhenDisabled: true },
  );
  const listError = subsError ?? groupsError;

  const update = <K extends keyof PoolDraft>(key: K, value: PoolDraft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    // The field's own error goes as the admin fixes it; the review is redone on the way there.
    setErrors((e) => {
      const field = fieldOfDraftKey(key);
      if (!Object.keys(e).some((k) => k === field || k.startsWith(`${field}.`))) return e;
      return Object.fromEntries(
        Object.entries(e).filter(([k]) => k !== field && !k.startsWith(`${field}.`)),
      );
    });
    setReview(undefined);
  };

  /** "Use the app's key": the app's public key in the admin key field. */
  const fillAppKey = () =>
    rpc.call('keys.appPublicKey', {}).then(
      ({ publicKey }) => update('sshPublicKey', publicKey),
      (err: unknown) => setFormError(RpcError.from(err).message),
    );

  const index = WIZARD_STEPS.indexOf(step);
  const operation =
    operations.items?.find((o) => o.id === operationId) ??
    (started?.id === operationId ? started : undefined);

  /** Validates everything up to step `upTo` (by index); returns the first step with an error. */
  const validate = async (upTo: number): Promise<WizardStep | undefined> => {
    const local = localErrors(draft, upTo);
    let remote: Record<string, string> = {};
    let result: PoolReview | undefined;
    setFormError(undefined);
    try {
      result = await rpc.call('azure.validatePool', {
        parameters: draftParameters(draft),
        ...(draft.subscriptionId ? { subscriptionId: draft.subscriptionId } : {}),
        resourceGroup: resourceGroupOf(draft),
        createResourceGroup: draft.resourceGroupMode === 'new',
      });
    } catch (err) {
      const rpcError = RpcError.from(err);
      remote = { ...fieldErrors(rpcError) };
      if (Object.keys(remote).length === 0) setFormError(rpcError.message);
    }
    // Only the fields of this step and the earlier ones count now; later ones wait their turn.
    const all = { ...remote, ...local };
    const relevant = Object.fromEntries(
      Object.entries(all).filter(([field]) => WIZARD_STEPS.indexOf(stepOfField(field)) <= upTo),
    );
    setErrors(relevant);
    const first = WIZARD_STEPS.find((s) => Object.keys(relevant).some((f) => stepOfField(f) === s));
    if (!first && result && upTo >= WIZARD_STEPS.indexOf('storage')) setReview(result);
    return first;
  };

  const next = async () => {
    if (busy || index >= WIZARD_STEPS.length - 1) return;
    setBusy('next');
    const wrong = await validate(index);
    setBusy(undefined);
    if (wrong) setStep(wrong);
    else setStep(WIZARD_STEPS[index + 1]!);
  };

  const create = async () => {
    if (busy) return;
    setBusy('create');
    const wrong = await validate(WIZARD_STEPS.length - 1);
    if (wrong) {
      setBusy(undefined);
      setStep(wrong);
      return;
    }
    try {
      const op = await rpc.call('azure.createPool', {
        subscriptionId: draft.subscriptionId,
        resourceGroup: resourceGroupOf(draft),
        createResourceGroup: draft.resourceGroupMode === 'new',
        parameters: draftParameters(draft),
      });
      operations.upsert(op);
      setStarted(op);
      setOperationId(op.id);
    } catch (err) {
      const rpcError = RpcError.from(err);
      const byField = fieldErrors(rpcError);
      if (Object.keys(byField).length) {
        setErrors(byField);
        setStep(stepOfField(Object.keys(byField)[0]!));
      } else setFormError(rpcError.message);
    } finally {
      setBusy(undefined);
    }
  };

  const importFile = async (file: File) => {
    setBusy('import');
    setFormError(undefined);
    try {
      const json = await file.text();
      const result = await rpc.call('azure.importArticleParameters', { json });
      setImported(result);
      setDraft((d) => draftWithParameters(d, result.parameters));
      setErrors({});
      setReview(undefined);
    } catch (err) {
      setFormError(`${file.name}: ${RpcError.from(err).message}`);
    } finally {
      setBusy(undefined);
      if (fileRef.current) fileRef.current.value = '';
    }
  };

  const deploying = operationId !== undefined;
  const running = operation?.status === 'running';

  const close = () => {
    if (busy === 'create') return;
    if (operation?.status === 'failed') kept.current = draft;
    onClose();
  };

  const field = (name: string) => ({
    validationMessage: errorFor(errors, name),
    validationState: errorFor(errors, name) ? ('error' as const) : undefined,
  });

  /** After a failed deployment: back to the settings, at the review. */
  const backToSettings = () => {
    setOperationId(undefined);
    setStarted(undefined);
    setStep('review');
  };

  // The review step checks itself when reached (e.g. after Back and Next again).
  useEffect(() => {
    if (open && step === 'review' && !review && !deploying && !busy) {
      void validate(WIZARD_STEPS.length - 1).then((wrong) => wrong && setStep(wrong));
    }
    // Only on these changes: `validate` is a fresh closure each render.
  }, [open, step, review, deploying]);

  const stepErrors = useMemo(() => {
    const counts = new Map<WizardStep, number>();
    for (const f of Object.keys(errors))
      counts.set(stepOfField(f), (counts.get(stepOfField(f)) ?? 0) + 1);
    return counts;
  }, [errors]);

  return {
    draft,
    step,
    index,
    errors,
    stepErrors,
    formError,
    busy,
    subs,
    groups,
    listError,
    review,
    imported,
    deploying,
    operation,
    running,
    fileRef,
    update,
    field,
    setStep,
    next,
    create,
    importFile,
    fillAppKey,
    backToSettings,
    close,
  };
}

/** The field name the app uses for a draft key (for clearing its error as it is edited). */
function fieldOfDraftKey(key: keyof PoolDraft): string {
  if (key.startsWith('image')) return 'image';
  if (key === 'newResourceGroup' || key === 'existingResourceGroup' || key === 'resourceGroupMode')
    return 'resourceGroup';
  return key;
}
