/** The one finding model every stage writes and every report reads. */

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

export type FindingSource =
  | 'parser'
  | 'discovery'
  | 'cfn-lint'
  | 'access-analyzer'
  | 'policy-check'
  | 'change-set'
  | 'cloudformation'
  | 'stateful'
  | 'cfn-guard';

export type FailOn = 'error' | 'warning' | 'none';

export interface Finding {
  source: FindingSource;
  ruleId: string;
  severity: Severity;
  /** Repository-relative path with forward slashes: the file the user edits (the .njk, not its rendering). */
  file: string;
  /** 1-based; a finding about the whole file points at line 1. */
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  message: string;
  helpUrl?: string;
  /** The resource the finding belongs to, where known. */
  logicalId?: string;
  /** The stacks (manifest ids) it applies to, where the stacks deploying its template differ. */
  stack?: string;
  /** CDK: the construct path of the resource (`aws:cdk:path`), e.g. `LakeDev/CrawlerRole/Resource`. */
  constructPath?: string;
  /** CDK with `synth --debug`: the synthesized template, when `file` points at the app's source. */
  templateFile?: string;
  /**
   * What a tool says about its own rule (cfn-lint's ShortDescription and Description); the
   * report keeps it once per rule in `rules`, not on every finding.
   */
  rule?: { title: string; description?: string };
  /** For findings of security controls whose rank is their own (cfn-guard packs), as in SARIF. */
  securitySeverity?: string;
}

/** What the report says about a rule its findings belong to (for SARIF's rule descriptors). */
export interface ReportRule {
  title: string;
  description?: string;
  helpUrl?: string;
  tags: string[];
  /** For security checks: how code scanning ranks an alert, e.g. "7.0". */
  securitySeverity?: string;
}

/** A rule a resource's Metadata suppresses, listed in the report so reviewers see every one. */
export interface SuppressionEntry {
  file: string;
  line: number;
  logicalId: string;
  /** Control id or rule name as written. */
  rule: string;
  reason?: string;
  /** How many findings it hid. */
  suppressed: number;
}

export interface TemplateEntry {
  /** Repository-relative path of the file the user edits. */
  file: string;
  /** How the checked text was produced from that file. */
  origin: 'file' | 'nunjucks' | 'cdk';
  /** For CDK: the stack name from manifest.json. */
  stackName?: string;
  /** Resource count, when the template parsed. */
  resources?: number;
}

export interface PolicyEntry {
  file: string;
  logicalId: string;
  policyName: string;
  policyType: string;
  line: number;
  /** The stacks this resolution of the policy belongs to, where the template's stacks differ. */
  stack?: string;
}

/** One changed property of a resource, with its values where they are known. */
export interface PropertyChange {
  /** Path below Properties, e.g. `VersioningConfiguration/Status`. */
  path: string;
  /** Shortened values as the template writes them (absent: the property is added or removed). */
  before?: string;
  after?: string;
  /** This property's change replaces the resource (always) or may (conditionally). */
  replacement?: 'always' | 'conditionally';
  /** What made the value change, e.g. `ParameterReference KmsKeyArn` or `ResourceAttribute Key.Arn`. */
  causedBy?: string;
  /** A drift-aware change set (drift: revert): the live value it puts back to `after`. */
  live?: string;
}

/** A resource whose live configuration differs from the template (drift detection). */
export interface DriftEntry {
  logicalId: string;
  resourceType: string;
  status: 'modified' | 'deleted';
  /** The properties that differ, paths below Properties; values shortened and masked. */
  differences: {
    path: string;
    kind: 'added' | 'removed' | 'changed';
    expected?: string;
    actual?: string;
  }[];
  /** The change set changes what drifted, so the live change is overwritten (or reverted). */
  overwritten: boolean;
}

/** What a change set would do to one resource (filled by the plan stage). */
export interface ResourceChangeEntry {
  logicalId: string;
  resourceType: string;
  action: 'add' | 'modify' | 'replace' | 'may-replace' | 'remove' | 'import' | 'dynamic';
  /** Properties whose change forces (or may force) the replacement. */
  replacementCauses: string[];
  /** A type whose replacement or removal loses data (database, bucket, key, ...). */
  stateful: boolean;
  /** A stateful replacement or removal that input allow-replacement does not allow. */
  blocked: boolean;
  /** DeletionPolicy Retain: a removal only orphans the resource. */
  retained?: boolean;
  /** The changed properties, where the plan knows them. */
  properties?: PropertyChange[];
  /** A removal whose resource comes back under this logical id (same type and properties). */
  renamedTo?: string;
  /** An addition that is the resource removed under this logical id. */
  renamedFrom?: string;
  /**
   * The logical-id path of the nested stack this change belongs to (`Storage`, `Storage/Logs`);
   * its own logicalId then starts with that path.
   */
  nestedIn?: string;
}

/** One IAM statement added or removed, as the CDK's IAM statement changes show it. */
export interface IamStatementChange {
  change: 'added' | 'removed';
  logicalId: string;
  policyName: string;
  effect: string;
  /** `*`, `AWS:arn`, `Service:name`, ...; empty in identity policies. */
  principals: string[];
  /** With `NotAction:` / `NotResource:` in front when the statement uses those. */
  actions: string[];
  resources: string[];
  /** The Condition element as compact JSON; empty without one. */
  condition: string;
}

