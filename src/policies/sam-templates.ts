import type { MapNode, Position, TemplateNode } from '../model/template.js';
import { child, nodeOf } from '../model/template.js';
import digest from './sam-policy-templates.json' with { type: 'json' };

/**
 * AWS SAM's policy templates (`S3ReadPolicy: {BucketName: x}` in a function's `Policies`), from
 * the digest scripts/sam-policy-templates.ts writes from the SAM translator's
 * policy_templates.json. A template's definition refers to its parameters with `Ref`; SAM puts the
 * given values there, and so does this expansion, keeping the values' own template positions.
 */
interface SamTemplate {
  parameters: string[];
  definition: unknown;
}

const TEMPLATES = digest.templates as Record<string, SamTemplate>;

/** Where the digest comes from, for notices and docs. */
export const SAM_TEMPLATES_SOURCE = digest.source;

export function isSamPolicyTemplate(name: string): boolean {
  return Object.hasOwn(TEMPLATES, name);
}

/**
 * The policy document a SAM policy template gives with these values, every generated part placed
 * at `at` (the template's line). SAM writes no Version; the expansion adds 2012-10-17, which is
 * what the statements are written for.
 */
export function expandSamPolicyTemplate(
  name: string,
  values: TemplateNode | undefined,
  at: Position,
): MapNode | undefined {
  const template = TEMPLATES[name];
  if (!template) return undefined;
  const parameters = new Set(template.parameters);
  // `{Ref: Parameter}` is where SAM puts the given value.
  const given = (value: unknown): TemplateNode | undefined => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const entries = Object.entries(value as Record<string, unknown>);
    const [only] = entries;
    return entries.length === 1 && only?.[0] === 'Ref' && typeof only[1] === 'string'
      ? parameters.has(only[1])
        ? child(values, only[1])
        : undefined
      : undefined;
  };
  return nodeOf(
    { Version: '2012-10-17', ...(template.definition as object) },
    at,
    given,
  ) as MapNode;
}
