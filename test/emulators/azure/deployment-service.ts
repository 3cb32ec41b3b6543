// Microsoft.Resources/deployments: validate a template, then create its resources in dependency
// order through the resource providers, with per-resource deployment operations to follow.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { checkApiVersion } from './api-versions';
import { ArmError, type ArmErrorBody } from './arm-error';
import { queryParam, type ArmRequest, type ArmResponse, type ArmRouter } from './arm-router';
import type { EmulatorContext } from './emulator-context';
import { acceptOperation } from './lro';
import { idKey, normalizeLocation, parseResourceId } from './resource-ids';
import {
  NotReadyError,
  TemplateEvaluation,
  type PlannedResource,
  type TypedValue,
} from './template-engine';
import { TemplateError } from './template-error';

type Json = Record<string, unknown>;
type State = 'Accepted' | 'Running' | 'Succeeded' | 'Failed' | 'Canceled';

/** Role definitions: subscription-level whatever group's template deploys them. */
const ROLE_DEFINITIONS = 'microsoft.authorization/roledefinitions';
const DEPLOYMENT_TYPE = 'Microsoft.Resources/deployments';
const PATH =
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Resources/deployments';
const OPERATIONS_PATH =
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/deployments';
const FAILED_MESSAGE =
  'At least one resource deployment operation failed. Please list deployment operations for ' +
  'details. Please see https://aka.ms/arm-deployment-operations for usage details.';

interface DeploymentOperation {
  operationId: string;
  provisioningOperation: 'Create' | 'EvaluateDeploymentOutput';
  state: 'Running' | 'Succeeded' | 'Failed';
  started: number;
  ended?: number;
  error?: ArmErrorBody;
  statusCode?: string;
  target?: { id: string; resourceType: string; resourceName: string; apiVersion: string };
}

interface Deployment {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  state: State;
  mode: string;
  correlationId: string;
  started: number;
  ended?: number;
  templateHash: string;
  templateLink?: Json;
  parameters: Record<string, TypedValue>;
  providers: Json[];
  dependencies: Json[];
  outputs?: Record<string, TypedValue>;
  outputResources?: { id: string }[];
  error?: ArmErrorBody;
  operations: DeploymentOperation[];
  cancelled: boolean;
  template: Json;
}

export class DeploymentService {
  private readonly deployments = new Map<string, Deployment>();
  private readonly templateLinks = new Map<string, Json>();

  constructor(private readonly ctx: EmulatorContext) {}

  /** Makes `uri` resolvable as a templateLink (the emulator reaches no other server). */
  registerTemplateLink(uri: string, template: Json): void {
    this.templateLinks.set(uri.split('?')[0], template);
  }

