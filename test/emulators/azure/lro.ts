// Answers that start a long-running operation the way ARM does: 201/200/202 with
// Azure-AsyncOperation (and Location for POST/DELETE) and Retry-After, the operation's end bound
// to the provisioning promise.
import { ArmError } from './arm-error';
import type { ArmRequest, ArmResponse } from './arm-router';
import { queryParam } from './arm-router';
import type { AsyncOperation, OperationScope } from './async-operations';
import type { EmulatorContext } from './emulator-context';
import { normalizeLocation } from './resource-ids';

export interface AcceptOptions {
  status: number;
  body?: unknown;
  /** POST and DELETE also give a Location (the result URL); PUT gives only Azure-AsyncOperation. */
  location?: boolean;
  /** Deployments' and resource groups' DELETE give only a Location. */
  asyncOperation?: boolean;
  /** What the Location URL returns once done. */
  result?: () => unknown;
}

/** Starts an operation that ends when `done` settles, and the answer announcing it. */
export function acceptOperation(
  ctx: EmulatorContext,
  request: ArmRequest,
  scope: OperationScope,
  done: Promise<void>,
  options: AcceptOptions,
): { operation: AsyncOperation; response: ArmResponse } {
  const operation = ctx.operations.start(scope, `${request.method} ${request.path}`);
  done.then(
    () => ctx.operations.succeed(operation, options.result),
    (err: unknown) => {
      const error =
        err instanceof ArmError
          ? err
          : new ArmError(
              500,
              'InternalServerError',
              err instanceof Error ? err.message : String(err),
            );
      ctx.operations.fail(operation, error.toBody().error, error.status);
    },
  );
  const apiVersion = queryParam(request.query, 'api-version') ?? '';
  const headers = ctx.operations.pollingHeaders(operation, request.origin, apiVersion, {
    asyncOperation: options.asyncOperation,
    location: options.location,
    retryAfterSeconds: ctx.retryAfterSeconds,
  });
  const response: ArmResponse = { status: options.status, headers };
  if (options.body !== undefined) response.body = options.body;
  return { operation, response };
}

/** The operation scope of a provider namespace in a location (where compute/network poll). */
export function providerScope(
  subscriptionId: string,
  namespace: string,
  location: string | undefined,
): OperationScope {
  // `West Europe` as sent in a body becomes `westeurope` in the URL, as ARM writes it.
  return {
    kind: 'provider',
    subscriptionId,
    namespace,
    location: location ? normalizeLocation(location) : 'global',
  };
}
