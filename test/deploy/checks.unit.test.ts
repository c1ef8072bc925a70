import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeChangeSetHooksCommand,
  DescribeEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  type OperationEvent,
} from '@aws-sdk/client-cloudformation';
import { afterEach, describe, expect, it } from 'vitest';
import { workspace } from '../helpers/paths.js';
import { cfn, modify, readyChangeSet, recordedAws as aws, stackAt } from '../helpers/recorded.js';
import { runStage } from '../helpers/stage.js';

/**
 * Recorded answers of DescribeEvents (pre-deployment validation, Hook results) and
 * DescribeChangeSetHooks, which moto does not implement, shaped as the API reference gives them.
 */
afterEach(() => cfn.reset());

const CHANGE_SET = 'arn:aws:cloudformation:us-east-1:111122223333:changeSet/iac-action-1/abc';
const files = {
  'iac-stacks.yaml':
    'stacks:\n  data:\n    template: templates/data.yaml\n    stack-name: app-data\n',
  'templates/data.yaml': `Resources:
  Archive:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: shared-archive
  Database:
    Type: AWS::RDS::DBInstance
    Properties: { Engine: postgres }
`,
};

const operation = (overrides: Partial<OperationEvent>): OperationEvent => ({
  EventId: overrides.EventId ?? 'e1',
  StackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/app-data/1',
  OperationId: 'op-1',
  OperationType: 'CREATE_CHANGESET',
  OperationStatus: 'FAILED',
  Timestamp: new Date('2026-12-01T10:00:00Z'),
  ...overrides,
});

function stackWithChangeSet(changeSet: object) {
  cfn.on(DescribeStacksCommand).resolves(stackAt('app-data', 'UPDATE_COMPLETE'));
  cfn.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET });
  cfn.on(DescribeChangeSetCommand).resolves(changeSet);
  cfn.on(DeleteChangeSetCommand).resolves({});
  cfn
    .on(DescribeChangeSetHooksCommand)
    .resolves({ ChangeSetId: CHANGE_SET, Status: 'PLANNED', Hooks: [] });
}

