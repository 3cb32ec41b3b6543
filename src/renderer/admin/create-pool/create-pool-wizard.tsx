// The create-pool wizard: Basics (name, subscription, resource group, region, or the article's
// parameters file) → Machines → Access → Storage → Review (warnings and the exact `az` commands),
// then Create, after which it follows the deployment until it ends or the admin closes it (the
// deployment keeps running; the operations panel keeps showing it). Each Next asks the app to
// validate what is filled in so far, so Azure's naming rules speak at the step they belong to.
//
// Test ids: create-pool-open, create-pool-dialog, wizard-step-<step>, wizard-next, wizard-back,
// wizard-create, wizard-close, wizard-<field> for inputs (wizard-poolName, …),
// wizard-import-file, wizard-az, wizard-operation.
import {
  Button,
  Checkbox,
  Combobox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Option,
  Radio,
  RadioGroup,
  Spinner,
  Switch,
  Text,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { Add16Regular, DocumentArrowUp16Regular, Key16Regular } from '@fluentui/react-icons';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { AZURE_REGIONS } from '../../../common/azure-regions';
import { RpcError } from '../../../common/errors';
import type { ArticleImportResult, AzCommand, OperationInfo } from '../../../common/models';
import { fieldErrors, type FieldErrors } from '../../shared/field-errors';
import { useRpc } from '../../shared/rpc-context';
import { useLoad } from '../../shared/use-load';
import type { Operations } from '../operations/use-operations';
import {
  COMMON_VM_SIZES,
  OS_DISK_TYPES,
  STEP_LABELS,
  WIZARD_STEPS,
  derivedDnsLabel,
  draftParameters,
  draftWithParameters,
  emptyDraft,
  errorFor,
  resourceGroupOf,
  stepOfField,
  type PoolDraft,
  type WizardStep,
} from './pool-draft';
import { AzCommands } from '../az/az-commands';
import { OperationCard } from '../operations/operations-panel';

const useStyles = makeStyles({
  surface: { maxWidth: '760px', width: '100%' },
  steps: {
    display: 'flex',
    gap: tokens.spacingHorizontalS,
    listStyle: 'none',
    margin: 0,
    padding: 0,
    flexWrap: 'wrap',
  },
  step: {
    padding: `${tokens.spacingVerticalXXS} ${tokens.spacingHorizontalS}`,
    borderRadius: tokens.borderRadiusMedium,
    color: tokens.colorNeutralForeground3,
  },
  current: {
    backgroundColor: tokens.colorBrandBackground2,
    color: tokens.colorBrandForeground2,
    fontWeight: tokens.fontWeightSemibold,
  },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  row: {
    display: 'grid',
    gridTemplateColumns: 'repeat(3, minmax(0, 1fr))',
    gap: tokens.spacingHorizontalM,
  },
  row2: {
    display: 'grid',
    gridTemplateColumns: 'repeat(2, minmax(0, 1fr))',
    gap: tokens.spacingHorizontalM,
  },
  inline: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    flexWrap: 'wrap',
  },
  muted: { color: tokens.colorNeutralForeground3 },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  summary: {
    display: 'grid',
    gridTemplateColumns: 'max-content minmax(0, 1fr)',
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXXS,
    margin: 0,
  },
  dt: { color: tokens.colorNeutralForeground3 },
  dd: { margin: 0, overflowWrap: 'anywhere' },
  hidden: { display: 'none' },
});

export interface CreatePoolWizardProps {
  open: boolean;
  onClose: () => void;
  operations: Operations;
}

