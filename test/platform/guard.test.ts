// The AWS Control Tower proactive controls (cfn-guard rules shipped by
// @cdklabs/cdk-validator-cfnguard) over the platform's templates as CloudFormation would create
// them in dev and prod: parameters from environments/ and the manifest, conditions evaluated,
// false-condition resources dropped (test/platform/resolve.ts). One cfn-guard run per
// environment. Every failure must be suppressed on the failing resource with cfn-guard's own
// convention, Metadata.guard.SuppressedRules, and a written reason beside it in
// Metadata.iac-action-suppressions.<rule>; a suppression that suppresses nothing fails too.
//
// The Control Tower rules do not read Metadata.guard themselves (only the rules of the Guard
// rules registry filter on it), so this test applies the suppressions to cfn-guard's JSON
// output: a failing check is suppressed when the resource its path names suppresses the rule.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { OPTIONAL_STACKS_ON, resolveEnvironment, type ResolvedStack } from './resolve.js';

const ROOT = resolve(import.meta.dirname, '../..');
const PACKAGE = join(ROOT, 'node_modules/@cdklabs/cdk-validator-cfnguard');
const GUARD = join(PACKAGE, 'bin/ubuntu/x86_64/cfn-guard');
const RULES = join(PACKAGE, 'rules/control-tower/cfn-guard');
const METADATA = join(PACKAGE, 'rules/control-tower/metadata');
export const SUPPRESSION_REASONS = 'iac-action-suppressions';

// Rule name (as cfn-guard reports it) -> control id (CT.S3.PR.1), from the guard files and the
// metadata JSON beside them.
function controlIds(): Map<string, string> {
  const ids = new Map<string, string>();
  for (const service of readdirSync(RULES)) {
    for (const file of readdirSync(join(RULES, service)).filter((f) => f.endsWith('.guard'))) {
      const text = readFileSync(join(RULES, service, file), 'utf8');
      const meta = JSON.parse(
        readFileSync(join(METADATA, service, file.replace(/\.guard$/, '.metadata.json')), 'utf8'),
      ) as { Id: string };
      for (const m of text.matchAll(/^rule (\w+) when/gm)) ids.set(m[1]!, meta.Id);
    }
  }
  return ids;
}

interface GuardFile {
  name: string;
  status: string;
  compliant: string[];
  not_applicable: string[];
  not_compliant: { Rule: { name: string } }[];
}

