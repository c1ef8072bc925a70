// Reading the platform's CloudFormation templates, stack manifest and environment files.
// CloudFormation's short-form intrinsics (!Ref, !Sub, ...) are YAML tags; they are turned into
// their long form ({ Ref: x }, { 'Fn::Sub': x }) so tests can walk plain objects.
import { readFileSync } from 'node:fs';
import nunjucks from 'nunjucks';
import { parse, type CollectionTag, type ScalarTag, type YAMLMap, type YAMLSeq } from 'yaml';

const SHORT_FORMS = [
  'Ref',
  'Sub',
  'GetAtt',
  'If',
  'Join',
  'Select',
  'Split',
  'FindInMap',
  'ImportValue',
  'Equals',
  'And',
  'Or',
  'Not',
  'Condition',
  'Base64',
  'Cidr',
  'GetAZs',
] as const;

function longName(short: string): string {
  return short === 'Ref' || short === 'Condition' ? short : `Fn::${short}`;
}

function tagsFor(short: string): (ScalarTag | CollectionTag)[] {
  const key = longName(short);
  const tag = `!${short}`;
  const scalar: ScalarTag = {
    tag,
    // !GetAtt Resource.Attribute.Path splits at the first dot only: the attribute may
    // contain dots (Endpoint.Address).
    resolve: (value: string) => {
      if (short !== 'GetAtt') return { [key]: value };
      const dot = value.indexOf('.');
      return { [key]: dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
    },
  };
  const collection = (kind: 'seq' | 'map'): CollectionTag => ({
    tag,
    collection: kind,
    resolve: (node: YAMLSeq.Parsed | YAMLMap.Parsed) => ({ [key]: node.toJSON() as unknown }),
  });
  return [scalar, collection('seq'), collection('map')];
}

export const cfnTags: (ScalarTag | CollectionTag)[] = SHORT_FORMS.flatMap(tagsFor);

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Template {
  Parameters?: Record<string, JsonObject>;
  Conditions?: JsonObject;
  Resources?: Record<string, JsonObject & { Type: string; Properties?: JsonObject }>;
  Outputs?: Record<string, JsonObject>;
  Metadata?: JsonObject;
}

export function parseTemplate(text: string): Template {
  return parse(text, { customTags: cfnTags, maxAliasCount: -1 }) as Template;
}

export interface EnvironmentFile {
  name: string;
  variables?: Record<string, unknown>;
  parameters?: Record<string, string>;
  stacks?: Record<string, { parameters?: Record<string, string> }>;
}

export function readEnvironment(path: string): EnvironmentFile {
  return parse(readFileSync(path, 'utf8')) as EnvironmentFile;
}

// Renders a .njk template the way the action documents it: the environment file's
// `variables` at top level plus `environment` (its name) and `parameters`.
export function renderNunjucks(path: string, env: EnvironmentFile): string {
  const engine = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });
  return engine.renderString(readFileSync(path, 'utf8'), {
    ...env.variables,
    environment: env.name,
    parameters: env.parameters ?? {},
  });
}

export function loadTemplate(path: string, env: EnvironmentFile): Template {
  const text = path.endsWith('.njk') ? renderNunjucks(path, env) : readFileSync(path, 'utf8');
  return parseTemplate(text);
}

export interface ManifestStack {
  template: string;
  'stack-name'?: string;
  parameters?: Record<string, string>;
  'depends-on'?: string[];
  environments?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

export interface Manifest {
  defaults?: Record<string, unknown>;
  stacks: Record<string, ManifestStack>;
}

export function readManifest(path: string): Manifest {
  return parse(readFileSync(path, 'utf8')) as Manifest;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Every value in a JSON tree, with the path that leads to it.
export function* walk(value: Json, path: string[] = []): Generator<[string[], Json]> {
  yield [path, value];
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* walk(item, [...path, String(i)]);
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) yield* walk(item, [...path, key]);
  }
}
