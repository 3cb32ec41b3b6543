// Evaluates an ARM deployment template: parameters (types, defaults, allowed values), variables,
// the resource list (copy loops, conditions, nested children, dependsOn) and outputs.
import { buildResourceId, idKey } from './resource-ids';
import { TemplateError } from './template-error';
import { evaluateValue, toCount, type TemplateContext } from './template-expressions';

type Json = Record<string, unknown>;

export interface DeploymentScope {
  subscriptionId: string;
  subscriptionName: string;
  tenantId: string;
  resourceGroup: { id: string; name: string; location: string; tags?: Record<string, string> };
  deploymentName: string;
  templateLink?: Json;
  /** The emulator's origin, for environment().resourceManager. */
  origin: string;
}

/** How the template reads resources that exist (reference, listKeys). */
export interface ResourceResolver {
  /** The resource as GET shows it; throws NotReadyError for one this deployment has not made yet. */
  reference(id: string): Json;
  listKeys(id: string): unknown;
}

/** reference() named a resource of this deployment that is not provisioned yet: wait for it. */
export class NotReadyError extends Error {
  constructor(readonly resourceId: string) {
    super(`${resourceId} is not provisioned yet`);
    this.name = 'NotReadyError';
  }
}

export interface PlannedResource {
  id: string;
  /** `Microsoft.Network/loadBalancers` */
  type: string;
  /** `myLb` or `vnet/subnet` */
  name: string;
  apiVersion: string;
  raw: Json;
  copyIndexes: Map<string, number>;
  /** Ids (lower-case keys) of the planned resources it waits for. */
  dependsOn: string[];
  loop?: string;
}

export interface TypedValue {
  type: string;
  value: unknown;
}

const RESOURCE_ONLY_KEYS = [
  'dependsOn',
  'copy',
  'condition',
  'resources',
  'comments',
  'apiVersion',
  'metadata',
  'scope',
  'type',
  'name',
];

export class TemplateEvaluation {
  readonly parameters: Record<string, TypedValue> = {};
  readonly resources: PlannedResource[] = [];
  /** Resources whose condition was false: a dependsOn naming them is ignored, as in ARM. */
  private readonly skipped = new Set<string>();
  private readonly variableValues = new Map<string, unknown>();
  private readonly evaluating = new Set<string>();
  private readonly declared: Record<string, Json>;
  private readonly variables: Json;
  private readonly base: TemplateContext;

  constructor(
    private readonly template: Json,
    parameterValues: Json,
    private readonly scope: DeploymentScope,
    /** Replaceable: validation has nothing to read yet; the deployment run reads its resources. */
    public resolver: ResourceResolver,
  ) {
    if (!template || typeof template !== 'object' || !Array.isArray(template.resources)) {
      if (
        template &&
        typeof template === 'object' &&
        template.resources &&
        !Array.isArray(template.resources)
      ) {
        throw new TemplateError(
          'Templates with symbolic resource names (languageVersion 2.0) are not supported by the emulator.',
        );
      }
      throw new TemplateError("The template must be an object with a 'resources' array.");
    }
    this.declared = obj(template.parameters) as Record<string, Json>;
    this.variables = obj(template.variables);
    this.base = this.context(new Map());
    this.bindParameters(obj(parameterValues));
    this.planResources(template.resources as Json[], undefined);
    this.resolveDependencies();
  }

  /** The resource's body at deploy time: every expression evaluated, template-only keys dropped. */
  evaluateResource(resource: PlannedResource): Json {
    const body = evaluateValue(resource.raw, this.context(resource.copyIndexes)) as Json;
    for (const key of RESOURCE_ONLY_KEYS) delete body[key];
    // `"plan": "[if(..., json('null'), ...)]"`: a null property is an absent one to ARM.
    for (const [key, value] of Object.entries(body)) if (value === null) delete body[key];
    return body;
  }

  /** The resource's location when known before deploying (from parameters and variables). */
  plannedLocation(resource: PlannedResource): string | undefined {
    try {
      const location = evaluateValue(resource.raw.location, this.context(resource.copyIndexes));
      return typeof location === 'string' ? location : undefined;
    } catch {
      return undefined;
    }
  }

  /** Outputs with their declared types, once every resource is provisioned. */
  outputs(): Record<string, TypedValue> {
    const result: Record<string, TypedValue> = {};
    for (const [name, output] of Object.entries(
      obj(this.template.outputs) as Record<string, Json>,
    )) {
      if (output.condition !== undefined && evaluateValue(output.condition, this.base) !== true) {
        continue;
      }
      const value = evaluateValue(output.value, this.base);
      result[name] = { type: typeName(String(output.type ?? 'string')), value };
    }
    return result;
  }

