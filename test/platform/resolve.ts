// The platform's templates as CloudFormation would create them in one environment: parameters
// from environments/<env>.yaml and the manifest's wiring (outputs of earlier stacks, themselves
// resolved), template Defaults otherwise, Conditions evaluated, Fn::If chosen, resources whose
// Condition is false dropped. Intrinsics are evaluated by the action's own TemplateResolver
// (src/policies/resolve.ts, used read-only), so the tests see values the way the action does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { child, isMap, toPlain } from '../../src/model/template.js';
import { parseTemplate } from '../../src/parse/template.js';
import { TemplateResolver } from '../../src/policies/resolve.js';
import { readEnvironment, readManifest, type JsonObject, type Manifest } from './cfn-yaml.js';

export const SCOPE = { partition: 'aws', region: 'us-east-1', accountId: '123456789012' };

/**
 * Optional stacks switched on, for the checks that must see their resources (the environment
 * files leave them off): Databricks with an example account ID.
 */
export const OPTIONAL_STACKS_ON: Record<string, Record<string, string>> = {
  databricks: { DatabricksAccountId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' },
};

export interface ResolvedStack {
  id: string;
  stackName: string;
  parameters: Record<string, string>;
  /** Resources whose Condition holds, with intrinsics evaluated; Condition keys removed. */
  resources: Record<string, JsonObject & { Type: string }>;
  outputs: Record<string, string>;
  /** Why some values stayed placeholders ({{unresolved:...}}). */
  notes: string[];
}

const OUTPUT_REF = /\$\{stacks\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9]+)\}/g;

function defaults(declared: ReturnType<typeof child>): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isMap(declared)) return out;
  for (const [name, p] of Object.entries(toPlain(declared) as Record<string, JsonObject>))
    if (p.Default !== undefined) out[name] = String(p.Default);
  return out;
}

export function deployOrder(manifest: Manifest): string[] {
  const remaining = new Map(
    Object.entries(manifest.stacks).map(([id, s]) => [id, new Set(s['depends-on'] ?? [])]),
  );
  const order: string[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining].filter(([, deps]) => deps.size === 0).map(([id]) => id);
    if (ready.length === 0) throw new Error('cycle in depends-on');
    for (const id of ready.sort()) {
      order.push(id);
      remaining.delete(id);
      for (const deps of remaining.values()) deps.delete(id);
    }
  }
  return order;
}

/** Every manifest stack of one environment, resolved in deploy order. */
export interface ResolveOverrides {
  /** Replaces the environment file's Environment parameter (and ${environment}). */
  environment?: string;
  region?: string;
  /** Per-stack parameter values applied after the environment file's. */
  parameters?: Record<string, Record<string, string>>;
  /**
   * Give parameter values the type CloudFormation gives them in a property: a Number
   * parameter becomes a number and a "true"/"false" parameter a boolean wherever a property is
   * exactly a Ref to it (directly or through Fn::If). Rule engines such as cfn-guard compare
   * types (BackupRetentionPeriod "7" is not >= 1).
   */
  typed?: boolean;
}

type Kinds = Map<string, 'number' | 'boolean'>;

