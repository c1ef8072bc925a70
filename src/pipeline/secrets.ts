import type { Environment } from '../discover/environment.js';
import { child, isMap, isScalar } from '../model/template.js';
import type { ParsedTemplate } from '../model/template.js';
import type { Redactor } from '../model/redact.js';

/** Parameters declared `NoEcho: true`, with their Default where it is a plain value. */
export function noEchoParameters(template: ParsedTemplate): { name: string; default?: string }[] {
  const parameters = child(template.root, 'Parameters');
  if (!isMap(parameters)) return [];
  const found: { name: string; default?: string }[] = [];
  for (const { key, value } of parameters.entries) {
    const noEcho = child(value, 'NoEcho');
    if (!isScalar(noEcho) || String(noEcho.value).toLowerCase() !== 'true') continue;
    const fallback = child(value, 'Default');
    found.push({
      name: key,
      ...(isScalar(fallback) && fallback.value !== null ? { default: String(fallback.value) } : {}),
    });
  }
  return found;
}

/**
 * Register with the redactor every value a run may send for a secret parameter: NoEcho ones of
 * any template, and those the user named in input secret-parameters. Returns the names, so later
 * stages (the stack manifest's values) can register theirs.
 */
export function registerTemplateSecrets(
  redactor: Redactor,
  templates: readonly ParsedTemplate[],
  environment: Environment | undefined,
  userNames: readonly string[],
): Set<string> {
  const names = new Set(userNames);
  for (const template of templates) {
    for (const parameter of noEchoParameters(template)) {
      names.add(parameter.name);
      redactor.add(parameter.default);
    }
  }
  if (environment) {
    const layers = [
      environment.parameters,
      environment.variables,
      ...Object.values(environment.stacks).map((s) => s.parameters),
    ];
    registerValues(redactor, names, layers);
  }
  return names;
}

/** The values of the named parameters in each layer (strings and numbers only). */
export function registerValues(
  redactor: Redactor,
  names: ReadonlySet<string>,
  layers: readonly Record<string, unknown>[],
): void {
  for (const layer of layers) {
    for (const name of names) {
      const value = layer[name];
      if (typeof value === 'string' || typeof value === 'number') redactor.add(String(value));
    }
  }
}