export function CreatePoolWizard({ open, onClose, operations }: CreatePoolWizardProps) {
  const styles = useStyles();
  const rpc = useRpc();
  const [draft, setDraft] = useState<PoolDraft>(() => emptyDraft());
  const [step, setStep] = useState<WizardStep>('basics');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [review, setReview] = useState<{ warnings: string[]; az: AzCommand[] }>();
  const [imported, setImported] = useState<ArticleImportResult>();
  const [operationId, setOperationId] = useState<string>();
  const [started, setStarted] = useState<OperationInfo>();
  const fileRef = useRef<HTMLInputElement>(null);

  // A fresh form each time the wizard opens.
  useEffect(() => {
    if (!open) return;
    setDraft(emptyDraft());
    setStep('basics');
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

  const index = WIZARD_STEPS.indexOf(step);
  const operation =
    operations.items?.find((o) => o.id === operationId) ??
    (started?.id === operationId ? started : undefined);

  /** Local checks the app cannot make (it never sees the subscription choice as a field). */
  const localErrors = (upTo: number): Record<string, string> => {
    const e: Record<string, string> = {};
    if (upTo >= 0) {
      if (!draft.poolName.trim()) e.poolName = 'Name the pool (e.g. "ds-team").';
      if (!draft.subscriptionId) e.subscriptionId = 'Pick the subscription to pay for the pool.';
      if (draft.resourceGroupMode === 'existing' && !draft.existingResourceGroup) {
        e.resourceGroup = 'Pick a resource group, or create a new one.';
      }
      if (!draft.location.trim()) e.location = 'Pick a region.';
    }
    if (upTo >= 2 && !draft.sshPublicKey.trim()) {
      e.sshPublicKey = "Paste an SSH public key (a .pub file's line), or use the app's key.";
    }
    if (upTo >= 2 && !draft.allowedSourceCidrs.trim()) {
      e.allowedSourceCidrs =
        'Give the address ranges allowed to reach SSH (your office or VPN, e.g. 203.0.113.0/24).';
    }
    return e;
  };

  /** Validates everything up to step `upTo` (by index); returns the first step with an error. */
  const validate = async (upTo: number): Promise<WizardStep | undefined> => {
    const local = localErrors(upTo);
    let remote: Record<string, string> = {};
    let result: { warnings: string[]; az: AzCommand[] } | undefined;
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
    onClose();
  };

  const field = (name: string) => ({
    validationMessage: errorFor(errors, name),
    validationState: errorFor(errors, name) ? ('error' as const) : undefined,
  });

  let body: ReactNode;
  if (deploying) {
    body = (
      <div data-testid="wizard-operation" data-status={operation?.status ?? 'running'}>
        {operation ? (
          <OperationCard op={operation} />
        ) : (
          <Spinner size="tiny" label="Starting the deployment…" />
        )}
        <Text block className={styles.muted} style={{ marginTop: tokens.spacingVerticalS }}>
          {running
            ? 'You can close this window: the deployment goes on, and the operations panel keeps showing it.'
            : operation?.status === 'succeeded'
              ? `The pool ${draft.poolName} is ready and in the app: its instances show in the admin view and under Connect.`
              : 'The deployment failed; what Azure said is above. Go back to change the settings and try again.'}
        </Text>
      </div>
    );
  } else if (step === 'basics') {
    body = (
      <>
        <Field
          label="Pool name"
          required
          hint="Names the scale set and every resource made for it."
          {...field('poolName')}
        >
          <Input
            autoFocus
            value={draft.poolName}
            data-testid="wizard-poolName"
            onChange={(_, d) => update('poolName', d.value)}
          />
        </Field>
        <Field label="Subscription" required {...field('subscriptionId')}>
          <Dropdown
            data-testid="wizard-subscription"
            placeholder={subs ? 'Pick a subscription' : 'Loading subscriptions…'}
            disabled={!subs || subs.length === 0}
            value={subs?.find((s) => s.subscriptionId === draft.subscriptionId)?.displayName ?? ''}
            selectedOptions={draft.subscriptionId ? [draft.subscriptionId] : []}
            onOptionSelect={(_, d) => {
              update('subscriptionId', d.optionValue ?? '');
              update('existingResourceGroup', '');
            }}
          >
            {subs?.map((s) => (
              <Option key={s.subscriptionId} value={s.subscriptionId} text={s.displayName}>
                {s.displayName} ({s.state})
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Resource group" required {...field('resourceGroup')}>
          <RadioGroup
            layout="horizontal"
            value={draft.resourceGroupMode}
            onChange={(_, d) =>
              update('resourceGroupMode', d.value as PoolDraft['resourceGroupMode'])
            }
          >
            <Radio value="new" label="Create a new one" data-testid="wizard-rg-new" />
            <Radio
              value="existing"
              label="Use an existing one"
              data-testid="wizard-rg-existing"
              disabled={!groups || groups.length === 0}
            />
          </RadioGroup>
          {draft.resourceGroupMode === 'new' ? (
            <Input
              aria-label="New resource group name"
              placeholder={`${draft.poolName.trim() || 'pool'}-rg`}
              value={draft.newResourceGroup}
              data-testid="wizard-newResourceGroup"
              onChange={(_, d) => update('newResourceGroup', d.value)}
            />
          ) : (
            <Dropdown
              aria-label="Existing resource group"
              data-testid="wizard-existingResourceGroup"
              placeholder={groups ? 'Pick a resource group' : 'Loading resource groups…'}
              value={draft.existingResourceGroup}
              selectedOptions={draft.existingResourceGroup ? [draft.existingResourceGroup] : []}
              onOptionSelect={(_, d) => {
                const group = groups?.find((g) => g.name === d.optionValue);
                update('existingResourceGroup', d.optionValue ?? '');
                if (group) update('location', group.location);
              }}
            >
              {groups?.map((g) => (
                <Option key={g.name} value={g.name} text={g.name}>
                  {g.name} ({g.location})
                </Option>
              ))}
            </Dropdown>
          )}
        </Field>
        <Field
          label="Region"
          required
          hint="Where the machines run; close to the team is faster."
          {...field('location')}
        >
          <RegionPicker value={draft.location} onChange={(v) => update('location', v)} />
        </Field>
        <div className={styles.inline}>
          <Button
            size="small"
            icon={busy === 'import' ? <Spinner size="extra-tiny" /> : <DocumentArrowUp16Regular />}
            disabled={busy !== undefined}
            onClick={() => fileRef.current?.click()}
          >
            Import the article&apos;s parameters file…
          </Button>
          <Text size={200} className={styles.muted}>
            dsvm-vmss-cluster.parameters.json from the Azure DSVM pool article
          </Text>
          <input
            ref={fileRef}
            type="file"
            accept=".json,application/json"
            className={styles.hidden}
            data-testid="wizard-import-file"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void importFile(file);
            }}
          />
        </div>
        {imported && <ImportSummary result={imported} />}
      </>
    );
  } else if (step === 'machines') {
    body = (
      <>
        <Field
          label="VM size"
          required
          hint="Any size your subscription offers in the region."
          {...field('vmSize')}
        >
          <Combobox
            freeform
            data-testid="wizard-vmSize"
            value={draft.vmSize}
            selectedOptions={[draft.vmSize]}
            onChange={(e) => update('vmSize', e.target.value)}
            onOptionSelect={(_, d) => d.optionValue && update('vmSize', d.optionValue)}
          >
            {COMMON_VM_SIZES.map((s) => (
              <Option key={s}>{s}</Option>
            ))}
          </Combobox>
        </Field>
        <div className={styles.row}>
          <Field label="Instances now" {...field('instanceCount')}>
            <Input
              type="number"
              min={0}
              max={1000}
              value={draft.instanceCount}
              data-testid="wizard-instanceCount"
              onChange={(_, d) => update('instanceCount', d.value)}
            />
          </Field>
          <Field
            label="Fewest (autoscale)"
            hint="0 lets the pool sleep."
            {...field('minInstances')}
          >
            <Input
              type="number"
              min={0}
              max={1000}
              value={draft.minInstances}
              data-testid="wizard-minInstances"
              onChange={(_, d) => update('minInstances', d.value)}
            />
          </Field>
          <Field label="Most (autoscale)" {...field('maxInstances')}>
            <Input
              type="number"
              min={1}
              max={1000}
              value={draft.maxInstances}
              data-testid="wizard-maxInstances"
              onChange={(_, d) => update('maxInstances', d.value)}
            />
          </Field>
        </div>
        <Field
          label="Image"
          hint="Default: the current Ubuntu 22.04 Data Science VM."
          {...field('image')}
        >
          <div className={styles.row}>
            <Input
              aria-label="Image publisher"
              value={draft.imagePublisher}
              onChange={(_, d) => update('imagePublisher', d.value)}
            />
            <Input
              aria-label="Image offer"
              value={draft.imageOffer}
              onChange={(_, d) => update('imageOffer', d.value)}
            />
            <Input
              aria-label="Image SKU"
              value={draft.imageSku}
              onChange={(_, d) => update('imageSku', d.value)}
            />
          </div>
        </Field>
        <div className={styles.row2}>
          <Field label="OS disk" {...field('osDiskType')}>
            <Dropdown
              value={draft.osDiskType}
              selectedOptions={[draft.osDiskType]}
              onOptionSelect={(_, d) => d.optionValue && update('osDiskType', d.optionValue)}
            >
              {OS_DISK_TYPES.map((t) => (
                <Option key={t}>{t}</Option>
              ))}
            </Dropdown>
          </Field>
          <Field label="Autoscale" {...field('autoscaleEnabled')}>
            <Switch
              checked={draft.autoscaleEnabled}
              label={draft.autoscaleEnabled ? 'On (between fewest and most)' : 'Off (fixed size)'}
              onChange={(_, d) => update('autoscaleEnabled', d.checked)}
            />
          </Field>
        </div>
        {draft.minInstances.trim() === '0' && (
          <Text size={200} className={styles.muted}>
            With 0 as the fewest, the pool can sleep at night; Connect starts an instance when
            someone needs one.
          </Text>
        )}
      </>
    );
  } else if (step === 'access') {
    body = (
      <>
        <Field label="Admin account" required {...field('adminUsername')}>
          <Input
            value={draft.adminUsername}
            data-testid="wizard-adminUsername"
            onChange={(_, d) => update('adminUsername', d.value)}
          />
        </Field>
        <Field
          label="Admin SSH public key"
          required
          hint="Password login is off. The app's own key is filled in so the app can connect at once."
          {...field('sshPublicKey')}
        >
          <Textarea
            resize="vertical"
            className={styles.mono}
            value={draft.sshPublicKey}
            data-testid="wizard-sshPublicKey"
            onChange={(_, d) => update('sshPublicKey', d.value)}
          />
        </Field>
        <div className={styles.inline}>
          <Button
            size="small"
            icon={<Key16Regular />}
            onClick={() =>
              rpc.call('keys.appPublicKey', {}).then(
                ({ publicKey }) => update('sshPublicKey', publicKey),
                (err: unknown) => setFormError(RpcError.from(err).message),
              )
            }
          >
            Use the app&apos;s key
          </Button>
        </div>
        <Field
          label="Who may reach SSH"
          required
          hint="Address ranges (CIDR), one per line: your office or VPN. Nothing else gets through."
          {...field('allowedSourceCidrs')}
        >
          <Textarea
            resize="vertical"
            className={styles.mono}
            placeholder="203.0.113.0/24"
            value={draft.allowedSourceCidrs}
            data-testid="wizard-allowedSourceCidrs"
            onChange={(_, d) => update('allowedSourceCidrs', d.value)}
          />
        </Field>
        <Checkbox
          checked={draft.allowInternetSsh}
          label="I accept 0.0.0.0/0: SSH open to the whole internet (keys only)"
          onChange={(_, d) => update('allowInternetSsh', d.checked === true)}
        />
        <div className={styles.row2}>
          <Field
            label="DNS label"
            hint={`<label>.${draft.location || 'region'}.cloudapp.azure.com`}
            {...field('dnsLabel')}
          >
            <Input
              placeholder={derivedDnsLabel(draft)}
              value={draft.dnsLabel}
              data-testid="wizard-dnsLabel"
              onChange={(_, d) => update('dnsLabel', d.value)}
            />
          </Field>
          <Field
            label="First SSH port"
            hint="Instance n answers on this port + n."
            {...field('natFrontendPortStart')}
          >
            <Input
              type="number"
              min={1024}
              max={65535}
              value={draft.natFrontendPortStart}
              data-testid="wizard-natFrontendPortStart"
              onChange={(_, d) => update('natFrontendPortStart', d.value)}
            />
          </Field>
        </div>
      </>
    );
  } else if (step === 'storage') {
    body = (
      <>
        <Text block className={styles.muted}>
          Optional: the Azure Files share every instance mounts, so each member&apos;s notebooks are
          on every VM. Leave empty to add storage later.
        </Text>
        <div className={styles.row2}>
          <Field label="Storage account" {...field('storageAccountName')}>
            <Input
              value={draft.storageAccountName}
              data-testid="wizard-storageAccountName"
              onChange={(_, d) => update('storageAccountName', d.value)}
            />
          </Field>
          <Field label="File share" {...field('fileShareName')}>
            <Input
              value={draft.fileShareName}
              data-testid="wizard-fileShareName"
              onChange={(_, d) => update('fileShareName', d.value)}
            />
          </Field>
        </div>
        <div className={styles.row2}>
          <Checkbox
            checked={!draft.createStorage}
            label="They exist already (in the pool's resource group)"
            onChange={(_, d) => update('createStorage', d.checked !== true)}
          />
          {draft.createStorage && (
            <Field label="Share quota (GiB)" {...field('shareQuotaGiB')}>
              <Input
                type="number"
                min={1}
                max={102400}
                value={draft.shareQuotaGiB}
                data-testid="wizard-shareQuotaGiB"
                onChange={(_, d) => update('shareQuotaGiB', d.value)}
              />
            </Field>
          )}
        </div>
        <Text size={200} className={styles.muted}>
          Every instance gets the pool agent: it mounts the share at boot and every minute, and
          gives each team member their account and ~/notebooks/remote. The storage key reaches the
          VMs only in the extension&apos;s protected settings.
        </Text>
      </>
    );
  } else {
    const params = draftParameters(draft);
    body = (
      <>
        <dl className={styles.summary} data-testid="wizard-summary">
          <SummaryRow label="Pool">{draft.poolName}</SummaryRow>
          <SummaryRow label="Where">
            {subs?.find((s) => s.subscriptionId === draft.subscriptionId)?.displayName} ·{' '}
            {resourceGroupOf(draft)}
            {draft.resourceGroupMode === 'new' ? ' (new)' : ''} · {draft.location}
          </SummaryRow>
          <SummaryRow label="Machines">
            {String(params.instanceCount ?? '')} × {draft.vmSize} (autoscale{' '}
            {draft.autoscaleEnabled ? `${draft.minInstances}–${draft.maxInstances}` : 'off'})
          </SummaryRow>
          <SummaryRow label="Image">
            {draft.imagePublisher}:{draft.imageOffer}:{draft.imageSku}:{draft.imageVersion}
          </SummaryRow>
          <SummaryRow label="SSH">
            {draft.adminUsername} from {(params.allowedSourceCidrs as string[]).join(', ')} on ports{' '}
            {draft.natFrontendPortStart}+ of {String(params.dnsLabel)}
          </SummaryRow>
          {draft.storageAccountName && (
            <SummaryRow label="Storage">
              {draft.storageAccountName}/{draft.fileShareName}
              {draft.createStorage ? ` (new, ${draft.shareQuotaGiB} GiB)` : ' (existing)'}
            </SummaryRow>
          )}
        </dl>
        {!review && <Spinner size="tiny" label="Checking the settings…" />}
        {review?.warnings.map((w, i) => (
          <MessageBar key={i} intent="warning" layout="multiline">
            <MessageBarBody>{w}</MessageBarBody>
          </MessageBar>
        ))}
        {review && (
          <div data-testid="wizard-az">
            <AzCommands az={review.az} open />
          </div>
        )}
      </>
    );
  }

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

  return (
    <Dialog open={open} onOpenChange={(_, d) => !d.open && close()}>
      <DialogSurface
        className={styles.surface}
        data-testid="create-pool-dialog"
        aria-describedby={undefined}
      >
        <form
          // The app validates (with Azure's rules, and says what to do); the browser's bubbles would not.
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (deploying) return;
            if (step === 'review') void create();
            else void next();
          }}
        >
          <DialogBody>
            <DialogTitle>{deploying ? `Creating ${draft.poolName}` : 'Create a pool'}</DialogTitle>
            <DialogContent className={styles.content}>
              {!deploying && (
                <ol className={styles.steps} aria-label="Steps">
                  {WIZARD_STEPS.map((s, i) => (
                    <li
                      key={s}
                      className={`${styles.step} ${s === step ? styles.current : ''}`}
                      aria-current={s === step ? 'step' : undefined}
                      data-testid={`wizard-step-${s}`}
                    >
                      {i + 1}. {STEP_LABELS[s]}
                      {stepErrors.get(s) ? ` (${stepErrors.get(s)} to fix)` : ''}
                    </li>
                  ))}
                </ol>
              )}
              {listError && (
                <MessageBar intent="error" layout="multiline">
                  <MessageBarBody>{listError}</MessageBarBody>
                </MessageBar>
              )}
              {body}
              {formError && (
                <MessageBar intent="error" layout="multiline">
                  <MessageBarBody>{formError}</MessageBarBody>
                </MessageBar>
              )}
            </DialogContent>
            <DialogActions>
              {deploying ? (
                <>
                  {operation?.status === 'failed' && (
                    <Button
                      onClick={() => {
                        setOperationId(undefined);
                        setStarted(undefined);
                        setStep('review');
                      }}
                    >
                      Back to the settings
                    </Button>
                  )}
                  <Button appearance="primary" data-testid="wizard-close" onClick={close}>
                    {running ? 'Close (keeps running)' : 'Done'}
                  </Button>
                </>
              ) : (
                <>
                  <Button
                    disabled={index === 0 || busy !== undefined}
                    data-testid="wizard-back"
                    onClick={() => setStep(WIZARD_STEPS[index - 1]!)}
                  >
                    Back
                  </Button>
                  {step === 'review' ? (
                    <Button
                      type="submit"
                      appearance="primary"
                      icon={busy === 'create' ? <Spinner size="extra-tiny" /> : <Add16Regular />}
                      disabled={busy !== undefined || !review}
                      data-testid="wizard-create"
                    >
                      Create pool
                    </Button>
                  ) : (
                    <Button
                      type="submit"
                      appearance="primary"
                      icon={busy === 'next' ? <Spinner size="extra-tiny" /> : undefined}
                      disabled={busy !== undefined}
                      data-testid="wizard-next"
                    >
                      Next
                    </Button>
                  )}
                  <Button disabled={busy === 'create'} onClick={close}>
                    Cancel
                  </Button>
                </>
              )}
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

/** The field name the app uses for a draft key (for clearing its error as it is edited). */
function fieldOfDraftKey(key: keyof PoolDraft): string {
  if (key.startsWith('image')) return 'image';
  if (key === 'newResourceGroup' || key === 'existingResourceGroup' || key === 'resourceGroupMode')
    return 'resourceGroup';
  return key;
}

function SummaryRow({ label, children }: { label: string; children: ReactNode }) {
  const styles = useStyles();
  return (
    <>
      <dt className={styles.dt}>{label}</dt>
      <dd className={styles.dd}>{children}</dd>
    </>
  );
}

function RegionPicker({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const [query, setQuery] = useState<string>();
  const q = (query ?? '').toLowerCase().replace(/\s+/g, '');
  const options = q ? AZURE_REGIONS.filter((r) => r.includes(q)) : AZURE_REGIONS;
  return (
    <Combobox
      freeform
      data-testid="wizard-location"
      value={query ?? value}
      selectedOptions={[value]}
      onChange={(e) => {
        setQuery(e.target.value);
        onChange(e.target.value);
      }}
      onOptionSelect={(_, d) => {
        setQuery(undefined);
        if (d.optionValue) onChange(d.optionValue);
      }}
    >
      {options.map((r) => (
        <Option key={r}>{r}</Option>
      ))}
    </Combobox>
  );
}

function ImportSummary({ result }: { result: ArticleImportResult }) {
  return (
    <MessageBar
      intent={result.refused.length ? 'warning' : 'success'}
      layout="multiline"
      data-testid="wizard-import-summary"
    >
      <MessageBarBody>
        Imported {result.mapped.length} {result.mapped.length === 1 ? 'setting' : 'settings'}
        {result.mapped.length ? ` (${result.mapped.join(', ')})` : ''}.
        {result.refused.map((r) => (
          <div key={r.name}>
            Refused {r.name}: {r.reason}
          </div>
        ))}
        {result.notMapped.map((r) => (
          <div key={r.name}>
            Not used {r.name}: {r.reason}
          </div>
        ))}
      </MessageBarBody>
    </MessageBar>
  );
}