  registerRoutes(router: ArmRouter): void {
    router.add('GET', PATH, (req) => {
      this.ctx.store.group(req.params.subscriptionId, req.params.resourceGroupName);
      const prefix = idKey(`${this.rgPath(req)}/providers/${DEPLOYMENT_TYPE}/`);
      const value = [...this.deployments.entries()]
        .filter(([key]) => key.startsWith(prefix))
        .map(([, d]) => this.view(d));
      return { status: 200, body: { value } };
    });
    router.add(['GET', 'HEAD'], `${PATH}/{deploymentName}`, (req) => {
      const deployment = this.find(req);
      if (req.method === 'HEAD') return { status: deployment ? 204 : 404 };
      if (!deployment) throw this.notFound(req);
      return { status: 200, body: this.view(deployment) };
    });
    router.add('PUT', `${PATH}/{deploymentName}`, (req) => this.put(req));
    router.add('DELETE', `${PATH}/{deploymentName}`, (req) => this.remove(req));
    router.add('POST', `${PATH}/{deploymentName}/validate`, (req) => this.validate(req));
    router.add('POST', `${PATH}/{deploymentName}/cancel`, (req) => {
      const deployment = this.find(req);
      if (!deployment) throw this.notFound(req);
      if (deployment.state !== 'Accepted' && deployment.state !== 'Running') {
        throw new ArmError(
          409,
          'DeploymentCannotBeCancelled',
          `The deployment '${deployment.name}' cannot be cancelled: it is ${deployment.state}.`,
        );
      }
      deployment.cancelled = true;
      return { status: 204 };
    });
    router.add('POST', `${PATH}/{deploymentName}/exportTemplate`, (req) => {
      const deployment = this.find(req);
      if (!deployment) throw this.notFound(req);
      return { status: 200, body: { template: deployment.template } };
    });
    // Deployment operations live at `.../resourcegroups/<rg>/deployments/<name>/operations`,
    // without `providers/Microsoft.Resources` (the REST API's own path); both forms are served.
    for (const base of [PATH, OPERATIONS_PATH]) {
      router.add('GET', `${base}/{deploymentName}/operations`, (req) => {
        const deployment = this.find(req);
        if (!deployment) throw this.notFound(req);
        const top = Number(queryParam(req.query, '$top') ?? Infinity);
        const value = deployment.operations
          .slice(0, top)
          .map((o) => this.operationView(deployment, o));
        return { status: 200, body: { value } };
      });
      router.add('GET', `${base}/{deploymentName}/operations/{operationId}`, (req) => {
        const deployment = this.find(req);
        const operation = deployment?.operations.find(
          (o) => o.operationId === req.params.operationId,
        );
        if (!deployment || !operation) throw this.notFound(req);
        return { status: 200, body: this.operationView(deployment, operation) };
      });
    }
  }

  /** A deleted group takes its deployments' history with it. */
  removeGroup(subscriptionId: string, resourceGroup: string): void {
    const prefix = idKey(`/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/`);
    for (const key of [...this.deployments.keys()])
      if (key.startsWith(prefix)) this.deployments.delete(key);
  }

  private put(req: ArmRequest): ArmResponse {
    const group = this.ctx.store.group(req.params.subscriptionId, req.params.resourceGroupName);
    const id = `${group.id}/providers/${DEPLOYMENT_TYPE}/${req.params.deploymentName}`;
    const existing = this.deployments.get(idKey(id));
    if (existing && (existing.state === 'Running' || existing.state === 'Accepted')) {
      throw new ArmError(
        409,
        'DeploymentActive',
        `The deployment '${existing.name}' is still active; wait for it or cancel it first.`,
      );
    }
    const { evaluation, template, props } = this.evaluate(req, group.name);
    const deployment: Deployment = {
      id,
      name: req.params.deploymentName,
      subscriptionId: group.subscriptionId,
      resourceGroup: group.name,
      state: 'Accepted',
      mode: String(props.mode ?? 'Incremental'),
      correlationId: randomUUID(),
      started: Date.now(),
      templateHash: templateHash(template),
      parameters: evaluation.parameters,
      providers: this.providers(evaluation, group.location),
      dependencies: evaluation.dependencies(),
      operations: [],
      cancelled: false,
      template,
    };
    if (props.templateLink) deployment.templateLink = linkView(obj(props.templateLink), template);
    this.deployments.set(idKey(id), deployment);
    const done = this.run(deployment, evaluation);
    return acceptOperation(this.ctx, req, { kind: 'deployment', deploymentId: id }, done, {
      status: existing ? 200 : 201,
      body: this.view(deployment),
    }).response;
  }

  private validate(req: ArmRequest): ArmResponse {
    const group = this.ctx.store.group(req.params.subscriptionId, req.params.resourceGroupName);
    const { evaluation, template, props } = this.evaluate(req, group.name);
    const id = `${group.id}/providers/${DEPLOYMENT_TYPE}/${req.params.deploymentName}`;
    return {
      status: 200,
      body: {
        id,
        name: req.params.deploymentName,
        type: DEPLOYMENT_TYPE,
        properties: {
          templateHash: templateHash(template),
          parameters: publicParameters(evaluation.parameters),
          mode: props.mode ?? 'Incremental',
          provisioningState: 'Succeeded',
          timestamp: new Date().toISOString(),
          duration: 'PT0S',
          correlationId: randomUUID(),
          providers: this.providers(evaluation, group.location),
          dependencies: evaluation.dependencies(),
          validatedResources: evaluation.resources.map((r) => ({ id: r.id })),
        },
      },
    };
  }

