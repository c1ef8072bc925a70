import { createHash } from 'node:crypto';
import type { Finding, FindingSource, Report, Severity } from '../model/findings.js';

/** Where people read about the tool, shown by code scanning beside every alert. */
export const TOOL_INFORMATION_URI = 'https://github.com/iac-action/iac-action';

const SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
};

const SOURCE_NAME: Record<FindingSource, string> = {
  parser: 'template parser',
  discovery: 'template discovery',
  'cfn-lint': 'cfn-lint',
  'access-analyzer': 'IAM Access Analyzer',
  'policy-check': 'IAM policy check',
  'change-set': 'CloudFormation change set',
  cloudformation: 'CloudFormation validation and Hooks',
  stateful: 'stateful resource check',
  'cfn-guard': 'cfn-guard',
};

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription?: { text: string };
  helpUri?: string;
  help: { text: string };
  defaultConfiguration: { level: 'error' | 'warning' | 'note' };
  properties: { tags: string[]; 'security-severity'?: string };
}

/** The SARIF 2.1.0 log of a report, as github/codeql-action/upload-sarif takes it. */
export function toSarif(report: Report): object {
  const rules = new Map<string, { rule: SarifRule; index: number }>();
  const ruleIndex = (f: Finding): number => {
    const known = rules.get(f.ruleId);
    if (known) return known.index;
    // The registry's words (or the tool's own, for cfn-lint); a generic title only for the rest.
    const described = report.rules?.[f.ruleId];
    const title = described?.title ?? `${SOURCE_NAME[f.source]} rule ${f.ruleId}`;
    const helpUrl = f.helpUrl ?? described?.helpUrl;
    // A control pack ranks its own findings (cfn-guard); otherwise the rule's declared rank.
    const security = f.securitySeverity ?? described?.securitySeverity;
    const tags = [...new Set(['cloudformation', f.source, ...(described?.tags ?? [])])];
    const rule: SarifRule = {
      id: f.ruleId,
      name: f.ruleId.replace(/[^A-Za-z0-9]+/g, ''),
      shortDescription: { text: title },
      ...(described?.description ? { fullDescription: { text: described.description } } : {}),
      ...(helpUrl ? { helpUri: helpUrl } : {}),
      help: {
        text: [described?.description ?? title, helpUrl ? `See ${helpUrl}` : '']
          .filter(Boolean)
          .join(' '),
      },
      defaultConfiguration: { level: LEVEL[f.severity] },
      properties: {
        tags: security && !tags.includes('security') ? [...tags, 'security'] : tags,
        ...(security ? { 'security-severity': security } : {}),
      },
    };
    rules.set(f.ruleId, { rule, index: rules.size });
    return rules.size - 1;
  };
  const seen = new Map<string, number>();
  const results = report.findings.map((f) => ({
    ruleId: f.ruleId,
    ruleIndex: ruleIndex(f),
    level: LEVEL[f.severity],
    message: { text: f.logicalId ? `${f.logicalId}: ${f.message}` : f.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: sarifUri(f.file), uriBaseId: '%SRCROOT%' },
          region: region(f),
        },
        ...(f.logicalId
          ? {
              logicalLocations: [
                {
                  name: f.logicalId,
                  kind: 'resource',
                  ...(f.constructPath ? { fullyQualifiedName: f.constructPath } : {}),
                },
              ],
            }
          : {}),
      },
    ],
    partialFingerprints: { 'iacActionFinding/v1': fingerprint(f, seen) },
  }));
  return {
    $schema: SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: TOOL_INFORMATION_URI,
            rules: [...rules.values()].map((r) => r.rule),
          },
          ...(report.cfnLintVersion
            ? {
                extensions: [
                  {
                    name: 'cfn-lint',
                    version: report.cfnLintVersion,
                    informationUri: 'https://github.com/aws-cloudformation/cfn-lint',
                  },
                ],
              }
            : {}),
        },
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: report.notices.map((text) => ({
              level: 'note',
              message: { text },
            })),
          },
        ],
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The repository root.' } } },
        columnKind: 'unicodeCodePoints',
        results,
      },
    ],
  };
}

export function formatSarif(report: Report): string {
  return `${JSON.stringify(toSarif(report), null, 2)}\n`;
}

/** Repository-relative, forward slashes, each segment percent-encoded as a URI reference. */
function sarifUri(file: string): string {
  return file.replace(/\\/g, '/').replace(/^\.\//, '').split('/').map(encodeURIComponent).join('/');
}

/** SARIF lines and columns start at 1; a whole-file finding (line 0) points at the first line. */
function region(f: Finding): Record<string, number> {
  const startLine = Math.max(1, f.line);
  const startColumn = Math.max(1, f.column);
  const out: Record<string, number> = { startLine, startColumn };
  if (f.endLine && f.endLine >= startLine) {
    out.endLine = f.endLine;
    const endColumn = Math.max(1, f.endColumn ?? 1);
    if (f.endLine > startLine || endColumn >= startColumn) out.endColumn = endColumn;
  }
  return out;
}

/**
 * Stable across pushes that only move lines: the rule, the file, the resource and the message
 * (with digits removed, as messages often quote positions), never the line number. Equal findings
 * are told apart by their order, so code scanning keeps them as separate alerts.
 */
function fingerprint(f: Finding, seen: Map<string, number>): string {
  const hash = createHash('sha256')
    // A CDK construct path outlives the logical id, whose hash changes with the construct tree.
    .update(
      [f.ruleId, f.file, f.constructPath ?? f.logicalId ?? '', f.message.replace(/\d+/g, '#')].join(
        '\0',
      ),
    )
    .digest('hex')
    .slice(0, 32);
  const occurrence = (seen.get(hash) ?? 0) + 1;
  seen.set(hash, occurrence);
  return `${hash}:${occurrence}`;
}
