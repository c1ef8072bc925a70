import {
  summarize,
  type Finding,
  type Report,
  type TemplateEntry,
} from '../../src/model/findings.js';
import type { RunContext } from '../../src/report/workflow-run.js';

/** A finding with defaults, for report tests. */
export function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    source: 'cfn-lint',
    ruleId: 'E3012',
    severity: 'error',
    file: 'templates/bucket.yaml',
    line: 12,
    column: 7,
    message: "'yes' is not of type 'boolean'",
    helpUrl: 'https://github.com/aws-cloudformation/cfn-lint/blob/main/docs/rules.md#e3012',
    logicalId: 'Bucket',
    ...overrides,
  };
}

/** An IAM Access Analyzer security warning, as the policy stage reports one. */
export function policyFinding(overrides: Partial<Finding> = {}): Finding {
  return finding({
    source: 'access-analyzer',
    ruleId: 'PASS_ROLE_WITH_STAR_IN_RESOURCE',
    file: 'templates/iam.yaml',
    line: 22,
    column: 13,
    logicalId: 'DeployRole',
    message:
      'Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive.',
    helpUrl:
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-security-warning-pass-role-with-star-in-resource',
    ...overrides,
  });
}

/** A report the way validate() builds one: templates, findings and their summary. */
export function makeReport(
  findings: Finding[],
  files: string[] = ['templates/bucket.yaml'],
  extra: Partial<Report> = {},
): Report {
  const templates: TemplateEntry[] = files.map((file) => ({ file, origin: 'file', resources: 2 }));
  return {
    schemaVersion: 1,
    tool: { name: 'iac-action', version: '0.1.0' },
    cfnLintVersion: '1.51.0',
    templates,
    policies: [],
    findings,
    notices: [],
    summary: summarize(findings, templates, 'error'),
    ...extra,
  };
}

export const RUN: RunContext = {
  repository: 'octo/infra',
  serverUrl: 'https://github.com',
  sha: '0123456789abcdef0123456789abcdef01234567',
  runUrl: 'https://github.com/octo/infra/actions/runs/42',
  eventName: 'pull_request',
  pullRequest: { number: 7, owner: 'octo', repo: 'infra' },
  workflow: 'checks',
  job: 'cloudformation',
};