  private evaluate(req: ArmRequest, resourceGroup: string) {
    const props = obj(obj(req.body).properties);
    const group = this.ctx.store.group(req.params.subscriptionId, resourceGroup);
    const subscription = this.ctx.store.subscription(req.params.subscriptionId);
    let template: Json;
    if (props.template && typeof props.template === 'object') {
      template = props.template as Json;
    } else if (props.templateLink) {
      const uri = String(obj(props.templateLink).uri ?? '').split('?')[0];
      const linked = this.templateLinks.get(uri);
      if (!linked) {
        throw ArmError.badRequest(
          'InvalidContentLink',
          `Unable to download deployment content from '${uri}' (the emulator reaches only templates ` +
            'registered with registerTemplateLink).',
        );
      }
      template = linked;
    } else {
      throw ArmError.badRequest(
        'InvalidRequestContent',
        'The deployment needs a template or a templateLink.',
      );
    }
    if (props.parametersLink) {
      throw ArmError.badRequest(
        'InvalidContentLink',
        'parametersLink is not supported by the emulator.',
      );
    }
    try {
      const evaluation = new TemplateEvaluation(
        template,
        obj(props.parameters),
        {
          subscriptionId: subscription.subscriptionId,
          subscriptionName: subscription.displayName,
          tenantId: subscription.tenantId,
          resourceGroup: {
            id: group.id,
            name: group.name,
            location: group.location,
            tags: group.tags,
          },
          deploymentName: req.params.deploymentName,
          templateLink: props.templateLink as Json | undefined,
          origin: req.origin,
        },
        { reference: () => ({}), listKeys: () => ({}) }, // replaced per run: see run()
      );
      return { evaluation, template, props };
    } catch (err) {
      if (err instanceof TemplateError) throw ArmError.badRequest(err.code, err.message);
      throw err;
    }
  }

  private async run(deployment: Deployment, evaluation: TemplateEvaluation): Promise<void> {
    const byKey = new Map(evaluation.resources.map((r) => [idKey(r.id), r]));
    const finished = new Map<string, Promise<boolean>>();
    const settledOk = new Set<string>();
    // reference() reads what exists; a resource of this deployment not yet made means "wait".
    evaluation.resolver = {
      reference: (id: string) => {
        const planned = byKey.get(idKey(id));
        const result = this.ctx.store.get(id);
        if (planned && (!result || !settledOk.has(idKey(id)))) throw new NotReadyError(id);
        if (!result)
          throw new TemplateError(`The Resource '${id}' was not found.`, 'ResourceNotFound');
        return this.ctx.provider(result.type).view(result, new URLSearchParams()) as Json;
      },
      listKeys: (id: string) => this.listKeys(id),
    };
    const deploy = (resource: PlannedResource): Promise<boolean> => {
      const key = idKey(resource.id);
      let promise = finished.get(key);
      if (!promise) {
        promise = this.deployOne(deployment, evaluation, resource, byKey, deploy).then((ok) => {
          if (ok) settledOk.add(key);
          return ok;
        });
        finished.set(key, promise);
      }
      return promise;
    };
    await this.ctx.scheduler.delay(1);
    deployment.state = 'Running';
    const results = await Promise.all(evaluation.resources.map(deploy));
    try {
      if (deployment.cancelled) {
        deployment.state = 'Canceled';
        throw new ArmError(
          409,
          'DeploymentCanceled',
          `The deployment '${deployment.name}' was canceled.`,
        );
      }
      if (results.some((ok) => !ok)) {
        const details = deployment.operations
          .filter((o) => o.error)
          .map((o) => o.error as ArmErrorBody);
        deployment.error = { code: 'DeploymentFailed', message: FAILED_MESSAGE, details };
        deployment.state = 'Failed';
        throw new ArmError(400, 'DeploymentFailed', FAILED_MESSAGE, details);
      }
      if (deployment.mode.toLowerCase() === 'complete')
        await this.removeOthers(deployment, evaluation);
      if (Object.keys(obj(deployment.template.outputs)).length > 0) {
        const operation = this.startOperation(deployment, 'EvaluateDeploymentOutput');
        try {
          deployment.outputs = evaluation.outputs();
          this.endOperation(operation);
        } catch (err) {
          const error = toErrorBody(err);
          this.endOperation(operation, error);
          deployment.error = {
            code: 'DeploymentFailed',
            message: FAILED_MESSAGE,
            details: [error],
          };
          deployment.state = 'Failed';
          throw new ArmError(400, 'DeploymentFailed', FAILED_MESSAGE, [error]);
        }
      }
      deployment.outputResources = evaluation.resources.map((r) => ({ id: r.id }));
      deployment.state = 'Succeeded';
    } finally {
      deployment.ended = Date.now();
    }
  }