  /** Evaluated dependencies in ARM's `dependencies` shape. */
  dependencies(): Json[] {
    const byKey = new Map(this.resources.map((r) => [idKey(r.id), r]));
    return this.resources
      .filter((r) => r.dependsOn.length > 0)
      .map((r) => ({
        id: r.id,
        resourceType: r.type,
        resourceName: r.name,
        dependsOn: r.dependsOn.map((key) => {
          const d = byKey.get(key);
          return { id: d?.id, resourceType: d?.type, resourceName: d?.name };
        }),
      }));
  }

  private context(copyIndexes: Map<string, number>): TemplateContext {
    const scope = this.scope;
    return {
      parameter: (name) => this.parameter(name),
      variable: (name) => this.variable(name),
      resourceGroup: () => ({
        id: scope.resourceGroup.id,
        name: scope.resourceGroup.name,
        type: 'Microsoft.Resources/resourceGroups',
        location: scope.resourceGroup.location,
        tags: scope.resourceGroup.tags ?? {},
        properties: { provisioningState: 'Succeeded' },
      }),
      subscription: () => ({
        id: `/subscriptions/${scope.subscriptionId}`,
        subscriptionId: scope.subscriptionId,
        tenantId: scope.tenantId,
        displayName: scope.subscriptionName,
      }),
      tenant: () => ({
        tenantId: scope.tenantId,
        countryCode: 'US',
        displayName: 'Emulator tenant',
      }),
      deployment: () => ({
        name: scope.deploymentName,
        properties: {
          ...(scope.templateLink ? { templateLink: scope.templateLink } : {}),
          template: { contentVersion: this.template.contentVersion ?? '1.0.0.0' },
        },
      }),
      environment: () => ({
        name: 'AzureCloud',
        resourceManager: `${scope.origin}/`,
        authentication: {
          loginEndpoint: `${scope.origin}/`,
          audiences: [`${scope.origin}/`, 'https://management.azure.com/'],
          tenant: 'common',
          identityProvider: 'AAD',
        },
        suffixes: {
          storage: 'core.windows.net',
          keyvaultDns: '.vault.azure.net',
          acrLoginServer: '.azurecr.io',
        },
      }),
      reference: (idOrName, full) => {
        const view = this.resolver.reference(this.referenceId(idOrName));
        return full ? view : (view.properties ?? {});
      },
      listKeys: (id) => this.resolver.listKeys(id),
      copyIndexes,
    };
  }

  private bindParameters(values: Json): void {
    for (const name of Object.keys(values)) {
      if (!this.findKey(this.declared, name)) {
        throw new TemplateError(
          `The template parameters '${name}' in the parameters file are not valid; they are not ` +
            'present in the original template and can therefore not be provided at deployment time.',
        );
      }
    }
    // Given values first: a default may read another parameter, given or defaulted.
    const defaulted: string[] = [];
    for (const [name, declaration] of Object.entries(this.declared)) {
      const givenKey = this.findKey(values, name);
      const given = givenKey === undefined ? undefined : obj(values[givenKey]);
      if (given && 'reference' in given) {
        throw new TemplateError(
          `Parameter '${name}' is a Key Vault reference, which the emulator cannot resolve.`,
        );
      }
      if (given && 'value' in given) this.bind(name, declaration, given.value);
      else if ('defaultValue' in declaration) defaulted.push(name);
      else {
        throw new TemplateError(
          `Deployment template validation failed: 'The value for the template parameter '${name}' ` +
            "is not provided. Please see https://aka.ms/arm-create-parameter-file for usage details.'.",
        );
      }
    }
    for (const name of defaulted) {
      if (this.findKey(this.parameters, name) !== undefined) continue;
      const declaration = this.declared[name];
      this.bind(name, declaration, evaluateValue(declaration.defaultValue, this.base));
    }
  }

  private bind(name: string, declaration: Json, value: unknown): void {
    const type = String(declaration.type ?? 'string').toLowerCase();
    checkParameter(name, type, value, declaration);
    this.parameters[name] = { type: typeName(type), value };
  }

  private parameter(name: string): unknown {
    const key = this.findKey(this.parameters, name);
    if (key !== undefined) return this.parameters[key].value;
    const declared = this.findKey(this.declared, name);
    if (declared !== undefined && 'defaultValue' in this.declared[declared]) {
      // A default read by another parameter's default before its own turn came.
      if (this.evaluating.has(`parameter:${declared}`)) {
        throw new TemplateError(`The default of parameter '${name}' refers to itself.`);
      }
      this.evaluating.add(`parameter:${declared}`);
      try {
        this.bind(
          declared,
          this.declared[declared],
          evaluateValue(this.declared[declared].defaultValue, this.base),
        );
      } finally {
        this.evaluating.delete(`parameter:${declared}`);
      }
      return this.parameters[declared].value;
    }
    throw new TemplateError(`The template parameter '${name}' is not found.`);
  }