function parameterKinds(parameters: unknown): Kinds {
  const kinds: Kinds = new Map();
  if (typeof parameters !== 'object' || parameters === null) return kinds;
  for (const [name, p] of Object.entries(parameters as Record<string, JsonObject>)) {
    const allowed = Array.isArray(p.AllowedValues) ? p.AllowedValues.map(String).sort() : [];
    if (p.Type === 'Number') kinds.set(name, 'number');
    else if (allowed.join() === 'false,true') kinds.set(name, 'boolean');
  }
  return kinds;
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `resolved` with the parameter values that `raw` references directly given their types. */
function coerce(
  raw: unknown,
  resolved: unknown,
  kinds: Kinds,
  values: Record<string, string>,
  holds: (condition: string) => boolean | undefined,
): unknown {
  if (isObj(raw) && Object.keys(raw).length === 1) {
    const [[fn, arg]] = Object.entries(raw) as [[string, unknown]];
    if (fn === 'Ref' && typeof arg === 'string' && typeof resolved === 'string') {
      const kind = kinds.get(arg);
      if (kind === 'number' && values[arg] === resolved) return Number(resolved);
      if (kind === 'boolean' && values[arg] === resolved) return resolved === 'true';
      return resolved;
    }
    if (fn === 'Fn::If' && Array.isArray(arg) && arg.length === 3) {
      const chosen = holds(String(arg[0]));
      if (chosen === undefined) return resolved;
      return coerce(chosen ? arg[1] : arg[2], resolved, kinds, values, holds);
    }
    if (fn.startsWith('Fn::')) return resolved;
  }
  if (Array.isArray(raw) && Array.isArray(resolved) && raw.length === resolved.length)
    return resolved.map((item, i) => coerce(raw[i], item, kinds, values, holds));
  if (isObj(raw) && isObj(resolved))
    return Object.fromEntries(
      Object.entries(resolved).map(([k, v]) => [k, coerce(raw[k], v, kinds, values, holds)]),
    );
  return resolved;
}

export function resolveEnvironment(
  root: string,
  envName: string,
  overrides: ResolveOverrides = {},
): Map<string, ResolvedStack> {
  const manifest = readManifest(join(root, 'iac-stacks.yaml'));
  const file = readEnvironment(join(root, 'environments', `${envName}.yaml`));
  const env = overrides.environment
    ? {
        ...file,
        name: overrides.environment,
        parameters: { ...file.parameters, Environment: overrides.environment },
      }
    : file;
  const scope = { ...SCOPE, region: overrides.region ?? SCOPE.region };
  const stacks = new Map<string, ResolvedStack>();
  const substitute = (value: string) =>
    value.replaceAll('${environment}', env.name).replace(OUTPUT_REF, (_m, stack, output) => {
      const found = stacks.get(stack)?.outputs[output];
      if (found === undefined) throw new Error(`no output ${stack}.${output}`);
      return found;
    });
  for (const id of deployOrder(manifest)) {
    const stack = manifest.stacks[id]!;
    const path = join(root, stack.template);
    if (path.endsWith('.njk')) throw new Error(`${id}: nunjucks templates are not resolved here`);
    const parsed = parseTemplate(readFileSync(path, 'utf8'), path);
    if (!parsed.ok) throw new Error(`${path}: ${parsed.finding.message}`);
    const rootNode = parsed.template.root;
    const declared = child(rootNode, 'Parameters');
    const has = (name: string) => isMap(declared) && child(declared, name) !== undefined;
    const parameters: Record<string, string> = {};
    for (const [k, v] of Object.entries(env.parameters ?? {}))
      if (has(k)) parameters[k] = String(v);
    for (const [k, v] of Object.entries(stack.parameters ?? {}))
      parameters[k] = substitute(String(v));
    for (const [k, v] of Object.entries(env.stacks?.[id]?.parameters ?? {}))
      parameters[k] = String(v);
    Object.assign(parameters, overrides.parameters?.[id]);
    const stackName = substitute(stack['stack-name'] ?? id);
    const resolver = new TemplateResolver(rootNode, { ...scope, parameters, stackName });
    const notes: string[] = [];
    const resources: ResolvedStack['resources'] = {};
    const kinds = overrides.typed
      ? parameterKinds(isMap(declared) ? toPlain(declared) : undefined)
      : new Map();
    const values = overrides.typed ? { ...defaults(declared), ...parameters } : parameters;
    const section = child(rootNode, 'Resources');
    for (const entry of isMap(section) ? section.entries : []) {
      const logicalId = entry.key;
      const condition = child(entry.value, 'Condition');
      if (condition && condition.kind === 'scalar') {
        const holds = resolver.condition(String(condition.value), notes);
        if (holds === undefined) throw new Error(`${id} ${logicalId}: condition not known`);
        if (!holds) continue;
      }
      let value = resolver.plain(entry.value, notes) as JsonObject & { Type: string };
      if (overrides.typed) {
        value = coerce(toPlain(entry.value), value, kinds, values, (c) =>
          resolver.condition(c),
        ) as typeof value;
      }
      delete value.Condition;
      resources[logicalId] = value;
    }
    const outputs: Record<string, string> = {};
    const outputSection = child(rootNode, 'Outputs');
    for (const entry of isMap(outputSection) ? outputSection.entries : []) {
      const condition = child(entry.value, 'Condition');
      if (condition && condition.kind === 'scalar' && !resolver.condition(String(condition.value)))
        continue;
      const value = resolver.plain(child(entry.value, 'Value')!, notes);
      outputs[entry.key] = Array.isArray(value) ? value.join(',') : String(value);
    }
    stacks.set(id, { id, stackName, parameters, resources, outputs, notes });
  }
  return stacks;
}