  private async deployOne(
    deployment: Deployment,
    evaluation: TemplateEvaluation,
    resource: PlannedResource,
    byKey: Map<string, PlannedResource>,
    deploy: (r: PlannedResource) => Promise<boolean>,
  ): Promise<boolean> {
    const dependencies = await Promise.all(
      resource.dependsOn.map((key) => {
        const planned = byKey.get(key);
        return planned ? deploy(planned) : Promise.resolve(true);
      }),
    );
    // ARM does not start a resource whose dependency failed, nor anything once canceled.
    if (dependencies.some((ok) => !ok) || deployment.cancelled) return false;
    const operation = this.startOperation(deployment, 'Create', resource);
    try {
      let body: Json;
      for (;;) {
        try {
          body = evaluation.evaluateResource(resource);
          break;
        } catch (err) {
          const waitFor =
            err instanceof NotReadyError ? byKey.get(idKey(err.resourceId)) : undefined;
          if (!waitFor || waitFor === resource) throw err;
          if (!(await deploy(waitFor))) {
            throw new ArmError(
              400,
              'DependencyFailed',
              `The resource '${waitFor.id}' it references failed.`,
            );
          }
        }
      }
      const fault = this.ctx.faults.takeOperationFault('PUT', resource.id);
      const parts = parseResourceId(resource.id);
      if (
        !parts ||
        resource.raw.scope !== undefined ||
        resource.type.toLowerCase() === ROLE_DEFINITIONS
      ) {
        await this.putExtensionResource(deployment, resource, body, fault);
      } else {
        // ARM routes a template's resource by its apiVersion like any request.
        checkApiVersion(resource.id, resource.apiVersion, () =>
          typeof body.location === 'string' ? normalizeLocation(body.location) : undefined,
        );
        const provider = this.ctx.provider(resource.type);
        const result = provider.put({
          id: resource.id,
          parts,
          body,
          apiVersion: resource.apiVersion,
          fault,
        });
        operation.statusCode = result.created ? 'Created' : 'OK';
        await result.done;
      }
      this.endOperation(operation);
      return true;
    } catch (err) {
      this.endOperation(operation, toErrorBody(err));
      return false;
    }
  }