  private variable(name: string): unknown {
    const lower = name.toLowerCase();
    if (this.variableValues.has(lower)) return this.variableValues.get(lower);
    if (this.evaluating.has(lower)) {
      throw new TemplateError(`The template variable '${name}' refers to itself (a cycle).`);
    }
    this.evaluating.add(lower);
    try {
      let value: unknown;
      const key = this.findKey(this.variables, name);
      if (key !== undefined && key !== 'copy') {
        value = evaluateValue(this.variables[key], this.base);
      } else {
        const loop = (
          Array.isArray(this.variables.copy) ? (this.variables.copy as Json[]) : []
        ).find((l) => String(l.name).toLowerCase() === lower);
        if (!loop) throw new TemplateError(`The template variable '${name}' is not found.`);
        const count = toCount(evaluateValue(loop.count, this.base), String(loop.name));
        value = Array.from({ length: count }, (_, i) =>
          evaluateValue(loop.input, this.context(new Map([[lower, i]]))),
        );
      }
      this.variableValues.set(lower, value);
      return value;
    } finally {
      this.evaluating.delete(lower);
    }
  }

  private planResources(
    list: Json[],
    parent: { type: string; names: string[]; id: string } | undefined,
  ): void {
    for (const raw of list) {
      const copy = raw.copy ? obj(raw.copy) : undefined;
      const loop = copy ? String(copy.name) : undefined;
      const count = copy ? toCount(evaluateValue(copy.count, this.base), String(loop)) : 1;
      for (let i = 0; i < count; i++) {
        const indexes = new Map<string, number>();
        if (copy) {
          indexes.set('', i);
          indexes.set(String(loop).toLowerCase(), i);
        }
        const ctx = this.context(indexes);
        const rawType = String(evaluateValue(raw.type, ctx));
        const rawName = String(evaluateValue(raw.name, ctx));
        const nested = parent !== undefined && !rawType.includes('.');
        const type = nested ? `${parent.type}/${rawType}` : rawType;
        const names = nested ? [...parent.names, rawName] : rawName.split('/');
        const typeDepth = type.split('/').length - 1;
        if (names.length !== typeDepth) {
          throw new TemplateError(
            `The resource '${rawName}' of type '${type}' has an incorrect segment length: a ` +
              `type with ${typeDepth} segment(s) needs as many name segments.`,
          );
        }
        const id = raw.scope
          ? `${String(evaluateValue(raw.scope, ctx))}/providers/${typedPath(type, names)}`
          : buildResourceId(this.scope.subscriptionId, this.scope.resourceGroup.name, type, names);
        if (raw.condition !== undefined && evaluateValue(raw.condition, ctx) !== true) {
          this.skipped.add(idKey(id));
          this.skipped.add(names.join('/').toLowerCase());
          continue;
        }
        const planned: PlannedResource = {
          id,
          type,
          name: names.join('/'),
          apiVersion: String(raw.apiVersion ?? ''),
          raw,
          copyIndexes: indexes,
          dependsOn: (Array.isArray(raw.dependsOn) ? raw.dependsOn : []).map((d) =>
            String(evaluateValue(d, ctx)),
          ),
          loop,
        };
        if (parent) planned.dependsOn.push(parent.id);
        this.resources.push(planned);
        if (Array.isArray(raw.resources)) {
          this.planResources(raw.resources as Json[], { type, names, id });
        }
      }
    }
  }

  private resolveDependencies(): void {
    const seen = new Set<string>();
    for (const resource of this.resources) {
      if (seen.has(idKey(resource.id))) {
        throw new TemplateError(
          `The resource '${resource.id}' is defined multiple times in a template.`,
        );
      }
      seen.add(idKey(resource.id));
    }
    for (const resource of this.resources) {
      const keys = new Set<string>();
      for (const reference of resource.dependsOn) {
        const found = this.findResources(reference);
        if (found.length === 0) {
          if (this.skipped.has(idKey(reference)) || this.skipped.has(reference.toLowerCase()))
            continue;
          throw new TemplateError(`The resource '${reference}' is not defined in the template.`);
        }
        for (const f of found) if (f !== resource) keys.add(idKey(f.id));
      }
      resource.dependsOn = [...keys];
    }
    // A cycle would never deploy: ARM refuses it at validation.
    const state = new Map<string, 'visiting' | 'done'>();
    const byKey = new Map(this.resources.map((r) => [idKey(r.id), r]));
    const visit = (key: string) => {
      if (state.get(key) === 'done') return;
      if (state.get(key) === 'visiting') {
        throw new TemplateError(
          `Circular dependency detected on resource: '${byKey.get(key)?.id}'.`,
        );
      }
      state.set(key, 'visiting');
      for (const d of byKey.get(key)?.dependsOn ?? []) visit(d);
      state.set(key, 'done');
    };
    for (const key of byKey.keys()) visit(key);
  }

