import { LineCounter, parse, parseDocument, type Document } from 'yaml';
import { stringValues, type Environment } from '../model/environment.js';
import { UserError } from '../model/errors.js';
import { readConfigFile } from '../model/files.js';
import {
  OUTPUT_REF,
  VARIABLE,
  type ParameterLayer,
  type StackSelection,
  type StackSpec,
} from '../model/stacks.js';
import { MANIFEST_SCHEMA } from './manifest-schema.js';
import { checkSchema, type SchemaNode } from './schema-check.js';

const CAPABILITY_ORDER = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'];

type Scalar = string | number | boolean;

/** One stack's keys as written (defaults, the stack, or an environment override). */
interface StackKeys {
  template?: string;
  'stack-name'?: string;
  parameters?: Record<string, Scalar | Scalar[]>;
  'parameter-files'?: string[];
  tags?: Record<string, Scalar>;
  capabilities?: string[];
  'termination-protection'?: boolean;
  'disable-rollback'?: boolean;
  'stack-policy'?: string | Record<string, unknown>;
  'role-arn'?: string;
  region?: string;
  'depends-on'?: string[];
  environments?: Record<string, StackKeys>;
}

export interface Manifest {
  /** Repository-relative path. */
  file: string;
  defaults: StackKeys;
  stacks: Record<string, StackKeys>;
  /** `file:line` of a key path such as ['stacks', 's3', 'depends-on'], for messages. */
  where: (...path: (string | number)[]) => string;
}

/** Read and check the manifest; every problem names the file, line and key. */
export async function loadManifest(workspace: string, file: string): Promise<Manifest> {
  const found = await readConfigFile(workspace, file, 'Stack manifest');
  if (!found) {
    throw new UserError(
      `Stack manifest "${file}" was not found.`,
      'Create it (see docs/deploy.md) or set input "stacks-file" to its path.',
    );
  }
  return parseManifest(found.text, found.file);
}

export function parseManifest(text: string, file: string): Manifest {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = lines.linePos(syntax.pos[0]);
    throw new UserError(
      `${file}:${pos.line}:${pos.col}: not valid YAML: ${syntax.message.split('\n')[0]}`,
    );
  }
  const problems = checkSchema(doc, MANIFEST_SCHEMA as unknown as SchemaNode, lines);
  if (problems.length) {
    throw new UserError(
      problems.map((p) => `${file}:${p.line}:${p.column}: ${p.message}`).join('\n'),
      'The format is described by schemas/iac-stacks.schema.json and docs/deploy.md.',
    );
  }
  const data = (doc.toJS({ maxAliasCount: 50 }) ?? {}) as {
    defaults?: StackKeys;
    stacks: Record<string, StackKeys>;
  };
  const manifest: Manifest = {
    file,
    defaults: data.defaults ?? {},
    stacks: data.stacks,
    where: (...path) => `${file}:${lineOf(doc, lines, path)}`,
  };
  checkGraph(manifest);
  return manifest;
}

function lineOf(doc: Document, lines: LineCounter, path: (string | number)[]): number {
  for (let n = path.length; n > 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] };
    if (node?.range) return lines.linePos(node.range[0]).line;
  }
  return 1;
}

/** depends-on names existing stacks and has no cycle. */
function checkGraph(manifest: Manifest): void {
  for (const [id, stack] of Object.entries(manifest.stacks)) {
    (stack['depends-on'] ?? []).forEach((dep, i) => {
      if (!manifest.stacks[dep]) {
        throw new UserError(
          `${manifest.where('stacks', id, 'depends-on', i)}: stacks.${id}.depends-on names "${dep}", which is not a stack in ${manifest.file}.`,
          `Known stacks: ${Object.keys(manifest.stacks).join(', ')}.`,
        );
      }
    });
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, trail: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(id)), id];
      throw new UserError(
        `${manifest.where('stacks', id, 'depends-on')}: depends-on forms a cycle: ${cycle.join(' -> ')}.`,
      );
    }
    state.set(id, 'visiting');
    for (const dep of manifest.stacks[id]?.['depends-on'] ?? []) visit(dep, [...trail, id]);
    state.set(id, 'done');
  };
  for (const id of Object.keys(manifest.stacks)) visit(id, []);
}

