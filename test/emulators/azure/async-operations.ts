// ARM's long-running operations: the Azure-AsyncOperation status URL and the Location result URL
// that the SDK's pollers follow, and the state behind them.
import { randomUUID } from 'node:crypto';
import type { ArmErrorBody } from './arm-error';

export type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';

/** Where an operation's URLs live: under a provider's location, or under a deployment. */
export type OperationScope =
  | { kind: 'provider'; subscriptionId: string; namespace: string; location: string }
  | { kind: 'deployment'; deploymentId: string }
  | { kind: 'subscription'; subscriptionId: string };

export interface AsyncOperation {
  readonly id: string;
  /** What started it (`POST /subscriptions/…/start`), for logs and `emulator.operations`. */
  readonly request: string;
  status: OperationStatus;
  readonly startTime: string;
  endTime?: string;
  error?: ArmErrorBody;
  /** HTTP status the Location URL answers once failed (ARM answers the error's own status). */
  errorStatus?: number;
  /** What the Location URL returns once succeeded (default: no body). */
  result?: () => unknown;
  /** Path of the Azure-AsyncOperation URL (status polling). */
  readonly statusPath: string;
  /** Path of the Location URL (202 until done, then the result). */
  readonly resultPath: string;
  /** Settles when the operation ends, whatever the outcome. */
  readonly done: Promise<void>;
}

interface Entry extends AsyncOperation {
  resolveDone: () => void;
}

/** Every long-running operation the emulator started, by id. */
export class AsyncOperations {
  private readonly operations = new Map<string, Entry>();

  start(scope: OperationScope, request: string): AsyncOperation {
    const id = randomUUID();
    const [statusPath, resultPath] = paths(scope, id);
    let resolveDone!: () => void;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const entry: Entry = {
      id,
      request,
      status: 'InProgress',
      startTime: new Date().toISOString(),
      statusPath,
      resultPath,
      done,
      resolveDone,
    };
    this.operations.set(id, entry);
    return entry;
  }

  get(id: string): AsyncOperation | undefined {
    return this.operations.get(id.toLowerCase()) ?? this.operations.get(id);
  }

  all(): AsyncOperation[] {
    return [...this.operations.values()];
  }

  succeed(operation: AsyncOperation, result?: () => unknown): void {
    this.end(operation, 'Succeeded');
    if (result) operation.result = result;
  }

  fail(operation: AsyncOperation, error: ArmErrorBody, status = 500): void {
    if (this.end(operation, 'Failed')) {
      operation.error = error;
      operation.errorStatus = status;
    }
  }

  cancel(operation: AsyncOperation): void {
    this.end(operation, 'Canceled');
  }

  /** The body of the Azure-AsyncOperation URL, as compute, network and resources return it. */
  statusBody(operation: AsyncOperation): Record<string, unknown> {
    const body: Record<string, unknown> = {
      id: operation.statusPath,
      name: operation.id,
      status: operation.status,
      startTime: operation.startTime,
    };
    if (operation.endTime) body.endTime = operation.endTime;
    if (operation.error) body.error = operation.error;
    return body;
  }

  /** Headers a 201/202 carries so the SDK can poll: absolute URLs on this emulator. */
  pollingHeaders(
    operation: AsyncOperation,
    origin: string,
    apiVersion: string,
    options: { asyncOperation?: boolean; location?: boolean; retryAfterSeconds: number },
  ): Record<string, string> {
    const headers: Record<string, string> = {};
    const query = `api-version=${encodeURIComponent(apiVersion)}`;
    if (options.asyncOperation !== false) {
      headers['Azure-AsyncOperation'] = `${origin}${operation.statusPath}?${query}`;
    }
    if (options.location) {
      headers['Location'] = `${origin}${operation.resultPath}?monitor=true&${query}`;
    }
    headers['Retry-After'] = String(options.retryAfterSeconds);
    return headers;
  }

  private end(operation: AsyncOperation, status: OperationStatus): boolean {
    const entry = this.operations.get(operation.id);
    if (!entry || entry.status !== 'InProgress') return false;
    entry.status = status;
    entry.endTime = new Date().toISOString();
    entry.resolveDone();
    return true;
  }
}

function paths(scope: OperationScope, id: string): [string, string] {
  switch (scope.kind) {
    case 'provider': {
      const base =
        `/subscriptions/${scope.subscriptionId}/providers/${scope.namespace}` +
        `/locations/${scope.location}`;
      return [`${base}/operations/${id}`, `${base}/operationResults/${id}`];
    }
    case 'deployment':
      return [
        `${scope.deploymentId}/operationStatuses/${id}`,
        `${scope.deploymentId}/operationResults/${id}`,
      ];
    case 'subscription':
      return [
        `/subscriptions/${scope.subscriptionId}/operationStatuses/${id}`,
        `/subscriptions/${scope.subscriptionId}/operationresults/${id}`,
      ];
  }
}
