import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  type Change,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { afterEach, describe, expect, it } from 'vitest';
import { formatPlanText } from '../../src/report/text.js';
import { workspace } from '../helpers/paths.js';
import { cfn, modify, readyChangeSet, recordedAws as aws, stackAt } from '../helpers/recorded.js';
import { runStage } from '../helpers/stage.js';

/**
 * Recorded nested change sets (IncludeNestedStacks) and nested stack events, which moto does not
 * produce, shaped as the API reference gives them.
 */
afterEach(() => cfn.reset());

const ARN = 'arn:aws:cloudformation:us-east-1:111122223333';
const STORAGE_SET = `${ARN}:changeSet/iac-action-1-Storage-1/aaa`;
const LOGS_SET = `${ARN}:changeSet/iac-action-1-Storage-1-Logs-1/bbb`;
const STORAGE_STACK = `${ARN}:stack/app-Storage-1/ccc`;
const files = {
  'iac-stacks.yaml': 'stacks:\n  app:\n    template: templates/app.yaml\n    stack-name: app\n',
  'templates/app.yaml': `Resources:
  Queue:
    Type: AWS::SQS::Queue
  Storage:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://s3.amazonaws.com/bucket/storage.yaml
`,
};

const nestedStack = (logicalId: string, changeSetId: string): Change => ({
  Type: 'Resource',
  ResourceChange: {
    Action: 'Modify',
    LogicalResourceId: logicalId,
    PhysicalResourceId: `${ARN}:stack/app-${logicalId}-1/x`,
    ResourceType: 'AWS::CloudFormation::Stack',
    Replacement: 'False',
    Scope: ['Properties'],
    ChangeSetId: changeSetId,
    Details: [],
  },
});

const bucketReplaced: Change = {
  Type: 'Resource',
  ResourceChange: {
    Action: 'Modify',
    LogicalResourceId: 'Bucket',
    ResourceType: 'AWS::S3::Bucket',
    Replacement: 'True',
    Scope: ['Properties'],
    Details: [
      {
        Target: {
          Attribute: 'Properties',
          Name: 'BucketName',
          RequiresRecreation: 'Always',
          Path: '/Properties/BucketName',
          BeforeValue: 'app-data',
          AfterValue: 'app-data-v2',
          AttributeChangeType: 'Modify',
        },
        Evaluation: 'Static',
        ChangeSource: 'DirectModification',
      },
    ],
  },
};

/** The root change set, the Storage stack's (with Logs nested in it), and Logs' own. */
function nestedPlan() {
  cfn.on(DescribeStacksCommand).resolves(stackAt('app', 'UPDATE_COMPLETE'));
  cfn.on(CreateChangeSetCommand).resolves({ Id: `${ARN}:changeSet/iac-action-1/root` });
  cfn.on(DeleteChangeSetCommand).resolves({});
  cfn
    .on(DescribeChangeSetCommand)
    .resolves(
      readyChangeSet([modify('Queue', 'AWS::SQS::Queue'), nestedStack('Storage', STORAGE_SET)]),
    )
    .on(DescribeChangeSetCommand, { ChangeSetName: STORAGE_SET })
    .resolves({
      ...readyChangeSet([bucketReplaced, nestedStack('Logs', LOGS_SET)]),
      ParentChangeSetId: `${ARN}:changeSet/iac-action-1/root`,
    })
    .on(DescribeChangeSetCommand, { ChangeSetName: LOGS_SET })
    .resolves(readyChangeSet([modify('Group', 'AWS::Logs::LogGroup')]));
}

