import { UserError } from './errors.js';

/** Values an environment file gives: nunjucks variables and CloudFormation parameter values. */
export interface Environment {
  name: string;
  /** Repository-relative path of the file it was read from. */
  file: string;
  variables: Record<string, unknown>;
  /** Parameter values by name, for every template that declares the parameter. */
  parameters: Record<string, string>;
  /** Per-stack overrides keyed by the stack manifest's stack id. */
  stacks: Record<string, { parameters: Record<string, string> }>;
}

/** CloudFormation parameter values are strings; lists become comma-separated as the API expects. */
export function stringValues(
  values: Record<string, unknown>,
  what: string,
): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(values)) {
    if (Array.isArray(value)) out[key] = value.map(String).join(',');
    else if (value === null || typeof value === 'object') {
      throw new UserError(`${what}.${key} must be a string, number, boolean or list.`);
    } else out[key] = String(value);
  }
  return out;
}