export interface ResolveOptions {
  workspace: string;
  environment?: Environment;
  /** Input `stacks`: ids to act on; empty means all. */
  selection: readonly string[];
}

/** Whether the manifest adds settings to a cloud assembly's stacks: its stacks name no template. */
export function addsToAssembly(manifest: Manifest): boolean {
  return Object.values(manifest.stacks).some((stack) => !stack.template);
}

/**
 * A CDK app's stacks with what the manifest adds to them, keyed by stack name or artifact id:
 * parameters and tags on top of the assembly's, termination protection, disable-rollback, a stack
 * policy, each per environment too. Names, regions, roles and dependencies stay the assembly's.
 */
export async function addToAssembly(
  manifest: Manifest,
  assembly: StackSelection,
  options: ResolveOptions,
): Promise<StackSelection> {
  const stacks = [...assembly.all.values()];
  const all = new Map(assembly.all);
  for (const [id, keys] of Object.entries(manifest.stacks)) {
    const where = manifest.where('stacks', id);
    const base = stacks.find((s) => s.id === id || s.stackName === id);
    if (!base || keys.template || keys['depends-on'] || keys.region || keys['role-arn'])
      throw new UserError(
        base
          ? `${where}: stacks.${id} is a stack of the CDK cloud assembly, whose template, region, role and dependencies the assembly gives.`
          : `${where}: stacks.${id} has no template and is not a stack of the CDK cloud assembly.`,
        `With a cloud assembly, the manifest only adds parameters, tags, termination-protection, disable-rollback and stack-policy to its stacks (known stacks: ${stacks.map((s) => s.stackName).join(', ')}).`,
      );
    all.set(base.id, await resolveStack(manifest, id, options, base));
  }
  const selected = assembly.selected.map((s) => all.get(s.id)!);
  return { selected, all };
}

/**
 * Apply defaults and the environment to every stack, load parameter files, and select the stacks
 * to act on. Order: dependencies before the stacks that need them.
 */
export async function resolveStacks(
  manifest: Manifest,
  options: ResolveOptions,
): Promise<StackSelection> {
  const unknown = options.selection.filter((id) => !manifest.stacks[id]);
  if (unknown.length) {
    throw new UserError(
      `Input "stacks" names ${unknown.map((id) => `"${id}"`).join(', ')}, not found in ${manifest.file}.`,
      `Known stacks: ${Object.keys(manifest.stacks).join(', ')}.`,
    );
  }
  const all = new Map<string, StackSpec>();
  for (const id of dependencyOrder(manifest)) {
    all.set(id, await resolveStack(manifest, id, options));
  }
  const wanted = new Set(options.selection.length ? options.selection : all.keys());
  return { selected: [...all.values()].filter((s) => wanted.has(s.id)), all };
}

/** Stack ids, each after everything it depends on, in manifest order otherwise. */
export function dependencyOrder(manifest: Manifest): string[] {
  const order: string[] = [];
  const visit = (id: string) => {
    if (order.includes(id)) return;
    for (const dep of manifest.stacks[id]?.['depends-on'] ?? []) visit(dep);
    order.push(id);
  };
  Object.keys(manifest.stacks).forEach(visit);
  return order;
}

