import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  UpdateTerminationProtectionCommand,
  type Change,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { afterEach, describe, expect, it } from 'vitest';
import { formatPlanText } from '../../src/report/text.js';
import { workspace } from '../helpers/paths.js';
import { cfn, recordedAws as aws, stackAt as stackOf } from '../helpers/recorded.js';
import { runStage } from '../helpers/stage.js';

/**
 * Recorded CloudFormation answers for what moto does not do: Replacement and Details in changes,
 * NextToken pages, failed resources and rollbacks, termination protection.
 */
afterEach(() => cfn.reset());

const template = `Resources:
  Database:
    Type: AWS::RDS::DBInstance
    Properties: { Engine: postgres, DBInstanceClass: db.t3.micro, AllocatedStorage: '20' }
  Archive:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
`;
const files = {
  'iac-stacks.yaml': `stacks:
  db:
    template: templates/db.yaml
    stack-name: app-db
    termination-protection: true
    disable-rollback: true
`,
  'templates/db.yaml': template,
};

const stackAt = (status: string, extra = {}) => stackOf('app-db', status, extra);
const replace = (logicalId: string, type: string, replacement: 'True' | 'Conditional'): Change => ({
  Type: 'Resource',
  ResourceChange: {
    Action: 'Modify',
    LogicalResourceId: logicalId,
    ResourceType: type,
    Replacement: replacement,
    Details: [
      {
        Target: {
          Attribute: 'Properties',
          Name: 'Engine',
          RequiresRecreation: replacement === 'True' ? 'Always' : 'Conditionally',
        },
      },
      {
        Target: { Attribute: 'Properties', Name: 'AllocatedStorage', RequiresRecreation: 'Never' },
      },
    ],
  },
});
const event = (
  id: string,
  logicalId: string,
  status: string,
  reason = '',
  type = 'AWS::RDS::DBInstance',
): StackEvent => ({
  EventId: id,
  StackName: 'app-db',
  StackId: 'arn:stack/app-db',
  LogicalResourceId: logicalId,
  ResourceType: type,
  ResourceStatus: status as StackEvent['ResourceStatus'],
  ResourceStatusReason: reason,
  Timestamp: new Date('2026-01-01T10:00:00Z'),
});

function updatePlan(changes: Change[], pages = 1) {
  cfn
    .on(DescribeStacksCommand)
    .resolves(stackAt('UPDATE_COMPLETE', { EnableTerminationProtection: true }));
  cfn.on(CreateChangeSetCommand).resolves({ Id: 'cs' });
  const perPage = Math.ceil(changes.length / pages);
  const describe = cfn.on(DescribeChangeSetCommand);
  const all = Array.from({ length: pages }, (_, p) => ({
    Status: 'CREATE_COMPLETE',
    ExecutionStatus: 'AVAILABLE',
    Changes: changes.slice(p * perPage, (p + 1) * perPage),
    ...(p < pages - 1 ? { NextToken: `page-${p + 1}` } : {}),
  }));
  describe.callsFake(
    (input: { NextToken?: string }) => all[input.NextToken ? Number(input.NextToken.slice(5)) : 0],
  );
  cfn.on(DeleteChangeSetCommand).resolves({});
}