describe('nested stacks', () => {
  it('shows each nested change set under its parent, and guards stateful resources inside', async () => {
    nestedPlan();
    const dir = await workspace(files);
    const run = await runStage(dir, { mode: 'plan' }, aws);
    expect(cfn.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.IncludeNestedStacks).toBe(
      true,
    );
    expect(run.plan[0]!.changes.map((c) => [c.logicalId, c.action, c.nestedIn])).toEqual([
      ['Queue', 'modify', undefined],
      ['Storage', 'modify', undefined],
      ['Storage/Bucket', 'replace', 'Storage'],
      ['Storage/Logs', 'modify', 'Storage'],
      ['Storage/Logs/Group', 'modify', 'Storage/Logs'],
    ]);
    expect(run.plan[0]!.status).toBe('blocked');
    expect(run.findings.map((f) => [f.ruleId, f.logicalId, f.line])).toEqual([
      ['D1001', 'Storage/Bucket', 4],
    ]);
    expect(run.findings[0]!.message).toMatch(/Storage\/Bucket \(in nested stack Storage\)/);
    expect(formatPlanText(run.plan)).toMatch(
      /\n {4}-\/\+ replace {5}Storage\/Bucket \(AWS::S3::Bucket\) because of BucketName/,
    );
    // The nested resource is allowed by its own logical id as well as by its path.
    const allowed = await runStage(dir, { mode: 'plan', 'allow-replacement': 'Bucket' }, aws);
    expect(allowed.findings).toEqual([]);
  });

  it("streams the nested stacks' events and names the nested resource that failed", async () => {
    nestedPlan();
    const event = (
      id: string,
      stack: string,
      logicalId: string,
      type: string,
      status: string,
      extra: Partial<StackEvent> = {},
    ): StackEvent => ({
      EventId: id,
      StackId: stack === 'app' ? `${ARN}:stack/app/root` : STORAGE_STACK,
      StackName: stack,
      LogicalResourceId: logicalId,
      ResourceType: type,
      ResourceStatus: status as StackEvent['ResourceStatus'],
      Timestamp: new Date(`2026-12-01T10:00:0${id.slice(-1)}Z`),
      ...extra,
    });
    const root = [
      event('r1', 'app', 'app', 'AWS::CloudFormation::Stack', 'UPDATE_IN_PROGRESS'),
      event('r2', 'app', 'Storage', 'AWS::CloudFormation::Stack', 'UPDATE_IN_PROGRESS', {
        PhysicalResourceId: STORAGE_STACK,
      }),
      event('r5', 'app', 'Storage', 'AWS::CloudFormation::Stack', 'UPDATE_FAILED', {
        PhysicalResourceId: STORAGE_STACK,
        ResourceStatusReason: 'Embedded stack app-Storage-1 was not successfully updated.',
      }),
      event('r6', 'app', 'app', 'AWS::CloudFormation::Stack', 'UPDATE_ROLLBACK_COMPLETE'),
    ];
    const storage = [
      event('s0', 'app-Storage-1', 'Old', 'AWS::SQS::Queue', 'UPDATE_COMPLETE', {
        Timestamp: new Date('2026-11-01T10:00:00Z'),
      }),
      event('s3', 'app-Storage-1', 'Bucket', 'AWS::S3::Bucket', 'UPDATE_FAILED', {
        ResourceStatusReason: 'app-data-v2 already exists',
      }),
      event('s4', 'app-Storage-1', 'app-Storage-1', 'AWS::CloudFormation::Stack', 'UPDATE_FAILED', {
        PhysicalResourceId: STORAGE_STACK,
      }),
    ];
    let polls = 0;
    cfn.on(DescribeStacksCommand).callsFake(() => {
      polls++;
      if (polls === 1) return stackAt('app', 'UPDATE_COMPLETE');
      return stackAt('app', polls < 4 ? 'UPDATE_IN_PROGRESS' : 'UPDATE_ROLLBACK_COMPLETE');
    });
    cfn.on(ExecuteChangeSetCommand).resolves({});
    cfn.on(DescribeStackEventsCommand).callsFake((input: { StackName: string }) => {
      const executed = cfn.commandCalls(ExecuteChangeSetCommand).length > 0;
      if (input.StackName === STORAGE_STACK) return { StackEvents: [...storage].reverse() };
      return { StackEvents: executed ? [...root].reverse() : [] };
    });
    const dir = await workspace(files);
    const run = await runStage(dir, { mode: 'deploy', 'allow-replacement': '*' }, aws);
    const printed = run.lines.filter((l) => /^app: \d\d:/.test(l)).map((l) => l.split(' ')[2]);
    expect(printed).toEqual([
      'app',
      'Storage',
      'Storage',
      'app',
      'Storage/Bucket',
      'Storage/app-Storage-1',
    ]);
    expect(run.deployments![0]).toMatchObject({
      status: 'failed',
      failure: { logicalId: 'Storage/Bucket', reason: 'app-data-v2 already exists' },
    });
    expect(run.findings[0]).toMatchObject({ ruleId: 'D2001', line: 4 });
  });
});
