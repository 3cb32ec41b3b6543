// The wizard's first step: the pool's name, the subscription and resource group it goes in, its
// region, or all of it from the article's parameters file.
import {
  Button,
  Combobox,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Option,
  Radio,
  RadioGroup,
  Spinner,
  Text,
} from '@fluentui/react-components';
import { DocumentArrowUp16Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import { AZURE_REGIONS } from '../../../common/azure-regions';
import type { ArticleImportResult } from '../../../common/models';
import { POOL_FIELD_LABELS as L } from '../../../common/pool-fields';
import type { CreatePoolModel } from './create-pool-model';
import type { PoolDraft } from './pool-draft';
import { useWizardStyles } from './wizard-styles';

/** Basics: where the pool goes and what it is called. */
export function BasicsStep({ model }: { model: CreatePoolModel }) {
  const styles = useWizardStyles();
  const { draft, update, field, subs, groups, busy, fileRef, importFile, imported } = model;
  return (
    <>
      <Field
        label={L.poolName}
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
      <Field label={L.subscriptionId} required {...field('subscriptionId')}>
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
      <Field label={L.resourceGroup} required {...field('resourceGroup')}>
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
        label={L.location}
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