describe('stateful guard on recorded change sets', () => {
  it('blocks a replacement (True) of a database and a possible replacement (Conditional) of a bucket', async () => {
    updatePlan(
      [
        replace('Database', 'AWS::RDS::DBInstance', 'True'),
        replace('Archive', 'AWS::S3::Bucket', 'Conditional'),
        {
          Type: 'Resource',
          ResourceChange: {
            Action: 'Modify',
            LogicalResourceId: 'Role',
            ResourceType: 'AWS::IAM::Role',
            Replacement: 'False',
            Details: [
              {
                Target: {
                  Attribute: 'Properties',
                  Name: 'AssumeRolePolicyDocument',
                  RequiresRecreation: 'Never',
                },
              },
            ],
          },
        },
      ],
      3,
    );
    const dir = await workspace(files);
    const run = await runStage(dir, { mode: 'deploy' }, aws);
    expect(run.plan[0]!.status).toBe('blocked');
    expect(run.plan[0]!.changes).toMatchObject([
      {
        logicalId: 'Database',
        action: 'replace',
        replacementCauses: ['Engine'],
        stateful: true,
        blocked: true,
      },
      {
        logicalId: 'Archive',
        action: 'may-replace',
        replacementCauses: ['Engine (conditionally)'],
        blocked: true,
      },
      { logicalId: 'Role', action: 'modify', stateful: false, blocked: false },
    ]);
    expect(run.plan[0]!.iamChanges).toEqual([
      'modify AWS::IAM::Role Role: AssumeRolePolicyDocument',
    ]);
    expect(run.findings).toMatchObject([
      {
        source: 'change-set',
        severity: 'error',
        file: 'templates/db.yaml',
        line: 2,
        logicalId: 'Database',
      },
      {
        source: 'change-set',
        severity: 'error',
        file: 'templates/db.yaml',
        line: 5,
        logicalId: 'Archive',
      },
    ]);
    expect(run.deployments![0]!.status).toBe('failed');
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    // every page was read, with property values
    const reads = cfn.commandCalls(DescribeChangeSetCommand).map((c) => c.args[0].input);
    expect(reads.map((r) => r.NextToken)).toEqual([undefined, 'page-1', 'page-2']);
    expect(reads.every((r) => r.IncludePropertyValues)).toBe(true);
  });

  it('lets allow-replacement name the resources (or *) and then executes', async () => {
    updatePlan([
      replace('Database', 'AWS::RDS::DBInstance', 'True'),
      replace('Archive', 'AWS::S3::Bucket', 'Conditional'),
    ]);
    cfn.on(ExecuteChangeSetCommand).resolves({});
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    const dir = await workspace(files);
    const partly = await runStage(dir, { mode: 'plan', 'allow-replacement': 'Database' }, aws);
    expect(partly.plan[0]!.changes.map((c) => c.blocked)).toEqual([false, true]);
    const all = await runStage(dir, { mode: 'deploy', 'allow-replacement': '*' }, aws);
    expect(all.findings).toEqual([]);
    expect(all.deployments![0]!.status).toBe('succeeded');
    expect(cfn.commandCalls(ExecuteChangeSetCommand)[0]!.args[0].input).toMatchObject({
      DisableRollback: true,
    });
  });
});

