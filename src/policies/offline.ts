import { isRecord } from '../model/values.js';
import type { Severity } from '../model/findings.js';
import type { RuleDefinition } from '../model/rules.js';
import type { IamCatalogue } from './catalogue.js';
import { STATEMENT_CHECKS, type Reporter } from './checks.js';
import type { PolicyType } from './extract.js';
import { isPlaceholder, type PolicyPath } from './resolve.js';
import { POLICY_RULES as R } from './rules.js';
import { statementFacts } from './statement.js';

/** A problem found in a resolved policy document, located by its JSON path. */
export interface PolicyIssue {
  ruleId: string;
  severity: Severity;
  message: string;
  path: PolicyPath;
  /** Points at the key at `path` rather than its value. */
  atKey?: boolean;
  helpUrl?: string;
}

/**
 * Check one resolved policy document against the IAM catalogue, without calling AWS: the
 * document's own shape here, each statement by the checks in checks.ts.
 */
export async function checkPolicyOffline(
  document: unknown,
  policyType: PolicyType,
  catalogue: IamCatalogue,
  { limitsOnly = false }: { limitsOnly?: boolean } = {},
): Promise<PolicyIssue[]> {
  const issues: PolicyIssue[] = [];
  const report: Reporter = (rule, path, message, atKey = false) =>
    issues.push(issueOf(rule, path, message, atKey));
  if (!isRecord(document)) {
    report(R.malformedPolicy, [], 'The policy document is not a JSON object.');
    return issues;
  }
  const version = document.Version;
  if (version === undefined)
    report(R.missingVersion, [], 'The policy has no "Version"; add "Version": "2012-10-17".');
  else if (version !== '2012-10-17' && !isPlaceholder(version))
    report(R.oldVersion, ['Version'], `"Version" is "${String(version)}"; use "2012-10-17".`);

  const statements = document.Statement;
  if (statements === undefined || (typeof statements !== 'object' && !isPlaceholder(statements))) {
    report(R.malformedPolicy, [], 'The policy has no "Statement" list.');
    return issues;
  }
  const list = Array.isArray(statements) ? statements : [statements];
  for (const [index, statement] of list.entries()) {
    const path = Array.isArray(statements) ? ['Statement', index] : ['Statement'];
    if (!isRecord(statement)) {
      if (!isPlaceholder(statement))
        report(R.malformedPolicy, path, 'A statement is not a JSON object.');
      continue;
    }
    const facts = await statementFacts(statement, path, policyType, catalogue, limitsOnly);
    for (const check of STATEMENT_CHECKS) await check.check(facts, report, catalogue);
  }
  return issues;
}

function issueOf(
  rule: RuleDefinition,
  path: PolicyPath,
  message: string,
  atKey: boolean,
): PolicyIssue {
  return {
    ruleId: rule.id,
    severity: rule.severity,
    message,
    path,
    ...(atKey ? { atKey } : {}),
    ...(rule.helpUrl ? { helpUrl: rule.helpUrl } : {}),
  };
}