// Every template resource id a failing check points at (/Resources/<id>/...).
function failingResources(check: unknown): Set<string> {
  const ids = new Set<string>();
  const text = JSON.stringify(check);
  for (const m of text.matchAll(/"path":"\/Resources\/([A-Za-z0-9]+)/g)) ids.add(m[1]!);
  return ids;
}

interface EnvironmentResult {
  files: GuardFile[];
  stacks: Map<string, ResolvedStack>;
  exitCode: number | null;
  stderr: string;
}

const workDir = mkdtempSync(join(tmpdir(), 'platform-guard-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

// Each environment resolved once for every check of this file.
const resolvedStacks = new Map<string, Map<string, ResolvedStack>>();
function resolved(envName: string): Map<string, ResolvedStack> {
  let stacks = resolvedStacks.get(envName);
  if (!stacks) {
    // Optional stacks (Databricks) on, so the controls see their resources too.
    stacks = resolveEnvironment(ROOT, envName, { typed: true, parameters: OPTIONAL_STACKS_ON });
    resolvedStacks.set(envName, stacks);
  }
  return stacks;
}

function runGuard(envName: string): EnvironmentResult {
  const stacks = resolved(envName);
  const dataDir = join(workDir, envName);
  mkdirSync(dataDir);
  for (const [id, stack] of stacks) {
    const document = { AWSTemplateFormatVersion: '2010-09-09', Resources: stack.resources };
    writeFileSync(join(dataDir, `${id}.json`), JSON.stringify(document, null, 1));
  }
  const run = spawnSync(
    GUARD,
    ['validate', '-r', RULES, '-d', dataDir, '-o', 'json', '--structured', '-S', 'none'],
    // Collected when the file loads, outside vitest's test timeouts: a busy 2-core machine needs minutes.
    { encoding: 'utf8', timeout: 300_000, maxBuffer: 256 * 1024 * 1024 },
  );
  if (run.error) throw run.error;
  return {
    files: JSON.parse(run.stdout) as GuardFile[],
    stacks,
    exitCode: run.status,
    stderr: run.stderr,
  };
}

type Metadata = {
  guard?: { SuppressedRules?: string[] };
  [SUPPRESSION_REASONS]?: Record<string, string>;
};

const ids = controlIds();

describe.each(['dev', 'prod'])('Control Tower proactive controls (%s)', (envName) => {
  const result = runGuard(envName);
  const stackOf = (file: string) => file.replace(/^.*\//, '').replace(/\.json$/, '');
  const metadataOf = (stack: string, resource: string): Metadata =>
    (result.stacks.get(stack)?.resources[resource]?.Metadata ?? {}) as Metadata;

  // (stack, resource, rule) of every failing check.
  const failures: { stack: string; resource: string; rule: string }[] = [];
  const unattributed: string[] = [];
  for (const file of result.files) {
    for (const entry of file.not_compliant) {
      const resources = failingResources(entry);
      if (resources.size === 0) unattributed.push(`${stackOf(file.name)}: ${entry.Rule.name}`);
      for (const resource of resources)
        failures.push({ stack: stackOf(file.name), resource, rule: entry.Rule.name });
    }
  }
  const suppressed = failures.filter(({ stack, resource, rule }) =>
    (metadataOf(stack, resource).guard?.SuppressedRules ?? []).includes(rule),
  );

  it('runs the whole pack over every stack once, with rules that apply and pass', () => {
    expect(result.stderr).toBe('');
    expect([0, 19]).toContain(result.exitCode);
    expect(result.files.map((f) => stackOf(f.name)).sort()).toEqual(
      [...result.stacks.keys()].sort(),
    );
    const evaluated = new Set(
      result.files.flatMap((f) => [...f.compliant, ...f.not_compliant.map((n) => n.Rule.name)]),
    );
    const failed = new Set(failures.map((f) => f.rule));
    const passed = [...evaluated].filter((r) => !failed.has(r));
    const suppressedRules = new Set(suppressed.map((f) => f.rule));
    // Counts for the reader of the test log.
    console.log(
      `${envName}: ${ids.size} controls in the pack, ${evaluated.size} applied, ${passed.length} passed everywhere, ` +
        `${failed.size} failed somewhere (${suppressed.length} failing resource checks, all suppressed: ` +
        `${[...suppressedRules]
          .map((r) => ids.get(r) ?? r)
          .sort()
          .join(', ')})`,
    );
    expect(evaluated.size).toBeGreaterThan(40);
    for (const rule of evaluated) expect(ids.has(rule), rule).toBe(true);
  });

  it('leaves no failure unsuppressed', () => {
    const open = failures
      .filter((f) => !suppressed.includes(f))
      .map((f) => `${f.stack}/${f.resource}: ${f.rule} (${ids.get(f.rule)})`);
    expect([...unattributed, ...open]).toEqual([]);
  });

  it('gives every suppression a written reason and suppresses only controls that fail', () => {
    const problems: string[] = [];
    for (const [stackId, stack] of result.stacks) {
      for (const [resource, value] of Object.entries(stack.resources)) {
        const meta = (value.Metadata ?? {}) as Metadata;
        for (const rule of meta.guard?.SuppressedRules ?? []) {
          const reason = meta[SUPPRESSION_REASONS]?.[rule];
          if (!ids.has(rule)) problems.push(`${stackId}/${resource}: ${rule} is no control`);
          if (typeof reason !== 'string' || reason.length < 40)
            problems.push(`${stackId}/${resource}: ${rule} has no reason`);
          if (
            !failures.some((f) => f.stack === stackId && f.resource === resource && f.rule === rule)
          )
            problems.push(`${stackId}/${resource}: ${rule} suppresses nothing in ${envName}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

// Resolved template JSON; the assertions below check its shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

// The Security Hub / operations basics of deliverable 5 that no Control Tower control checks.
describe.each(['dev', 'prod'])('operational controls (%s)', (envName) => {
  const stacks = resolved(envName);
  const all = [...stacks.values()].flatMap((s) =>
    Object.entries(s.resources).map(([id, r]) => ({ stack: s.id, id, r })),
  );
  const ofType = (type: string) => all.filter((x) => x.r.Type === type);
  const props = (x: { r: object }) => ((x.r as { Properties?: unknown }).Properties ?? {}) as Loose;
  const alarmTopic = stacks.get('audit')!.outputs.AlarmTopicArn;

  it('keeps every log group for at least a year, encrypted with the platform key', () => {
    const groups = ofType('AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThanOrEqual(3);
    for (const g of groups) {
      expect(props(g).RetentionInDays, g.id).toBeGreaterThanOrEqual(365);
      expect(props(g).KmsKeyId, g.id).toBe(stacks.get('kms')!.outputs.KeyArn);
    }
  });

  it('sends every alarm and the budget to the alarm topic', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThanOrEqual(7);
    for (const a of alarms) expect(props(a).AlarmActions, a.id).toEqual([alarmTopic]);
    const budgets = ofType('AWS::Budgets::Budget');
    expect(budgets).toHaveLength(1);
    const budget = props(budgets[0]!);
    expect(budget.Budget.CostFilters.TagKeyValue).toEqual([`user:environment$${envName}`]);
    const subscribers = budget.NotificationsWithSubscribers.flatMap(
      (n: { Subscribers: unknown[] }) => n.Subscribers,
    );
    expect(subscribers.length).toBeGreaterThan(0);
    for (const s of subscribers)
      expect(s).toEqual({ SubscriptionType: 'SNS', Address: alarmTopic });
  });

  it('logs the VPC flows, closes the default security group and encrypts the catalog', () => {
    const vpc = stacks.get('network')!.outputs.VpcId;
    const flowLogs = ofType('AWS::EC2::FlowLog').map(props);
    expect(flowLogs).toEqual([
      expect.objectContaining({ ResourceType: 'VPC', ResourceId: vpc, TrafficType: 'ALL' }),
    ]);
    const rule = ofType('AWS::Config::ConfigRule').map(props);
    expect(rule.map((r) => r.Source.SourceIdentifier)).toEqual([
      'VPC_DEFAULT_SECURITY_GROUP_CLOSED',
    ]);
    const remediation = ofType('AWS::Config::RemediationConfiguration').map(props);
    expect(remediation).toEqual([
      expect.objectContaining({
        Automatic: true,
        TargetId: 'AWSConfigRemediation-RemoveVPCDefaultSecurityGroupRules',
      }),
    ]);
    const catalog = ofType('AWS::Glue::DataCatalogEncryptionSettings').map(props);
    expect(catalog).toHaveLength(1);
    expect(catalog[0]!.DataCatalogEncryptionSettings.EncryptionAtRest).toEqual({
      CatalogEncryptionMode: 'SSE-KMS',
      SseAwsKmsKeyId: stacks.get('kms')!.outputs.KeyArn,
    });
  });

  it('caps Redshift Serverless capacity and pauses a provisioned dev cluster out of hours', () => {
    const workgroups = ofType('AWS::RedshiftServerless::Workgroup').map(props);
    for (const w of workgroups) expect(w.MaxCapacity).toBeGreaterThanOrEqual(w.BaseCapacity);
    for (const w of workgroups) expect(w.MaxCapacity).toBeLessThanOrEqual(64);
    const actions = ofType('AWS::Redshift::ScheduledAction').map(props);
    const clusters = ofType('AWS::Redshift::Cluster');
    if (envName === 'dev') {
      expect(workgroups).toHaveLength(1);
      expect(actions).toEqual([]);
      // dev is Serverless (billed only while queries run); as a cluster it pauses out of hours.
      const asCluster = resolveEnvironment(ROOT, 'dev', {
        typed: true,
        parameters: { redshift: { DeploymentType: 'provisioned' } },
      });
      const scheduled = Object.values(asCluster.get('redshift')!.resources)
        .filter((r) => r.Type === 'AWS::Redshift::ScheduledAction')
        .map((r) => (r.Properties as Loose).TargetAction);
      expect(scheduled).toEqual([
        { PauseCluster: { ClusterIdentifier: 'data-platform-dev' } },
        { ResumeCluster: { ClusterIdentifier: 'data-platform-dev' } },
      ]);
    } else {
      expect(clusters).toHaveLength(1);
      expect(actions).toEqual([]);
    }
  });

  it('creates Databricks resources only when the environment sets a Databricks account', () => {
    expect(Object.keys(stacks.get('databricks')!.resources).length).toBeGreaterThanOrEqual(6);
    const asConfigured = resolveEnvironment(ROOT, envName);
    expect(asConfigured.get('databricks')!.resources).toEqual({});
  });

  it('tags every stack with owner, cost-center and data-classification', () => {
    const manifest = parse(readFileSync(join(ROOT, 'iac-stacks.yaml'), 'utf8')) as {
      defaults: { tags: Record<string, string> };
      stacks: Record<string, { tags?: Record<string, string> }>;
    };
    for (const [id, stack] of Object.entries(manifest.stacks)) {
      const tags = { ...manifest.defaults.tags, ...stack.tags };
      for (const key of ['owner', 'cost-center', 'data-classification', 'environment'])
        expect(tags[key], `${id} ${key}`).toMatch(/\S/);
    }
  });
});
