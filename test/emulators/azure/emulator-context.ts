// What every part of the emulator shares: state, operations, faults, timing, and the resource
// providers a PUT (from HTTP or from a deployment) is dispatched to.
import type { ArmErrorBody } from './arm-error';
import type { AsyncOperations } from './async-operations';
import type { FaultInjector } from './fault-injector';
import type { ResourceIdParts } from './resource-ids';
import type { ResourceStore, StoredResource } from './resource-store';
import type { Scheduler } from './scheduler';

/** How long things take, in milliseconds. Small by default so tests stay fast. */
export interface EmulatorDelays {
  /** A new VM: Creating → Succeeded/running. */
  vmCreate: number;
  /** Starting → running. */
  vmStart: number;
  /** Stopping → stopped (powerOff). */
  vmStop: number;
  /** Deallocating → deallocated. */
  vmDeallocate: number;
  /** Restarting → running. */
  vmRestart: number;
  /** Deleting → gone. */
  vmDelete: number;
  /** Any other resource's PUT or DELETE (network, generic). */
  resource: number;
}

export interface PutRequest {
  id: string;
  parts: ResourceIdParts;
  body: Record<string, unknown>;
  apiVersion: string;
  /** A failure queued with `failOperation` for this request: provisioning ends with it. */
  fault?: ArmErrorBody;
}

export interface PutResult {
  created: boolean;
  /** What the PUT answers with (provisioningState Creating/Updating). */
  view: unknown;
  /** Settles when provisioning ends; rejects with an ArmError when it failed. */
  done: Promise<void>;
}

/** Owner of one or more resource types: how they are created, shown, patched and deleted. */
export interface ResourceProvider {
  /** Lower-case full types, e.g. `microsoft.network/loadbalancers`. */
  readonly types: readonly string[];
  /** Compute and network PUT/DELETE are long-running; Insights (autoscale) answers at once. */
  readonly longRunning: boolean;
  /** Whether PATCH is long-running too (compute's is; network tags and Insights answer at once). */
  readonly longRunningPatch?: boolean;
  put(request: PutRequest): PutResult;
  view(resource: StoredResource, query: URLSearchParams): unknown;
  /** PATCH: defaults to merging tags only. */
  patch?(resource: StoredResource, body: Record<string, unknown>, fault?: ArmErrorBody): PutResult;
  delete(resource: StoredResource, fault?: ArmErrorBody): Promise<void>;
  /**
   * Throws the ArmError Azure answers a DELETE of a resource something still uses. Only a
   * client's DELETE is checked: a resource group's deletion orders its resources itself.
   */
  checkDelete?(resource: StoredResource): void;
}

export interface EmulatorContext {
  readonly store: ResourceStore;
  readonly operations: AsyncOperations;
  readonly faults: FaultInjector;
  readonly delays: EmulatorDelays;
  /** The Retry-After of 201/202 answers (the SDK waits this long between polls). */
  readonly retryAfterSeconds: number;
  readonly scheduler: Scheduler;
  log(line: string): void;
  /** The provider for a type (`Microsoft.Network/loadBalancers`); the generic one otherwise. */
  provider(type: string): ResourceProvider;
}