  /** Role assignments and other resources scoped to another resource: stored as they are. */
  private async putExtensionResource(
    deployment: Deployment,
    resource: PlannedResource,
    body: Json,
    fault: ArmErrorBody | undefined,
  ): Promise<void> {
    await this.ctx.scheduler.delay(this.ctx.delays.resource);
    if (fault) throw new ArmError(500, fault.code, fault.message);
    const name = resource.name.split('/').pop() ?? resource.name;
    // A role definition is a subscription's, whatever group deployed it (its id has no group),
    // so deleting the group leaves it (custom roles outlive the groups they are assignable in).
    const roleDefinition = resource.type.toLowerCase() === ROLE_DEFINITIONS;
    this.ctx.store.put({
      id: roleDefinition
        ? `/subscriptions/${deployment.subscriptionId}/providers/${resource.type}/${name}`
        : resource.id,
      name,
      type: resource.type,
      subscriptionId: deployment.subscriptionId,
      resourceGroup: roleDefinition ? '' : deployment.resourceGroup,
      location: typeof body.location === 'string' ? normalizeLocation(body.location) : undefined,
      body,
      provisioningState: 'Succeeded',
    });
  }

  private async removeOthers(
    deployment: Deployment,
    evaluation: TemplateEvaluation,
  ): Promise<void> {
    const keep = new Set(evaluation.resources.map((r) => idKey(r.id)));
    const others = this.ctx.store
      .list(deployment.subscriptionId, deployment.resourceGroup)
      .filter((r) => !keep.has(idKey(r.id)) && r.type.split('/').length === 2);
    await Promise.all(others.map((r) => this.ctx.provider(r.type).delete(r)));
  }

  private remove(req: ArmRequest): ArmResponse {
    const deployment = this.find(req);
    if (!deployment) return { status: 204 };
    if (deployment.state === 'Running' || deployment.state === 'Accepted') {
      throw new ArmError(
        409,
        'DeploymentActive',
        `The deployment '${deployment.name}' is still active.`,
      );
    }
    // Deleting a deployment deletes its history only, never the resources it made.
    const done = this.ctx.scheduler.delay(this.ctx.delays.resource).then(() => {
      this.deployments.delete(idKey(deployment.id));
    });
    return acceptOperation(
      this.ctx,
      req,
      { kind: 'deployment', deploymentId: deployment.id },
      done,
      {
        status: 202,
        location: true,
        asyncOperation: false,
      },
    ).response;
  }

  private listKeys(id: string): unknown {
    const resource = this.ctx.store.get(id);
    if (!resource)
      throw new TemplateError(`The Resource '${id}' was not found.`, 'ResourceNotFound');
    // Stable per resource: the same template deployed twice gets the same keys.
    const key = (n: number) =>
      createHash('sha512').update(`${resource.resourceGuid}/${n}`).digest('base64');
    return {
      keys: [
        { keyName: 'key1', value: key(1), permissions: 'FULL' },
        { keyName: 'key2', value: key(2), permissions: 'FULL' },
      ],
    };
  }

  private startOperation(
    deployment: Deployment,
    kind: DeploymentOperation['provisioningOperation'],
    resource?: PlannedResource,
  ): DeploymentOperation {
    const operation: DeploymentOperation = {
      operationId: randomBytes(8).toString('hex').toUpperCase(),
      provisioningOperation: kind,
      state: 'Running',
      started: Date.now(),
    };
    if (resource) {
      operation.target = {
        id: resource.id,
        resourceType: resource.type,
        resourceName: resource.name,
        apiVersion: resource.apiVersion,
      };
    }
    deployment.operations.push(operation);
    return operation;
  }

  private endOperation(operation: DeploymentOperation, error?: ArmErrorBody): void {
    operation.ended = Date.now();
    operation.state = error ? 'Failed' : 'Succeeded';
    if (error) {
      operation.error = error;
      operation.statusCode = error.code === 'InvalidTemplate' ? 'BadRequest' : 'Conflict';
    } else {
      operation.statusCode ??= 'OK';
    }
  }