async function resolveStack(
  manifest: Manifest,
  id: string,
  options: ResolveOptions,
  /** The cloud assembly's stack this entry adds to. */
  base?: StackSpec,
): Promise<StackSpec> {
  const stack = manifest.stacks[id]!;
  const env = options.environment;
  const override = env ? (stack.environments?.[env.name] ?? {}) : {};
  const layers = [manifest.defaults, stack, override];
  const at = (...path: (string | number)[]) => manifest.where(...path);
  const pick = <K extends keyof StackKeys>(key: K): StackKeys[K] =>
    layers.reduce<StackKeys[K]>((value, layer) => layer[key] ?? value, undefined);
  const envOverridePath = env ? ['stacks', id, 'environments', env.name] : [];

  const substitute = (value: string, where: string, allowOutputs: boolean): string =>
    value.replace(VARIABLE, (match, name: string) => {
      // Parameter values keep the escape until stackParameters() resolves the outputs.
      if (match.startsWith('$$')) return allowOutputs ? match : match.slice(1);
      if (name === 'environment') {
        if (!env) {
          throw new UserError(
            `${where}: uses \${environment}, but no environment was given.`,
            'Set input "environment" (e.g. dev), which reads environments/dev.yaml.',
          );
        }
        return env.name;
      }
      const ref = OUTPUT_REF.exec(name);
      if (ref && allowOutputs) {
        if (!(stack['depends-on'] ?? []).includes(ref[1]!)) {
          throw new UserError(
            `${where}: stacks.${id} uses the outputs of stack "${ref[1]}" but does not list it in depends-on.`,
            `Add "${ref[1]}" to stacks.${id}.depends-on so it is deployed first.`,
          );
        }
        return match; // resolved when the dependency's outputs are known
      }
      throw new UserError(
        `${where}: unknown variable ${match}.`,
        'Use ${environment} or ${stacks.<id>.outputs.<OutputKey>} (in parameters); write $${ for a literal ${.',
      );
    });

  const parameterLayers: ParameterLayer[] = [];
  const addLayer = (
    values: Record<string, unknown> | undefined,
    path: (string | number)[],
    shared: boolean,
    label = path.join('.'),
  ) => {
    if (!values || !Object.keys(values).length) return;
    const where = path.length ? at(...path) : label;
    const strings = stringValues(values, where);
    for (const key of Object.keys(strings)) strings[key] = substitute(strings[key]!, where, true);
    parameterLayers.push({ from: `${where} (${label})`, values: strings, shared });
  };
  addLayer(manifest.defaults.parameters, ['defaults', 'parameters'], true);
  addLayer(stack.parameters, ['stacks', id, 'parameters'], false);
  const files = [
    ...(manifest.defaults['parameter-files'] ?? []),
    ...(stack['parameter-files'] ?? []),
    ...(override['parameter-files'] ?? []),
  ];
  for (const file of files) {
    const name = substitute(file, at('stacks', id, 'parameter-files'), false);
    addLayer(await readParameterFile(options.workspace, name), [], true, name);
  }
  if (env) {
    addLayer(env.parameters, [], true, `${env.file} parameters`);
    addLayer(env.stacks[id]?.parameters, [], false, `${env.file} stacks.${id}.parameters`);
    addLayer(override.parameters, [...envOverridePath, 'parameters'], false);
  }

  const tags: Record<string, string> = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer.tags ?? {}))
      tags[key] = substitute(String(value), at('stacks', id, 'tags'), false);
  }
  if (base) {
    return {
      ...base,
      tags: { ...base.tags, ...tags },
      capabilities: CAPABILITY_ORDER.filter(
        (c) => base.capabilities.includes(c) || layers.some((l) => l.capabilities?.includes(c)),
      ),
      terminationProtection: pick('termination-protection') ?? base.terminationProtection,
      disableRollback: pick('disable-rollback') ?? base.disableRollback,
      ...(await stackPolicy(pick('stack-policy'), options.workspace, at('stacks', id))),
      parameters: [...base.parameters, ...parameterLayers],
      where: `${at('stacks', id)} and ${base.where}`,
    };
  }
  const template = pick('template');
  if (!template)
    throw new UserError(
      `${at('stacks', id)}: stacks.${id} names no template.`,
      'Add template: <path>, or name a CDK cloud assembly in input templates to add to its stacks.',
    );
  const capabilities = new Set(layers.flatMap((layer) => layer.capabilities ?? []));
  const stackName = substitute(pick('stack-name') ?? id, at('stacks', id), false);
  if (!/^[A-Za-z][-A-Za-z0-9]{0,127}$/.test(stackName)) {
    throw new UserError(
      `${at('stacks', id, 'stack-name')}: stack name "${stackName}" is not valid: CloudFormation needs a letter, then letters, digits and hyphens (at most 128).`,
    );
  }
  return {
    id,
    template: substitute(template, at('stacks', id, 'template'), false),
    stackName,
    region: substitute(pick('region') ?? '', at('stacks', id), false),
    roleArn: substitute(pick('role-arn') ?? '', at('stacks', id), false),
    tags,
    capabilities: CAPABILITY_ORDER.filter((c) => capabilities.has(c)),
    terminationProtection: pick('termination-protection') ?? false,
    disableRollback: pick('disable-rollback') ?? false,
    ...(await stackPolicy(pick('stack-policy'), options.workspace, at('stacks', id))),
    dependsOn: stack['depends-on'] ?? [],
    parameters: parameterLayers,
    where: at('stacks', id),
  };
}

