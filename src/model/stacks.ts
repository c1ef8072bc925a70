import type { CdkDeployment } from './cdk.js';
import { UserError } from './errors.js';

/** `${environment}`, `${stacks.ID.outputs.KEY}`, or any other `${...}` (an error); `$${` is literal. */
export const VARIABLE = /\$?\$\{([^}]*)\}/g;
/** A value that waits for another stack's output (not the escaped `$${`). */
const OUTPUT_REF_ANYWHERE = /(^|[^$])\$\{stacks\./;
export const OUTPUT_REF = /^stacks\.([A-Za-z][A-Za-z0-9_-]*)\.outputs\.([A-Za-z0-9]+)$/;

/** Parameter values from one place, in precedence order (later layers win). */
export interface ParameterLayer {
  /** Where the values come from, e.g. `iac-stacks.yaml:14 (stacks.s3.parameters)`. */
  from: string;
  values: Record<string, string>;
  /**
   * Shared layers (defaults, the environment file's parameters, parameter files) apply only to
   * templates that declare a parameter; a stack's own values must all be declared.
   */
  shared: boolean;
}

/** A stack with defaults and the environment's overrides applied: what the deploy stage needs. */
export interface StackSpec {
  id: string;
  /** Repository-relative template path. */
  template: string;
  stackName: string;
  /** Empty: the action's region. */
  region: string;
  roleArn: string;
  tags: Record<string, string>;
  capabilities: string[];
  terminationProtection: boolean;
  disableRollback: boolean;
  /** The stack policy document (JSON text) set on create and update; absent: none is set. */
  stackPolicy?: string;
  dependsOn: string[];
  parameters: ParameterLayer[];
  /** Where the stack is declared, for messages. */
  where: string;
  /** A stack from a CDK cloud assembly: its deploy role and assets. */
  cdk?: CdkDeployment;
}

export interface StackSelection {
  /** The stacks to act on, dependencies first. */
  selected: StackSpec[];
  /** Every stack by id, including dependencies that are only read for their outputs. */
  all: Map<string, StackSpec>;
}

/**
 * The values a stack's template is deployed with that are known before anything deploys (outputs
 * of other stacks are not), for resolving its policies at validation time.
 */
export function knownParameters(stack: StackSpec): Record<string, string> {
  const values = new Map<string, string>();
  for (const layer of stack.parameters) {
    for (const [key, raw] of Object.entries(layer.values)) {
      if (OUTPUT_REF_ANYWHERE.test(raw)) values.delete(key);
      else values.set(key, raw.replace(/\$\$\{/g, '${'));
    }
  }
  return Object.fromEntries(values);
}

/**
 * The parameter values a stack sends, given the parameters its template declares and the outputs
 * of the stacks it depends on. Missing outputs become a visible placeholder (plan only).
 */
export function stackParameters(
  stack: StackSpec,
  declared: ReadonlySet<string>,
  outputOf: (stackId: string, key: string) => string | undefined,
): { values: Record<string, string>; placeholders: string[] } {
  const values: Record<string, string> = {};
  const placeholders: string[] = [];
  for (const layer of stack.parameters) {
    for (const [key, raw] of Object.entries(layer.values)) {
      if (!declared.has(key)) {
        if (layer.shared) continue;
        throw new UserError(
          `${layer.from}: parameter "${key}" is not declared by template ${stack.template}.`,
          `Declare it under Parameters in the template, or remove it from stack ${stack.id}.`,
        );
      }
      values[key] = raw.replace(VARIABLE, (match, name: string) => {
        if (match.startsWith('$$')) return match.slice(1);
        const ref = OUTPUT_REF.exec(name)!;
        const value = outputOf(ref[1]!, ref[2]!);
        if (value !== undefined) return value;
        placeholders.push(`${key} = ${match}`);
        return `placeholder-${ref[1]}-${ref[2]}`;
      });
    }
  }
  return { values, placeholders };
}
