import type { Finding, FindingSource, Severity } from './findings.js';

/**
 * A rule the product emits, declared once (like a cfn-lint rule): the registry in
 * src/pipeline/rules.ts collects every stage's rules; the docs' rule tables and SARIF's rule
 * descriptors are built from it.
 */
export interface RuleDefinition {
  id: string;
  source: FindingSource;
  /** The severity a finding of this rule has unless the check says otherwise. */
  severity: Severity;
  /** One line, as in a table of rules. */
  title: string;
  /** What the rule checks and what to do about a finding. */
  description: string;
  tags: readonly string[];
  /**
   * For security checks: how code scanning ranks an alert (a CVSS-like score, "9.0" critical,
   * "7.0" high, "4.0" medium, "0.1" low). Rules with one also carry the `security` tag.
   */
  securitySeverity?: string;
  /** Where the rule is explained; default docs/rules.md#<id>. */
  helpUrl?: string;
}

/** Where each rule is explained unless it names its own page. */
export const RULES_DOC_URL = 'https://github.com/iac-action/iac-action/blob/main/docs/rules.md';

export function helpUrlOf(rule: RuleDefinition): string {
  return rule.helpUrl ?? `${RULES_DOC_URL}#${rule.id.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;
}

/** A stage's rules by a short name, each id checked to be unique within the stage. */
export function defineRules<const T extends Record<string, RuleDefinition>>(rules: T): T {
  const ids = new Set<string>();
  for (const rule of Object.values(rules)) {
    if (ids.has(rule.id)) throw new Error(`rule ${rule.id} is declared twice`);
    ids.add(rule.id);
    if (rule.securitySeverity && !rule.tags.includes('security'))
      throw new Error(`rule ${rule.id} has a security severity but no "security" tag`);
  }
  return rules;
}

/** A finding of a rule: its id, source and default severity filled in from the declaration. */
export function findingOf(
  rule: RuleDefinition,
  at: Omit<Finding, 'source' | 'ruleId' | 'severity'> & { severity?: Severity },
): Finding {
  return { source: rule.source, ruleId: rule.id, severity: rule.severity, ...at };
}
