import type { CdkTemplate, ConstructInfo } from '../model/cdk.js';
import type { Finding } from '../model/findings.js';
import { at, isScalar, type ParsedTemplate } from '../model/template.js';

/**
 * cfn-lint rules that fire on what the CDK generates by design, muted on CDK templates only:
 * the CDK writes these itself, so a finding would ask the user to change code they did not write.
 */
export const CDK_MUTED_RULES: Readonly<Record<string, string>> = {
  W3005: 'the CDK adds DependsOn that Ref/GetAtt already imply, e.g. a function on its role',
};

/** The construct behind a resource: the assembly's metadata, else the template's `aws:cdk:path`. */
function constructOf(
  logicalId: string,
  cdk: CdkTemplate | undefined,
  template: ParsedTemplate | undefined,
): ConstructInfo | undefined {
  const known = cdk?.constructs[logicalId];
  if (known) return known;
  const path = at(template?.root, 'Resources', logicalId, 'Metadata', 'aws:cdk:path');
  return isScalar(path) && typeof path.value === 'string'
    ? { path: path.value.slice(0, 1_000) }
    : undefined;
}

/** `Stack/Construct` matches the construct and everything under it; `.CODE` narrows to one rule. */
function ignores(rule: string, finding: Finding, constructPath: string): boolean {
  if (!rule.includes('/')) return false;
  const code = /\.([A-Z][A-Z0-9_]*)$/.exec(rule);
  const target = code ? rule.slice(0, code.index) : rule;
  if (code && code[1] !== finding.ruleId.toUpperCase()) return false;
  return constructPath === target || constructPath.startsWith(`${target}/`);
}

export interface CdkFindingsOutcome {
  findings: Finding[];
  notices: string[];
}

/**
 * Findings a CDK user can act on: each names its construct (message and field) and, when the app
 * was synthesized with `--debug`, points at the app's source line instead of the generated file.
 * CDK-by-design cfn-lint rules are muted, and ignore-findings takes construct paths.
 */
export function cdkFindings(
  findings: readonly Finding[],
  templates: ReadonlyMap<string, { cdk?: CdkTemplate; template?: ParsedTemplate }>,
  ignore: readonly string[],
): CdkFindingsOutcome {
  const kept: Finding[] = [];
  const muted = new Map<string, number>();
  let ignored = 0;
  for (const finding of findings) {
    const entry = templates.get(finding.file);
    const isCdk = Boolean(
      entry?.cdk ||
      (finding.logicalId && constructOf(finding.logicalId, undefined, entry?.template)),
    );
    if (!entry || !isCdk) {
      kept.push(finding);
      continue;
    }
    if (finding.source === 'cfn-lint' && CDK_MUTED_RULES[finding.ruleId]) {
      muted.set(finding.ruleId, (muted.get(finding.ruleId) ?? 0) + 1);
      continue;
    }
    const construct = finding.logicalId
      ? constructOf(finding.logicalId, entry.cdk, entry.template)
      : undefined;
    if (!construct) {
      kept.push(finding);
      continue;
    }
    if (ignore.some((rule) => ignores(rule, finding, construct.path))) {
      ignored++;
      continue;
    }
    const located: Finding = {
      ...finding,
      message: `${finding.message} [construct ${construct.path}]`,
      constructPath: construct.path,
    };
    if (construct.source) {
      located.templateFile = finding.file;
      located.file = construct.source.file;
      located.line = construct.source.line;
      located.column = construct.source.column;
      delete located.endLine;
      delete located.endColumn;
    }
    kept.push(located);
  }
  const notices: string[] = [];
  if (muted.size)
    notices.push(
      `Muted on CDK templates, where the CDK generates them by design: ${[...muted]
        .map(([id, count]) => `${id} ×${count} (${CDK_MUTED_RULES[id]})`)
        .join(', ')}.`,
    );
  if (ignored)
    notices.push(
      `${ignored} ${ignored === 1 ? 'finding was' : 'findings were'} ignored by construct path (ignore-findings).`,
    );
  return { findings: kept, notices };
}
