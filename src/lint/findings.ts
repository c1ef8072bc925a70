import { shorten } from '../model/text.js';
import type { Finding, Severity } from '../model/findings.js';

/** One result of `cfn-lint --format json`. */
export interface CfnLintResult {
  Filename: string | null;
  Level: 'Error' | 'Warning' | 'Informational' | string;
  Location?: {
    Start?: { LineNumber?: number; ColumnNumber?: number };
    End?: { LineNumber?: number; ColumnNumber?: number };
    Path?: (string | number)[] | null;
  };
  Message: string;
  Rule?: { Id?: string; Description?: string; ShortDescription?: string; Source?: string };
}

const LEVELS: Record<string, Severity> = {
  Error: 'error',
  Warning: 'warning',
  Informational: 'info',
};

const RULES_DOC = 'https://github.com/aws-cloudformation/cfn-lint/blob/main/docs/rules.md';

/** Map one cfn-lint result onto our finding, naming the file the user edits. */
export function toFinding(
  result: CfnLintResult,
  fileFor: (filename: string) => string | undefined,
): Finding | undefined {
  if (!result || typeof result !== 'object' || typeof result.Message !== 'string') return undefined;
  const file = result.Filename ? fileFor(result.Filename) : undefined;
  const ruleId = result.Rule?.Id ?? 'cfn-lint';
  const start = result.Location?.Start;
  const end = result.Location?.End;
  const source = result.Rule?.Source;
  const helpUrl =
    source && /^https?:\/\//.test(source) && !/cfn-lint\/?$/.test(source)
      ? source
      : `${RULES_DOC}#${ruleId.toLowerCase()}`;
  const path = result.Location?.Path;
  const logicalId =
    Array.isArray(path) && path[0] === 'Resources' && typeof path[1] === 'string'
      ? path[1]
      : undefined;
  return {
    source: 'cfn-lint',
    ruleId,
    severity: LEVELS[result.Level] ?? 'warning',
    file: file ?? result.Filename ?? '(cfn-lint)',
    line: start?.LineNumber ?? 0,
    column: start?.ColumnNumber ?? 0,
    ...(end?.LineNumber ? { endLine: end.LineNumber, endColumn: end.ColumnNumber ?? 0 } : {}),
    message: shorten(result.Message),
    helpUrl,
    ...(result.Rule?.ShortDescription
      ? {
          rule: {
            title: result.Rule.ShortDescription,
            ...(result.Rule.Description ? { description: result.Rule.Description } : {}),
          },
        }
      : {}),
    ...(logicalId ? { logicalId } : {}),
  };
}