  /** dependsOn/reference targets: a copy loop, a full id, `Ns/type/name`, or a bare name. */
  private findResources(reference: string): PlannedResource[] {
    const lower = reference.toLowerCase();
    const inLoop = this.resources.filter((r) => r.loop?.toLowerCase() === lower);
    if (inLoop.length > 0) return inLoop;
    if (reference.startsWith('/'))
      return this.resources.filter((r) => idKey(r.id) === idKey(reference));
    const segments = reference.split('/');
    if (segments[0].includes('.') && segments.length >= 3 && (segments.length - 1) % 2 === 0) {
      const half = (segments.length - 1) / 2;
      const type = segments.slice(0, half + 1).join('/');
      const names = segments.slice(half + 1);
      const id = buildResourceId(
        this.scope.subscriptionId,
        this.scope.resourceGroup.name,
        type,
        names,
      );
      return this.resources.filter((r) => idKey(r.id) === idKey(id));
    }
    return this.resources.filter(
      (r) => r.name.toLowerCase() === lower || r.name.split('/').pop()?.toLowerCase() === lower,
    );
  }

  private referenceId(idOrName: string): string {
    if (idOrName.startsWith('/')) return idOrName;
    const found = this.findResources(idOrName);
    if (found.length === 1) return found[0].id;
    throw new TemplateError(
      `The template reference '${idOrName}' is not valid: could not find template resource or ` +
        'resource copy with this name.',
    );
  }

  private findKey(record: object, name: string): string | undefined {
    return Object.keys(record).find((k) => k.toLowerCase() === name.toLowerCase());
  }
}

function checkParameter(name: string, type: string, value: unknown, declaration: Json): void {
  const fail = (why: string) => {
    throw new TemplateError(
      `Deployment template validation failed: 'The provided value for the template parameter ` +
        `'${name}' is not valid. ${why}'.`,
    );
  };
  const expected: Record<string, (v: unknown) => boolean> = {
    string: (v) => typeof v === 'string',
    securestring: (v) => typeof v === 'string',
    int: (v) => typeof v === 'number' && Number.isInteger(v),
    bool: (v) => typeof v === 'boolean',
    array: (v) => Array.isArray(v),
    object: (v) => !!v && typeof v === 'object' && !Array.isArray(v),
    secureobject: (v) => !!v && typeof v === 'object' && !Array.isArray(v),
  };
  const check = expected[type];
  if (!check) fail(`The type '${type}' is not a template parameter type`);
  if (!check(value))
    fail(`Expected a value of type '${typeName(type)}' but received ${JSON.stringify(value)}`);
  const allowed = declaration.allowedValues;
  if (Array.isArray(allowed)) {
    const values = Array.isArray(value) ? value : [value];
    const ok = values.every((v) =>
      allowed.some((a) =>
        typeof a === 'string' && typeof v === 'string'
          ? a.toLowerCase() === v.toLowerCase()
          : a === v,
      ),
    );
    if (!ok) fail(`The value is not part of the allowed value(s): '${allowed.join(',')}'`);
  }
  if (typeof value === 'number') {
    if (typeof declaration.minValue === 'number' && value < declaration.minValue) {
      fail(`The value must be at least ${declaration.minValue}`);
    }
    if (typeof declaration.maxValue === 'number' && value > declaration.maxValue) {
      fail(`The value must be at most ${declaration.maxValue}`);
    }
  }
  if (typeof value === 'string' || Array.isArray(value)) {
    if (typeof declaration.minLength === 'number' && value.length < declaration.minLength) {
      fail(`The length must be at least ${declaration.minLength}`);
    }
    if (typeof declaration.maxLength === 'number' && value.length > declaration.maxLength) {
      fail(`The length must be at most ${declaration.maxLength}`);
    }
  }
}

/** ARM echoes parameter and output types capitalised: String, SecureString, Int, Bool, … */
function typeName(type: string): string {
  const names: Record<string, string> = {
    string: 'String',
    securestring: 'SecureString',
    int: 'Int',
    bool: 'Bool',
    array: 'Array',
    object: 'Object',
    secureobject: 'SecureObject',
  };
  return names[type.toLowerCase()] ?? type;
}

function typedPath(type: string, names: string[]): string {
  const [namespace, ...types] = type.split('/');
  return [namespace, ...types.flatMap((t, i) => [t, names[i]])].join('/');
}

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}