describe('deploy outcomes on recorded responses', () => {
  it('names the first failed resource, reports the rollback, and prints each event once', async () => {
    const history = [event('e0', 'app-db', 'UPDATE_COMPLETE', '', 'AWS::CloudFormation::Stack')];
    const later = [
      event('e1', 'app-db', 'UPDATE_IN_PROGRESS', 'User Initiated', 'AWS::CloudFormation::Stack'),
      event('e2', 'Database', 'UPDATE_FAILED', 'Invalid DB engine version 99'),
      event('e3', 'Archive', 'UPDATE_FAILED', 'Resource update cancelled', 'AWS::S3::Bucket'),
      event('e4', 'app-db', 'UPDATE_ROLLBACK_COMPLETE', '', 'AWS::CloudFormation::Stack'),
    ];
    updatePlan([replace('Database', 'AWS::RDS::DBInstance', 'True')]);
    let polls = 0;
    cfn.on(DescribeStacksCommand).callsFake(() => {
      polls++;
      if (polls === 1) return stackAt('UPDATE_COMPLETE', { EnableTerminationProtection: true });
      return stackAt(polls < 4 ? 'UPDATE_IN_PROGRESS' : 'UPDATE_ROLLBACK_COMPLETE');
    });
    let eventCalls = 0;
    cfn.on(DescribeStackEventsCommand).callsFake((input: { NextToken?: string }) => {
      eventCalls++;
      // newest first, in two pages, growing as the update runs
      const visible = [
        ...history,
        ...later.slice(0, Math.min(later.length, Math.max(0, eventCalls - 1) * 2)),
      ].reverse();
      return input.NextToken
        ? { StackEvents: visible.slice(2) }
        : { StackEvents: visible.slice(0, 2), NextToken: 'more' };
    });
    cfn.on(ExecuteChangeSetCommand).resolves({});
    const dir = await workspace(files);
    const run = await runStage(dir, { mode: 'deploy', 'allow-replacement': '*' }, aws);
    expect(run.deployments![0]).toMatchObject({
      status: 'failed',
      stackStatus: 'UPDATE_ROLLBACK_COMPLETE',
      failure: { logicalId: 'Database', reason: 'Invalid DB engine version 99' },
    });
    expect(run.deployments![0]!.message).toMatch(/rolled back/);
    expect(run.findings[0]).toMatchObject({ ruleId: 'D2001', line: 2, logicalId: 'Database' });
    const printed = run.lines.filter((l) => /^app-db: \d\d:/.test(l));
    expect(printed.map((l) => l.split(' ')[2])).toEqual([
      'app-db',
      'Database',
      'Archive',
      'app-db',
    ]);
  });

  it('deletes a stack left in ROLLBACK_COMPLETE and creates it again, applying termination protection', async () => {
    let deleted = false;
    cfn.on(DescribeStacksCommand).callsFake(() => {
      if (!deleted) return stackAt('ROLLBACK_COMPLETE');
      if (cfn.commandCalls(ExecuteChangeSetCommand).length)
        return stackAt('CREATE_COMPLETE', {
          Outputs: [{ OutputKey: 'Endpoint', OutputValue: 'db.local' }],
        });
      throw Object.assign(new Error('Stack with id app-db does not exist'), {
        name: 'ValidationError',
      });
    });
    cfn.on(DeleteStackCommand).callsFake(() => {
      deleted = true;
      return {};
    });
    cfn.on(CreateChangeSetCommand).resolves({ Id: 'cs' });
    cfn.on(DescribeChangeSetCommand).resolves({
      Status: 'CREATE_COMPLETE',
      ExecutionStatus: 'AVAILABLE',
      Changes: [
        {
          Type: 'Resource',
          ResourceChange: {
            Action: 'Add',
            LogicalResourceId: 'Database',
            ResourceType: 'AWS::RDS::DBInstance',
          },
        },
      ],
    });
    cfn.on(ExecuteChangeSetCommand).resolves({});
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfn.on(UpdateTerminationProtectionCommand).resolves({});
    const dir = await workspace(files);

    const planned = await runStage(dir, { mode: 'plan' }, aws);
    expect(planned.plan[0]).toMatchObject({ status: 'changes', changeSetType: 'CREATE' });
    expect(planned.plan[0]!.message).toMatch(/deletes it and creates it again/);
    expect(planned.plan[0]!.changes.map((c) => [c.logicalId, c.action])).toEqual([
      ['Database', 'add'],
      ['Archive', 'add'],
    ]);
    expect(cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);

    const refused = await runStage(dir, { mode: 'deploy', 'recreate-failed-stacks': 'false' }, aws);
    expect(refused.deployments![0]!.status).toBe('failed');
    expect(refused.deployments![0]!.message).toMatch(/recreate-failed-stacks is false/);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);

    const run = await runStage(dir, { mode: 'deploy' }, aws);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(1);
    expect(cfn.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.ChangeSetType).toBe('CREATE');
    expect(run.deployments![0]).toMatchObject({
      status: 'succeeded',
      outputs: { Endpoint: 'db.local' },
    });
    expect(cfn.commandCalls(UpdateTerminationProtectionCommand)[0]!.args[0].input).toEqual({
      StackName: 'app-db',
      EnableTerminationProtection: true,
    });
  });

  it('fails (never succeeds) when the stack does not finish before the deadline', async () => {
    updatePlan([replace('Database', 'AWS::RDS::DBInstance', 'True')]);
    cfn
      .on(DescribeStacksCommand)
      .resolvesOnce(stackAt('UPDATE_COMPLETE'))
      .resolves(stackAt('UPDATE_IN_PROGRESS'));
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfn.on(ExecuteChangeSetCommand).resolves({});
    const dir = await workspace(files);
    const run = await runStage(dir, { mode: 'deploy', 'allow-replacement': '*' }, aws, {
      timeoutMs: 60,
    });
    expect(run.deployments![0]!.status).toBe('timed-out');
    expect(run.findings[0]).toMatchObject({ ruleId: 'D2002', severity: 'error' });
  });
});