  private view(deployment: Deployment): Json {
    const properties: Json = {
      templateHash: deployment.templateHash,
      parameters: publicParameters(deployment.parameters),
      mode: deployment.mode,
      provisioningState: deployment.state,
      timestamp: new Date(deployment.ended ?? deployment.started).toISOString(),
      duration: isoDuration((deployment.ended ?? Date.now()) - deployment.started),
      correlationId: deployment.correlationId,
      providers: deployment.providers,
      dependencies: deployment.dependencies,
    };
    if (deployment.templateLink) properties.templateLink = deployment.templateLink;
    if (deployment.outputs) properties.outputs = deployment.outputs;
    if (deployment.outputResources) properties.outputResources = deployment.outputResources;
    if (deployment.error) properties.error = deployment.error;
    return { id: deployment.id, name: deployment.name, type: DEPLOYMENT_TYPE, properties };
  }

  private operationView(deployment: Deployment, operation: DeploymentOperation): Json {
    const properties: Json = {
      provisioningOperation: operation.provisioningOperation,
      provisioningState: operation.state,
      timestamp: new Date(operation.ended ?? operation.started).toISOString(),
      duration: isoDuration((operation.ended ?? Date.now()) - operation.started),
      trackingId: deployment.correlationId,
      serviceRequestId: operation.operationId.toLowerCase(),
    };
    if (operation.statusCode) properties.statusCode = operation.statusCode;
    if (operation.error) properties.statusMessage = { status: 'Failed', error: operation.error };
    if (operation.target) properties.targetResource = operation.target;
    return {
      id: `${deployment.id}/operations/${operation.operationId}`,
      operationId: operation.operationId,
      properties,
    };
  }

  private providers(evaluation: TemplateEvaluation, groupLocation: string): Json[] {
    const byNamespace = new Map<string, Map<string, Set<string>>>();
    for (const resource of evaluation.resources) {
      const [namespace, ...rest] = resource.type.split('/');
      const types = byNamespace.get(namespace) ?? new Map<string, Set<string>>();
      byNamespace.set(namespace, types);
      const locations = types.get(rest.join('/')) ?? new Set<string>();
      types.set(rest.join('/'), locations);
      const location = evaluation.plannedLocation(resource);
      locations.add(location ? normalizeLocation(location) : groupLocation);
    }
    return [...byNamespace].map(([namespace, types]) => ({
      namespace,
      resourceTypes: [...types].map(([resourceType, locations]) => ({
        resourceType,
        locations: [...locations],
      })),
    }));
  }

  private find(req: ArmRequest): Deployment | undefined {
    return this.deployments.get(
      idKey(`${this.rgPath(req)}/providers/${DEPLOYMENT_TYPE}/${req.params.deploymentName}`),
    );
  }

  private rgPath(req: ArmRequest): string {
    return `/subscriptions/${req.params.subscriptionId}/resourceGroups/${req.params.resourceGroupName}`;
  }

  private notFound(req: ArmRequest): ArmError {
    return new ArmError(
      404,
      'DeploymentNotFound',
      `Deployment '${req.params.deploymentName}' could not be found.`,
    );
  }
}

/** Secure parameters are listed by type only, as ARM does. */
function publicParameters(parameters: Record<string, TypedValue>): Json {
  const result: Json = {};
  for (const [name, p] of Object.entries(parameters)) {
    result[name] = p.type.startsWith('Secure')
      ? { type: p.type }
      : { type: p.type, value: p.value };
  }
  return result;
}

function linkView(link: Json, template: Json): Json {
  const view: Json = { uri: link.uri, contentVersion: template.contentVersion ?? '1.0.0.0' };
  if (link.queryString) view.queryString = link.queryString;
  return view;
}

function templateHash(template: Json): string {
  const digest = createHash('sha256').update(JSON.stringify(template)).digest();
  return digest.readBigUInt64BE().toString().slice(0, 19);
}

function isoDuration(ms: number): string {
  return `PT${(Math.max(0, ms) / 1000).toFixed(3)}S`;
}

function toErrorBody(err: unknown): ArmErrorBody {
  if (err instanceof ArmError) return err.toBody().error;
  if (err instanceof TemplateError) return { code: err.code, message: err.message };
  return { code: 'InternalServerError', message: err instanceof Error ? err.message : String(err) };
}

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}