/** An added Allow statement: the stack's permissions broaden. */
export function broadens(changes: readonly IamStatementChange[] | undefined): boolean {
  return (changes ?? []).some((c) => c.change === 'added' && c.effect === 'Allow');
}

/** The change-set preview of one stack. */
export interface StackPlanEntry {
  stackId: string;
  stackName: string;
  region: string;
  changeSetName?: string;
  changeSetType?: 'CREATE' | 'UPDATE';
  status: 'changes' | 'no-changes' | 'failed' | 'blocked';
  changes: ResourceChangeEntry[];
  /** One line per IAM statement or policy change, for the "permissions change" table. */
  iamChanges: string[];
  /**
   * Statements added and removed, policy by policy, between the deployed (or base) template and the
   * new one; set where both templates could be read.
   */
  iamStatements?: IamStatementChange[];
  message?: string;
  /** Predicted without AWS, from the template at this base commit (no credentials). */
  predictedFrom?: string;
  /** Resources that drifted, detected before the change set (input drift other than ignore). */
  drift?: DriftEntry[];
  /** Why drift is missing or incomplete (detection failed, timed out or was not allowed). */
  driftNote?: string;
  /** The change set is drift-aware (drift: revert, deployment mode REVERT_DRIFT). */
  revertsDrift?: boolean;
  /** A deployed stack that left the manifest since the base commit; its resources as removals. */
  unmanaged?: boolean;
}

/** The outcome of executing one stack's change set. */
export interface DeploymentEntry {
  stackId: string;
  stackName: string;
  region: string;
  status: 'succeeded' | 'no-op' | 'failed' | 'timed-out' | 'cancelled' | 'skipped';
  /** Final stack status, e.g. UPDATE_COMPLETE or UPDATE_ROLLBACK_COMPLETE. */
  stackStatus?: string;
  /** The update was cancelled (timeout or a cancelled job) and CloudFormation is rolling it back. */
  rollingBack?: boolean;
  outputs: Record<string, string>;
  failure?: { logicalId: string; reason: string };
  message?: string;
}

export interface Counts {
  error: number;
  warning: number;
  info: number;
}

export interface Summary extends Counts {
  failOn: FailOn;
  blocking: boolean;
  /** How many findings are at or above the fail-on level. */
  blockingCount: number;
  bySource: Partial<Record<FindingSource, Counts>>;
  byTemplate: Record<string, Counts>;
}

export interface Report {
  schemaVersion: 1;
  tool: { name: 'iac-action'; version: string };
  cfnLintVersion?: string;
  environment?: string;
  templates: TemplateEntry[];
  policies: PolicyEntry[];
  findings: Finding[];
  /** Things the user should know that are not findings (fallbacks, skipped steps). */
  notices: string[];
  /** Files a folder scan passed over: no top-level Resources or AWSTemplateFormatVersion. */
  skipped?: string[];
  /** Every rule a finding belongs to, by id: the product's registry and the tools' own words. */
  rules?: Record<string, ReportRule>;
  /** Guard rules that resources suppress, with their reasons. */
  suppressions?: SuppressionEntry[];
  summary: Summary;
  /** Present in modes plan, deploy and execute. */
  plan?: StackPlanEntry[];
  /** Present in modes deploy and execute. */
  deployments?: DeploymentEntry[];
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function emptyCounts(): Counts {
  return { error: 0, warning: 0, info: 0 };
}

export function blocks(severity: Severity, failOn: FailOn): boolean {
  if (failOn === 'none') return false;
  return RANK[severity] <= RANK[failOn];
}

/** Most severe first, then by file and position, so every report lists findings the same way. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    RANK[a.severity] - RANK[b.severity] ||
    a.file.localeCompare(b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    a.ruleId.localeCompare(b.ruleId)
  );
}

export function summarize(
  findings: readonly Finding[],
  templates: readonly TemplateEntry[],
  failOn: FailOn,
): Summary {
  const total = emptyCounts();
  const bySource: Summary['bySource'] = {};
  const byTemplate: Summary['byTemplate'] = {};
  for (const t of templates) byTemplate[t.file] = emptyCounts();
  let blockingCount = 0;
  for (const f of findings) {
    total[f.severity]++;
    (bySource[f.source] ??= emptyCounts())[f.severity]++;
    (byTemplate[f.file] ??= emptyCounts())[f.severity]++;
    if (blocks(f.severity, failOn)) blockingCount++;
  }
  return { ...total, failOn, blocking: blockingCount > 0, blockingCount, bySource, byTemplate };
}

/** A deploy that did not reach its goal fails the job whatever fail-on says. */
export function deployFailed(report: Report): boolean {
  return (report.deployments ?? []).some((d) => d.status !== 'succeeded' && d.status !== 'no-op');
}

/** Action outputs from stack outputs: `<stackId>-<OutputKey>` each, and all as JSON. */
export function stackOutputs(report: Report): { name: string; value: string }[] {
  const all: Record<string, Record<string, string>> = {};
  const outputs: { name: string; value: string }[] = [];
  for (const d of report.deployments ?? []) {
    all[d.stackId] = d.outputs;
    for (const [key, value] of Object.entries(d.outputs))
      outputs.push({ name: `${d.stackId}-${key}`, value });
  }
  outputs.push({ name: 'outputs', value: JSON.stringify(all) });
  return outputs;
}
