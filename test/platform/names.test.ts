// Guard rails on the inputs: with the longest Environment the templates accept, in the longest
// Region name cfn-lint knows, every resource name stays within its service's limit.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveEnvironment } from './resolve.js';

const ROOT = resolve(import.meta.dirname, '../..');

// Name property -> the service's maximum length.
const LIMITS: Record<string, Record<string, number>> = {
  'AWS::S3::Bucket': { BucketName: 63 },
  'AWS::IAM::Role': { RoleName: 64 },
  'AWS::IAM::Group': { GroupName: 128 },
  'AWS::IAM::ManagedPolicy': { ManagedPolicyName: 128 },
  'AWS::RDS::DBInstance': { DBInstanceIdentifier: 63 },
  'AWS::Redshift::Cluster': { ClusterIdentifier: 63 },
  'AWS::RedshiftServerless::Namespace': { NamespaceName: 64 },
  'AWS::RedshiftServerless::Workgroup': { WorkgroupName: 64 },
  'AWS::SageMaker::NotebookInstance': { NotebookInstanceName: 63 },
  'AWS::Athena::WorkGroup': { Name: 128 },
  'AWS::CloudTrail::Trail': { TrailName: 128 },
  'AWS::SNS::Topic': { TopicName: 256 },
  'AWS::Events::Rule': { Name: 64 },
  'AWS::Glue::Job': { Name: 255 },
  'AWS::Glue::Crawler': { Name: 255 },
  'AWS::Glue::Workflow': { Name: 255 },
  'AWS::Glue::Trigger': { Name: 255 },
  'AWS::Glue::SecurityConfiguration': { Name: 255 },
  'AWS::Logs::LogGroup': { LogGroupName: 512 },
  'AWS::Logs::MetricFilter': { FilterName: 512 },
  'AWS::CloudWatch::Alarm': { AlarmName: 255 },
  'AWS::KMS::Alias': { AliasName: 256 },
};

function longestRegion(): string {
  const run = spawnSync(
    'python3',
    ['-c', 'from cfnlint.helpers import REGIONS; print(max(REGIONS, key=len))'],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout.trim();
}

describe('resource names', () => {
  const region = longestRegion();
  const stacks = resolveEnvironment(ROOT, 'prod', { environment: 'abcde', region });

  it(`fit their limits with a 5-character environment in ${region}`, () => {
    expect(region.length).toBeGreaterThanOrEqual(14);
    const problems: string[] = [];
    let checked = 0;
    for (const stack of stacks.values()) {
      for (const [id, resource] of Object.entries(stack.resources)) {
        for (const [property, limit] of Object.entries(LIMITS[resource.Type] ?? {})) {
          const name = (resource.Properties as Record<string, unknown> | undefined)?.[property];
          if (typeof name !== 'string') continue;
          checked += 1;
          expect(name).toContain('abcde');
          if (name.length > limit)
            problems.push(`${stack.id} ${id}: ${name} (${name.length} > ${limit})`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });

  it('refuse a longer environment name in every template', () => {
    const run = spawnSync(
      'grep',
      ['-L', 'AllowedPattern: "^\\[a-z\\]\\[a-z0-9\\]{1,4}\\$"', '-r', 'templates'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(run.stdout.trim()).toBe('');
    expect(new RegExp('^[a-z][a-z0-9]{1,4}$').test('staging')).toBe(false);
    expect(new RegExp('^[a-z][a-z0-9]{1,4}$').test('stage')).toBe(true);
  });
});
