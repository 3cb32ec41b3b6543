// Maps a scale set VM's provisioning state and instance-view statuses to the app's InstanceState,
// with a sentence for the UI; pure, so every combination Azure reports is unit-tested.
import type { AgentExtensionState, InstanceState } from '../../../common/models';

interface StatusInput {
  code?: string;
  message?: string;
  displayStatus?: string;
}

/** The parts of a VMSS VM (arm-compute 24, properties flattened) this mapping reads. */
export interface VmStatusInput {
  provisioningState?: string;
  instanceView?: {
    statuses?: StatusInput[];
    extensions?: Array<{ name?: string; type?: string; statuses?: StatusInput[] }>;
  };
}

/** The template's name of the agent's extension (resources/templates/pool.json). */
export const AGENT_EXTENSION_NAME = 'dsvm-pool-agent';

/** Failures of an extension: the VM itself runs (and takes SSH), only its provisioning failed. */
const EXTENSION_FAILURES = new Set([
  'VMExtensionProvisioningError',
  'VMExtensionProvisioningTimeout',
]);

export interface MappedInstanceState {
  state: InstanceState;
  /** Azure's power state without the prefix: running, deallocated, … (undefined when unknown). */
  powerState?: string;
  /** Azure's provisioning state, lower case: succeeded, updating, failed, … */
  provisioningState?: string;
  /** The error code of a failed provisioning, e.g. AllocationFailed. */
  failureCode?: string;
  /** For the UI: why the instance is in this state. */
  detail?: string;
  /** The agent's extension, once the instance reported it. */
  agentExtension?: AgentExtensionState;
}

const POWER_TEXT: Record<string, string> = {
  stopped: 'Stopped but still allocated: compute is billed until it is deallocated',
  deallocated: 'Deallocated: no compute charges',
  deallocating: 'Deallocating',
  stopping: 'Stopping',
  starting: 'Starting',
};

export function mapInstanceState(vm: VmStatusInput): MappedInstanceState {
  const statuses = vm.instanceView?.statuses ?? [];
  const power = statuses
    .find((s) => s.code?.startsWith('PowerState/'))
    ?.code?.slice('PowerState/'.length)
    .toLowerCase();
  // The instance view's provisioning status is more precise than the model's: it carries the
  // failure code (`ProvisioningState/failed/AllocationFailed`) and its message.
  const provisioningStatus = statuses.find((s) => s.code?.startsWith('ProvisioningState/'));
  const [, viewState, failureCode] = provisioningStatus?.code?.split('/') ?? [];
  const provisioning = (viewState ?? vm.provisioningState)?.toLowerCase();

  const result: MappedInstanceState = { state: 'failed' };
  if (power !== undefined) result.powerState = power;
  if (provisioning !== undefined) result.provisioningState = provisioning;
  const agentExtension = agentExtensionOf(vm);
  if (agentExtension) result.agentExtension = agentExtension;

  if (provisioning === 'deleting') {
    return { ...result, state: 'stopping', detail: 'Being deleted' };
  }
  if (
    provisioning === 'failed' &&
    EXTENSION_FAILURES.has(failureCode ?? '') &&
    power === 'running'
  ) {
    // Azure fails the provisioning of a VM whose extension failed, but the VM runs and takes
    // SSH: it is usable (and Repair agent reaches it); the Agent column says what failed.
    return {
      ...result,
      failureCode,
      state: 'running',
      detail: `Its agent extension failed (${failureCode}): see Agent, or Repair agent.`,
    };
  }
  if (provisioning === 'failed') {
    if (failureCode) result.failureCode = failureCode;
    const what = provisioningStatus?.message?.trim() || 'The last operation on it failed';
    const code = failureCode ? ` (${failureCode})` : '';
    const now = power ? ` It is ${power} now.` : '';
    return { ...result, state: 'failed', detail: `${sentence(what)}${code}.${now}`.trim() };
  }
  switch (power) {
    case 'running':
      return { ...result, state: 'running' };
    case 'starting':
      return { ...result, state: 'starting', detail: POWER_TEXT.starting };
    case 'stopping':
    case 'deallocating':
      return { ...result, state: 'stopping', detail: POWER_TEXT[power] };
    case 'stopped':
    case 'deallocated':
      return { ...result, state: 'stopped', detail: POWER_TEXT[power] };
    case undefined:
      // A VM being created has no power state yet.
      if (provisioning === 'creating' || provisioning === 'updating') {
        return { ...result, state: 'starting', detail: 'Being created' };
      }
      return {
        ...result,
        state: 'failed',
        detail: `Azure reports no power state for it (provisioning ${provisioning ?? 'unknown'}).`,
      };
    default:
      return { ...result, state: 'failed', detail: `Unknown power state "${power}".` };
  }
}

/**
 * The agent's extension as the instance view reports it (`dsvm-pool-agent`, else the only
 * CustomScript): its first status's code gives the state, its message what it said.
 */
function agentExtensionOf(vm: VmStatusInput): AgentExtensionState | undefined {
  const extensions = vm.instanceView?.extensions ?? [];
  const ext =
    extensions.find((e) => e.name === AGENT_EXTENSION_NAME) ??
    (extensions.length === 1 && /customscript$/i.test(extensions[0]?.type ?? '')
      ? extensions[0]
      : undefined);
  const status = ext?.statuses?.find((s) => s.code?.startsWith('ProvisioningState/'));
  if (!ext?.name || !status?.code) return undefined;
  const state = status.code.split('/')[1]?.toLowerCase();
  return {
    name: ext.name,
    status: state === 'succeeded' ? 'succeeded' : state === 'failed' ? 'failed' : 'running',
    message: status.message ?? status.displayStatus ?? '',
  };
}

/** Drops a trailing period so a code can follow: "No capacity (AllocationFailed)." */
function sentence(text: string): string {
  return text.replace(/[.\s]+$/, '');
}