describe('property values of a recorded change set', () => {
  it('lists before → after per property, shortened, with the replacement cause marked', async () => {
    const policy = JSON.stringify({ Statement: [{ Effect: 'Allow', Resource: 'x'.repeat(400) }] });
    // Shaped like DescribeChangeSet with IncludePropertyValues in the CloudFormation API reference.
    updatePlan([
      {
        Type: 'Resource',
        ResourceChange: {
          Action: 'Modify',
          LogicalResourceId: 'Database',
          ResourceType: 'AWS::RDS::DBInstance',
          Replacement: 'True',
          Scope: ['Properties'],
          Details: [
            {
              Target: {
                Attribute: 'Properties',
                Name: 'StorageEncrypted',
                RequiresRecreation: 'Always',
                Path: '/Properties/StorageEncrypted',
                BeforeValue: 'true',
                AfterValue: 'false',
                AttributeChangeType: 'Modify',
              },
              Evaluation: 'Static',
              ChangeSource: 'DirectModification',
            },
            {
              Target: {
                Attribute: 'Properties',
                Name: 'MasterUserSecret',
                RequiresRecreation: 'Never',
                Path: '/Properties/MasterUserSecret/KmsKeyId',
                BeforeValue: 'arn:aws:kms:eu-west-1:111122223333:key/old',
                AfterValue: 'arn:aws:kms:eu-west-1:111122223333:key/new',
                AttributeChangeType: 'Modify',
              },
              Evaluation: 'Dynamic',
              ChangeSource: 'ParameterReference',
              CausingEntity: 'KmsKeyArn',
            },
            {
              Target: {
                Attribute: 'Properties',
                Name: 'MasterUserSecret',
                RequiresRecreation: 'Never',
                Path: '/Properties/MasterUserSecret/KmsKeyId',
              },
              Evaluation: 'Static',
              ChangeSource: 'DirectModification',
            },
            {
              Target: {
                Attribute: 'Properties',
                Name: 'Policy',
                RequiresRecreation: 'Never',
                Path: '/Properties/Policy',
                BeforeValue: '{}',
                AfterValue: policy,
                AttributeChangeType: 'Modify',
              },
              Evaluation: 'Static',
              ChangeSource: 'DirectModification',
            },
          ],
        },
      },
    ]);
    const dir = await workspace(files);
    const run = await runStage(dir, { mode: 'plan' }, aws);
    const [database] = run.plan[0]!.changes;
    expect(database!.properties).toEqual([
      { path: 'StorageEncrypted', before: 'true', after: 'false', replacement: 'always' },
      {
        path: 'MasterUserSecret/KmsKeyId',
        before: 'arn:aws:kms:eu-west-1:111122223333:key/old',
        after: 'arn:aws:kms:eu-west-1:111122223333:key/new',
        causedBy: 'ParameterReference KmsKeyArn',
      },
      {
        path: 'Policy',
        before: '{}',
        after: expect.stringMatching(/^.{199}… \(\d+ more characters\)$/),
      },
    ]);
    expect(formatPlanText(run.plan)).toMatch(
      /StorageEncrypted: true → false \(requires replacement\)/,
    );
  });
});

describe('a refused ExecuteChangeSet', () => {
  it('names its reason once, and no resource', async () => {
    updatePlan([replace('Database', 'AWS::RDS::DBInstance', 'True')]);
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    const reason = 'Requires capabilities : [CAPABILITY_NAMED_IAM]';
    cfn
      .on(ExecuteChangeSetCommand)
      .rejects(Object.assign(new Error(reason), { name: 'InsufficientCapabilitiesException' }));
    const dir = await workspace(files);
    const run = await runStage(dir, { mode: 'deploy', 'allow-replacement': '*' }, aws);
    expect(run.deployments![0]!.failure).toBeUndefined();
    const message = run.findings[0]!.message;
    expect(message).toBe(`Stack app-db (deploy): ExecuteChangeSet failed: ${reason}`);
    expect(run.findings[0]!.logicalId).toBeUndefined();
    const text = formatPlanText(run.plan, run.deployments);
    expect(text.split(reason)).toHaveLength(2);
    expect(text).not.toMatch(/app-db: app-db/);
  });
});
