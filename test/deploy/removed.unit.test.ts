import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { afterEach, describe, expect, it } from 'vitest';
import { formatPlanText } from '../../src/report/text.js';
import { workspace } from '../helpers/paths.js';
import { cfn, recordedAws as aws, stackAt } from '../helpers/recorded.js';
import { runStage } from '../helpers/stage.js';

/** Recorded answers for a stack that left the manifest (moto has no ListStackResources paging). */
afterEach(() => cfn.reset());

const files = {
  'iac-stacks.yaml': `stacks:
  app:
    template: templates/queue.yaml
    stack-name: app
  old:
    template: templates/queue.yaml
    stack-name: app-old
`,
  'templates/queue.yaml': 'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n',
};

function removedStack(options: { protectedStack?: boolean; retain?: boolean } = {}) {
  let deleted = false;
  cfn.on(DescribeStacksCommand).callsFake((input: { StackName: string }) => {
    if (input.StackName === 'app-old' && deleted)
      throw Object.assign(new Error('Stack with id app-old does not exist'), {
        name: 'ValidationError',
      });
    return stackAt(input.StackName, 'UPDATE_COMPLETE', {
      EnableTerminationProtection: input.StackName === 'app-old' && !!options.protectedStack,
    });
  });
  cfn.on(CreateChangeSetCommand).resolves({ Id: 'cs' });
  cfn.on(DescribeChangeSetCommand).resolves({
    Status: 'FAILED',
    StatusReason:
      "The submitted information didn't contain changes. Submit different information to create a change set.",
  });
  cfn.on(DeleteChangeSetCommand).resolves({});
  cfn.on(ListStackResourcesCommand).resolves({
    StackResourceSummaries: [
      {
        LogicalResourceId: 'Data',
        PhysicalResourceId: 'app-old-data',
        ResourceType: 'AWS::S3::Bucket',
        ResourceStatus: 'UPDATE_COMPLETE',
        LastUpdatedTimestamp: new Date(),
      },
      {
        LogicalResourceId: 'Topic',
        PhysicalResourceId: 'arn:topic',
        ResourceType: 'AWS::SNS::Topic',
        ResourceStatus: 'CREATE_COMPLETE',
        LastUpdatedTimestamp: new Date(),
      },
    ],
  });
  cfn.on(GetTemplateCommand).resolves({
    TemplateBody: `Resources:\n  Data:\n    Type: AWS::S3::Bucket\n${options.retain ? '    DeletionPolicy: Retain\n' : ''}  Topic:\n    Type: AWS::SNS::Topic\n    Properties: { TopicName: !Sub '\${AWS::StackName}-t' }\n`,
    StagesAvailable: ['Original', 'Processed'],
  });
  cfn.on(DeleteStackCommand).callsFake(() => {
    deleted = true;
    return {};
  });
}

describe('stacks that left the manifest', () => {
  it('are shown as no longer managed, and left alone by default', async () => {
    removedStack();
    const dir = await workspace(files);
    const plan = await runStage(dir, { mode: 'plan' }, aws, { removed: ['old'] });
    const old = plan.plan.find((p) => p.stackName === 'app-old')!;
    expect(old).toMatchObject({ unmanaged: true, status: 'changes' });
    expect(old.message).toMatch(
      /No longer managed: stack old is in iac-stacks.yaml at main but not any more.*set delete-removed-stacks: true/,
    );
    expect(old.changes.map((c) => [c.logicalId, c.action, c.stateful])).toEqual([
      ['Data', 'remove', true],
      ['Topic', 'remove', false],
    ]);
    expect(plan.findings).toEqual([]);
    expect(formatPlanText(plan.plan)).toMatch(
      /stack app-old \(us-east-1, no longer managed\): 2 changes/,
    );
    const deploy = await runStage(dir, { mode: 'deploy' }, aws, { removed: ['old'] });
    expect(deploy.deployments!.map((d) => d.stackName)).toEqual(['app']);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  it('are guarded like stateful resources where they would be deleted', async () => {
    removedStack();
    const dir = await workspace(files);
    const plan = await runStage(dir, { mode: 'plan', 'delete-removed-stacks': 'true' }, aws, {
      removed: ['old'],
    });
    expect(plan.plan[1]).toMatchObject({ stackName: 'app-old', status: 'blocked' });
    expect(plan.plan[1]!.changes.map((c) => c.blocked)).toEqual([true, false]);
    expect(plan.findings.map((f) => [f.ruleId, f.logicalId, f.file])).toEqual([
      ['D1001', 'Data', 'iac-stacks.yaml'],
    ]);
  });

  it('are deleted with delete-removed-stacks: true once the guard allows it', async () => {
    removedStack();
    const dir = await workspace(files);
    const inputs = { mode: 'deploy', 'delete-removed-stacks': 'true' } as const;
    const blocked = await runStage(dir, inputs, aws, { removed: ['old'] });
    expect(blocked.deployments![1]).toMatchObject({ stackName: 'app-old', status: 'failed' });
    expect(blocked.deployments![1]!.message).toMatch(
      /stateful resources that allow-replacement does not name/,
    );
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    const run = await runStage(dir, { ...inputs, 'allow-replacement': 'Data' }, aws, {
      removed: ['old'],
    });
    expect(cfn.commandCalls(DeleteStackCommand).map((c) => c.args[0].input)).toEqual([
      { StackName: 'app-old' },
    ]);
    expect(run.deployments![1]).toMatchObject({
      status: 'succeeded',
      stackStatus: 'DELETE_COMPLETE',
    });
  });

  it('keep a retained bucket out of the guard, and are never deleted past termination protection', async () => {
    removedStack({ retain: true, protectedStack: true });
    const dir = await workspace(files);
    const run = await runStage(dir, { mode: 'deploy', 'delete-removed-stacks': 'true' }, aws, {
      removed: ['old'],
    });
    expect(run.plan[1]!.changes[0]).toMatchObject({
      logicalId: 'Data',
      retained: true,
      blocked: false,
    });
    expect(run.deployments![1]).toMatchObject({
      status: 'failed',
      message: 'Not deleted: termination protection is on.',
    });
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });
});