describe("CloudFormation's own checks of a change set", () => {
  it('turns validation FAIL and WARN into findings at the property path, and explains a failed change set', async () => {
    stackWithChangeSet({
      Status: 'FAILED',
      StatusReason:
        'The following hook(s)/validation failed: [AWS::EarlyValidation::ResourceExistenceCheck]',
    });
    cfn.on(DescribeEventsCommand).callsFake((input: { NextToken?: string }) =>
      input.NextToken
        ? {
            OperationEvents: [
              operation({
                EventId: 'e2',
                EventType: 'VALIDATION_ERROR',
                LogicalResourceId: 'Database',
                ResourceType: 'AWS::RDS::DBInstance',
                ValidationFailureMode: 'WARN',
                ValidationName: 'PROPERTY_VALIDATION',
                ValidationStatus: 'FAILED',
                ValidationStatusReason: 'DBInstanceClass is required when Engine is postgres',
                ValidationPath: '/Resources/Database/Properties',
              }),
              operation({
                EventId: 'e3',
                EventType: 'VALIDATION_ERROR',
                ValidationStatus: 'SKIPPED',
                ValidationName: 'S3_BUCKET_EMPTINESS',
              }),
            ],
          }
        : {
            OperationEvents: [
              operation({
                EventId: 'e0',
                EventType: 'STACK_EVENT',
                ResourceStatus: 'CREATE_IN_PROGRESS',
              }),
              operation({
                EventId: 'e1',
                EventType: 'VALIDATION_ERROR',
                LogicalResourceId: 'Archive',
                ResourceType: 'AWS::S3::Bucket',
                ValidationFailureMode: 'FAIL',
                ValidationName: 'NAME_CONFLICT_VALIDATION',
                ValidationStatus: 'FAILED',
                ValidationStatusReason:
                  'Resource of type AWS::S3::Bucket with identifier shared-archive already exists.',
                ValidationPath: '/Resources/Archive/Properties/BucketName',
              }),
            ],
            NextToken: 'more',
          },
    );
    const dir = await workspace(files);
    const run = await runStage(dir, { mode: 'plan' }, aws);
    expect(cfn.commandCalls(DescribeEventsCommand)[0]!.args[0].input).toEqual({
      ChangeSetName: CHANGE_SET,
      NextToken: undefined,
    });
    expect(
      run.findings.map((f) => [f.ruleId, f.source, f.severity, f.logicalId, f.line, f.column]),
    ).toEqual([
      ['C1001', 'cloudformation', 'error', 'Archive', 5, 7],
      ['C1002', 'cloudformation', 'warning', 'Database', 8, 5],
      ['D1002', 'change-set', 'error', undefined, 0, 0],
    ]);
    expect(run.findings[0]!.message).toBe(
      "Stack app-data: CloudFormation's pre-deployment validation NAME_CONFLICT_VALIDATION at /Resources/Archive/Properties/BucketName (Archive): Resource of type AWS::S3::Bucket with identifier shared-archive already exists.",
    );
  });

  it('lists the Hooks that will check each resource, and a failed Hook blocks the deploy', async () => {
    stackWithChangeSet(readyChangeSet([modify('Database', 'AWS::RDS::DBInstance')]));
    const hook = (type: string, mode: 'FAIL' | 'WARN') => ({
      InvocationPoint: 'PRE_PROVISION' as const,
      FailureMode: mode,
      TypeName: type,
      TypeVersionId: '00000001',
      TypeConfigurationVersionId: '1',
      TargetDetails: {
        TargetType: 'RESOURCE' as const,
        ResourceTargetDetails: {
          LogicalResourceId: 'Database',
          ResourceType: 'AWS::RDS::DBInstance',
          ResourceAction: 'Modify' as const,
        },
      },
    });
    cfn.on(DescribeChangeSetHooksCommand).resolves({
      ChangeSetId: CHANGE_SET,
      ChangeSetName: 'iac-action-1',
      Status: 'PLANNED',
      StackName: 'app-data',
      Hooks: [hook('Org::Data::Encryption', 'FAIL'), hook('Org::Data::Tags', 'WARN')],
    });
    cfn.on(DescribeEventsCommand).resolves({
      OperationEvents: [
        operation({
          EventType: 'HOOK_INVOCATION_ERROR',
          LogicalResourceId: 'Database',
          ResourceType: 'AWS::RDS::DBInstance',
          HookType: 'Org::Data::Encryption',
          HookStatus: 'HOOK_COMPLETE_FAILED',
          HookStatusReason: 'StorageEncrypted must be true',
          HookFailureMode: 'FAIL',
          HookInvocationPoint: 'PRE_PROVISION',
        }),
      ],
    });
    const dir = await workspace(files);
    const run = await runStage(dir, { mode: 'deploy', 'allow-replacement': '*' }, aws);
    expect(run.findings.map((f) => [f.ruleId, f.severity, f.line])).toEqual([
      ['C1101', 'error', 6],
      ['C1103', 'info', 6],
    ]);
    expect(run.findings[0]!.message).toMatch(
      /Hook Org::Data::Encryption failed on Database: StorageEncrypted must be true/,
    );
    expect(run.findings[1]!.message).toMatch(
      /Hooks Org::Data::Encryption \(FAIL\), Org::Data::Tags \(WARN\) will check Database/,
    );
    expect(run.deployments![0]!.message).toMatch(/CloudFormation's own checks .* failed/);
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('warns, and goes on, when the account or endpoint cannot answer', async () => {
    stackWithChangeSet(readyChangeSet([modify('Database', 'AWS::RDS::DBInstance')]));
    cfn.on(DescribeEventsCommand).rejects(new Error('Unknown operation DescribeEvents'));
    const dir = await workspace(files);
    const run = await runStage(dir, { mode: 'plan' }, aws);
    expect(run.plan[0]!.status).toBe('changes');
    expect(run.lines).toContain(
      "warning: app-data: CloudFormation's validation and Hook results could not be read: Unknown operation DescribeEvents",
    );
  });
});
