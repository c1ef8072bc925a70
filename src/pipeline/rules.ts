import { DEPLOY_RULES } from '../deploy/rules.js';
import { DISCOVERY_RULES } from '../discover/rules.js';
import { GUARD_RULES } from '../guard/rules.js';
import { LINT_RULES } from '../lint/rules.js';
import type { RuleDefinition } from '../model/rules.js';
import { TEMPLATE_RULES } from '../model/template-rules.js';
import { POLICY_RULES } from '../policies/rules.js';
import { STATEFUL_RULES } from '../stateful/rules.js';

/**
 * Every rule the product emits, declared once in its stage's rules.ts: the docs' rule tables
 * (scripts/rules-doc.ts) and SARIF's rule descriptors are built from this list. cfn-lint's own
 * rules and Access Analyzer's issue codes come with their findings.
 */
export const RULES: readonly RuleDefinition[] = [
  ...Object.values(TEMPLATE_RULES),
  ...Object.values(DISCOVERY_RULES),
  ...Object.values(LINT_RULES),
  ...Object.values(STATEFUL_RULES),
  ...Object.values(DEPLOY_RULES),
  ...Object.values(POLICY_RULES),
  ...Object.values(GUARD_RULES),
];

const BY_ID = new Map(RULES.map((rule) => [rule.id, rule]));
if (BY_ID.size !== RULES.length) throw new Error('two stages declare the same rule id');

export function ruleById(id: string): RuleDefinition | undefined {
  return BY_ID.get(id);
}