/** CloudFormation takes a stack policy body of at most 16 KB. */
const MAX_STACK_POLICY = 16_384;

/** The stack policy as JSON text: written inline, or read from a JSON file in the workspace. */
async function stackPolicy(
  value: string | Record<string, unknown> | undefined,
  workspace: string,
  where: string,
): Promise<{ stackPolicy?: string }> {
  if (value === undefined) return {};
  let body: string;
  if (typeof value === 'string') {
    const found = await readConfigFile(workspace, value, 'Stack policy');
    if (!found) throw new UserError(`${where}: stack policy file "${value}" was not found.`);
    try {
      const parsed: unknown = JSON.parse(found.text);
      if (typeof parsed !== 'object' || parsed === null || !('Statement' in parsed))
        throw new Error('it has no Statement');
    } catch (error) {
      throw new UserError(
        `${value}: not a stack policy (a JSON object with a Statement): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    body = found.text;
  } else {
    body = JSON.stringify(value);
  }
  if (Buffer.byteLength(body) > MAX_STACK_POLICY)
    throw new UserError(
      `${where}: the stack policy is over ${MAX_STACK_POLICY} bytes, CloudFormation's limit.`,
    );
  return { stackPolicy: body };
}

/** A parameter file: a map of values, or CloudFormation's [{ParameterKey, ParameterValue}] list. */
async function readParameterFile(
  workspace: string,
  file: string,
): Promise<Record<string, unknown>> {
  const found = await readConfigFile(workspace, file, 'Parameter file');
  if (!found) throw new UserError(`Parameter file "${file}" was not found.`);
  const text = found.text;
  let data: unknown;
  try {
    data = parse(text, { maxAliasCount: 50, prettyErrors: false });
  } catch (error) {
    throw new UserError(
      `${file}: not valid YAML or JSON: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`,
    );
  }
  if (Array.isArray(data)) {
    const values: Record<string, unknown> = {};
    data.forEach((item: unknown, i) => {
      const pair = item as { ParameterKey?: unknown; ParameterValue?: unknown } | null;
      if (typeof pair?.ParameterKey !== 'string' || pair.ParameterValue === undefined) {
        throw new UserError(
          `${file}: item ${i + 1} needs ParameterKey and ParameterValue (CloudFormation's parameter file format).`,
        );
      }
      values[pair.ParameterKey] = pair.ParameterValue;
    });
    return values;
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object')
    throw new UserError(
      `${file}: a parameter file must be a map of values or a [{ParameterKey, ParameterValue}] list.`,
    );
  return data as Record<string, unknown>;
}
