import { isRecord } from '../model/values.js';
import path from 'node:path';
import { parse } from 'yaml';
import { stringValues, type Environment } from '../model/environment.js';
import { UserError } from '../model/errors.js';
import { readConfigFile } from '../model/files.js';

export type { Environment };

/**
 * Load an environment by name (`dev` reads environments/dev.yaml, .yml or .json) or by path.
 * Returns undefined when no environment was asked for.
 */
export async function loadEnvironment(
  workspace: string,
  nameOrPath: string,
): Promise<Environment | undefined> {
  if (!nameOrPath) return undefined;
  const isPath = /[\\/]|\.(ya?ml|json)$/i.test(nameOrPath);
  const candidates = isPath
    ? [nameOrPath]
    : ['yaml', 'yml', 'json'].map((ext) => `environments/${nameOrPath}.${ext}`);
  for (const candidate of candidates) {
    const found = await readConfigFile(workspace, candidate, 'Environment file');
    if (found) {
      const fallbackName = isPath ? path.parse(found.file).name : nameOrPath;
      return parseEnvironment(found.text, found.file, fallbackName);
    }
  }
  throw new UserError(
    `Environment "${nameOrPath}" was not found: looked for ${candidates.join(', ')}.`,
    'Create the file, or set the "environment" input to an existing name or path.',
  );
}

export function parseEnvironment(text: string, file: string, fallbackName: string): Environment {
  let data: unknown;
  try {
    data = parse(text, { maxAliasCount: 50, prettyErrors: false });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UserError(`${file}: not valid YAML or JSON: ${message}`);
  }
  data ??= {};
  if (!isRecord(data))
    throw new UserError(
      `${file}: an environment file must be a mapping (name, variables, parameters, stacks).`,
    );
  return fromData(asData(data, file) as Record<string, unknown>, file, fallbackName);
}

function fromData(data: Record<string, unknown>, file: string, fallbackName: string): Environment {
  const name = typeof data.name === 'string' && data.name ? data.name : fallbackName;
  // The name reaches logs, comments, stack names and file names: a plain identifier only.
  if (!ENVIRONMENT_NAME.test(name)) {
    throw new UserError(
      `${file}: environment name ${JSON.stringify(name.slice(0, 80))} is not allowed.`,
      'Use letters, digits, ".", "-" and "_" (at most 32, starting with a letter), e.g. dev or prod-eu.',
    );
  }
  const variables = optionalRecord(data.variables, `${file}: "variables"`);
  const parameters = stringValues(
    optionalRecord(data.parameters, `${file}: "parameters"`),
    `${file}: parameters`,
  );
  const stacks = Object.create(null) as Environment['stacks'];
  for (const [id, value] of Object.entries(optionalRecord(data.stacks, `${file}: "stacks"`))) {
    const stack = optionalRecord(value, `${file}: stacks.${id}`);
    stacks[id] = {
      parameters: stringValues(
        optionalRecord(stack.parameters, `${file}: stacks.${id}.parameters`),
        `${file}: stacks.${id}.parameters`,
      ),
    };
  }
  return { name, file, variables, parameters, stacks };
}

const ENVIRONMENT_NAME = /^[A-Za-z][A-Za-z0-9._-]{0,31}$/;
/** Keys that would reach or replace an object's prototype when data is copied. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The file's values as plain data: null-prototype objects all the way down, so no key of the
 * file can reach or replace a prototype wherever the values are merged later.
 */
function asData(value: unknown, file: string, at = ''): unknown {
  if (Array.isArray(value)) return value.map((v, i) => asData(v, file, `${at}[${i}]`));
  if (!isRecord(value)) return value;
  const out = Object.create(null) as Record<string, unknown>;
  for (const [key, v] of Object.entries(value)) {
    if (PROTOTYPE_KEYS.has(key)) {
      throw new UserError(
        `${file}: key "${at ? `${at}.` : ''}${key}" is not allowed in an environment file.`,
        'Rename it: this key name is reserved by JavaScript.',
      );
    }
    out[key] = asData(v, file, at ? `${at}.${key}` : key);
  }
  return out;
}

function optionalRecord(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new UserError(`${what} must be a mapping.`);
  return value;
}
