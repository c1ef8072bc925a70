import type { Finding, ResourceChangeEntry, StackPlanEntry } from '../core/findings.js';
import { child, entry, isMap, isScalar } from '../parse/nodes.js';
import type { ParsedTemplate } from '../parse/template.js';

/**
 * Resource types whose replacement or deletion loses data. It holds every type of cfn-lint's
 * data/AdditionalSpecs/StatefulResources.json (a test keeps the two in step) plus the types the
 * product brief names that cfn-lint leaves out.
 */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  'AWS::Backup::BackupVault',
  'AWS::CloudFormation::Stack',
  'AWS::Cognito::UserPool',
  'AWS::DocDB::DBCluster',
  'AWS::DocDB::DBInstance',
  'AWS::DynamoDB::GlobalTable',
  'AWS::DynamoDB::Table',
  'AWS::EC2::Volume',
  'AWS::EFS::FileSystem',
  'AWS::EMR::Cluster',
  'AWS::ElastiCache::CacheCluster',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::Elasticsearch::Domain',
  'AWS::FSx::FileSystem',
  'AWS::KMS::Key',
  'AWS::Kinesis::Stream',
  'AWS::Logs::LogGroup',
  'AWS::Neptune::DBCluster',
  'AWS::Neptune::DBInstance',
  'AWS::OpenSearchService::Domain',
  'AWS::Organizations::Account',
  'AWS::QLDB::Ledger',
  'AWS::RDS::DBCluster',
  'AWS::RDS::DBInstance',
  'AWS::Redshift::Cluster',
  'AWS::S3::Bucket',
  'AWS::SDB::Domain',
  'AWS::SQS::Queue',
  'AWS::SecretsManager::Secret',
  // Not in cfn-lint's list, but data is lost all the same.
  'AWS::SageMaker::NotebookInstance',
  'AWS::S3Express::DirectoryBucket',
  'AWS::S3Tables::TableBucket',
]);

/** True when input allow-replacement lets this logical id be replaced or removed. */
export function replacementAllowed(logicalId: string, allow: readonly string[]): boolean {
  return allow.includes('*') || allow.includes(logicalId);
}

/** A change that would destroy the stored data of a stateful resource. */
export function destroysData(change: ResourceChangeEntry): boolean {
  if (!change.stateful) return false;
  if (change.action === 'replace' || change.action === 'may-replace') return true;
  return change.action === 'remove' && !change.retained;
}

/**
 * Mark each data-destroying change of a plan as blocked unless allowed, and return one error per
 * blocked resource, placed at the resource in the template when it is known.
 */
export function guardPlan(
  entry: StackPlanEntry,
  allow: readonly string[],
  template: ParsedTemplate | undefined,
  templateFile: string,
): Finding[] {
  const findings: Finding[] = [];
  for (const change of entry.changes) {
    change.blocked = destroysData(change) && !replacementAllowed(change.logicalId, allow);
    if (!change.blocked) continue;
    const resource = template ? resourceEntry(template, change.logicalId) : undefined;
    const verb =
      change.action === 'remove'
        ? 'delete'
        : change.action === 'may-replace'
          ? 'may replace'
          : 'replace';
    const causes = change.replacementCauses.length
      ? ` (because of ${change.replacementCauses.join(', ')})`
      : '';
    findings.push({
      source: 'change-set',
      ruleId: 'D1001',
      severity: 'error',
      file: templateFile,
      line: resource?.keyStart.line ?? 0,
      column: resource?.keyStart.column ?? 0,
      logicalId: change.logicalId,
      message: `Stack ${entry.stackName}: the change set would ${verb} ${change.resourceType} ${change.logicalId}${causes}, which loses its data. Add "${change.logicalId}" to input allow-replacement if that is intended.`,
    });
  }
  if (findings.length) entry.status = 'blocked';
  return findings;
}

function resourceEntry(template: ParsedTemplate, logicalId: string) {
  return entry(child(template.root, 'Resources'), logicalId);
}

/**
 * Validation-time warning: a stateful resource without both DeletionPolicy and UpdateReplacePolicy
 * is deleted with its data when it is removed or replaced.
 */
export function statefulPolicyFindings(templates: readonly ParsedTemplate[]): Finding[] {
  const findings: Finding[] = [];
  for (const template of templates) {
    const resources = child(template.root, 'Resources');
    if (!isMap(resources)) continue;
    for (const resource of resources.entries) {
      const type = child(resource.value, 'Type');
      if (!isScalar(type) || typeof type.value !== 'string' || !STATEFUL_TYPES.has(type.value))
        continue;
      const missing = ['DeletionPolicy', 'UpdateReplacePolicy'].filter(
        (key) => !entry(resource.value, key),
      );
      if (!missing.length) continue;
      findings.push({
        source: 'stateful',
        ruleId: 'S1001',
        severity: 'warning',
        file: template.file,
        line: resource.keyStart.line,
        column: resource.keyStart.column,
        logicalId: resource.key,
        message: `${type.value} ${resource.key} holds data but has no ${missing.join(' or ')}: replacing or removing it deletes the data. Set both (e.g. Retain or Snapshot).`,
        helpUrl:
          'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html',
      });
    }
  }
  return findings;
}
