// Reading the platform's CloudFormation templates, stack manifest and environment files.
// Templates go through the action's own parser (short forms become long form, { Ref: x }), so
// tests walk plain objects.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import type { RenderResult } from '../../src/discover/render.js';
import { toPlain } from '../../src/model/template.js';
import { parseTemplate as parseCfn } from '../../src/parse/template.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Template {
  Parameters?: Record<string, JsonObject>;
  Conditions?: JsonObject;
  Resources?: Record<string, JsonObject & { Type: string; Properties?: JsonObject }>;
  Outputs?: Record<string, JsonObject>;
  Metadata?: JsonObject;
}

/** Parsed by the action's own parser, so the tests read templates exactly as the action does. */
export function parseTemplate(text: string, file = 'template.yaml'): Template {
  const result = parseCfn(text, file);
  if (!result.ok) throw new Error(`${file}:${result.finding.line}: ${result.finding.message}`);
  return toPlain(result.template.root) as Template;
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

/** Renders a .njk template with the action's own renderer and the environment file. */
export function renderNunjucks(path: string, env: EnvironmentFile): string {
  const request = {
    text: readFileSync(path, 'utf8'),
    file: path,
    options: {
      workspace: dirname(path),
      trusted: false,
      environment: {
        name: env.name,
        file: path,
        variables: env.variables ?? {},
        parameters: env.parameters ?? {},
        stacks: {},
      },
    },
  };
  const tsx = join(import.meta.dirname, '../../node_modules/tsx/dist/cli.mjs');
  const run = spawnSync(process.execPath, [tsx, join(import.meta.dirname, 'render-once.ts')], {
    input: JSON.stringify(request),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`rendering ${path} failed: ${run.stderr}`);
  const result = JSON.parse(run.stdout) as RenderResult;
  if (!result.ok) throw new Error(`${path}:${result.finding.line}: ${result.finding.message}`);
  return result.text;
}

export function loadTemplate(path: string, env: EnvironmentFile): Template {
  const text = path.endsWith('.njk') ? renderNunjucks(path, env) : readFileSync(path, 'utf8');
  return parseTemplate(text, path);
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
