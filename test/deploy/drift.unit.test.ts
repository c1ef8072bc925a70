import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackResourceDriftsCommand,
  DescribeStacksCommand,
  DetectStackDriftCommand,
  ExecuteChangeSetCommand,
  type Change,
  type StackResourceDrift,
} from '@aws-sdk/client-cloudformation';
import { afterEach, describe, expect, it } from 'vitest';
import { summarize, type Report } from '../../src/model/findings.js';
import { renderComment } from '../../src/report/comment.js';
import { formatPlanText } from '../../src/report/text.js';
import { workspace } from '../helpers/paths.js';
import { cfn, readyChangeSet, recordedAws as aws, stackAt } from '../helpers/recorded.js';
import { RUN } from '../helpers/report.js';
import { runStage, type StageRun } from '../helpers/stage.js';

/** Recorded drift answers (moto has no drift detection), shaped as the API reference gives them. */
afterEach(() => cfn.reset());

const files = {
  'iac-stacks.yaml': 'stacks:\n  db:\n    template: templates/db.yaml\n    stack-name: app-db\n',
  'templates/db.yaml': `Resources:
  Database:
    Type: AWS::RDS::DBInstance
    Properties: { Engine: postgres, BackupRetentionPeriod: 7 }
  Archive:
    Type: AWS::S3::Bucket
`,
};

const drifted = (
  logicalId: string,
  type: string,
  differences: StackResourceDrift['PropertyDifferences'],
): StackResourceDrift => ({
  StackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/app-db/1',
  LogicalResourceId: logicalId,
  PhysicalResourceId: `app-db-${logicalId.toLowerCase()}`,
  ResourceType: type,
  ExpectedProperties: '{}',
  ActualProperties: '{}',
  PropertyDifferences: differences,
  StackResourceDriftStatus: 'MODIFIED',
  Timestamp: new Date('2026-12-01T10:00:00Z'),
});

const DRIFTS = [
  drifted('Database', 'AWS::RDS::DBInstance', [
    {
      PropertyPath: '/BackupRetentionPeriod',
      ExpectedValue: '7',
      ActualValue: '1',
      DifferenceType: 'NOT_EQUAL',
    },
  ]),
  drifted('Archive', 'AWS::S3::Bucket', [
    {
      PropertyPath: '/Tags/0',
      ExpectedValue: 'null',
      ActualValue: '{"Key":"owner","Value":"ops"}',
      DifferenceType: 'ADD',
    },
  ]),
];

const databaseChange = (details: NonNullable<Change['ResourceChange']>['Details']): Change => ({
  Type: 'Resource',
  ResourceChange: {
    Action: 'Modify',
    LogicalResourceId: 'Database',
    ResourceType: 'AWS::RDS::DBInstance',
    Replacement: 'False',
    Scope: ['Properties'],
    Details: details,
  },
});

/** A deployed stack whose drift detection takes two polls and returns two pages. */
function driftedStack(changes: Change[]) {
  cfn.on(DescribeStacksCommand).resolves(stackAt('app-db', 'UPDATE_COMPLETE'));
  cfn.on(DetectStackDriftCommand).resolves({ StackDriftDetectionId: 'drift-1' });
  cfn
    .on(DescribeStackDriftDetectionStatusCommand)
    .resolvesOnce({
      StackId: 'arn:stack/app-db',
      StackDriftDetectionId: 'drift-1',
      DetectionStatus: 'DETECTION_IN_PROGRESS',
      Timestamp: new Date(),
    })
    .resolves({
      StackId: 'arn:stack/app-db',
      StackDriftDetectionId: 'drift-1',
      StackDriftStatus: 'DRIFTED',
      DetectionStatus: 'DETECTION_COMPLETE',
      DriftedStackResourceCount: 2,
      Timestamp: new Date(),
    });
  cfn
    .on(DescribeStackResourceDriftsCommand)
    .callsFake((input: { NextToken?: string }) =>
      input.NextToken
        ? { StackResourceDrifts: [DRIFTS[1]] }
        : { StackResourceDrifts: [DRIFTS[0]], NextToken: 'page-2' },
    );
  cfn.on(CreateChangeSetCommand).resolves({ Id: 'cs' });
  cfn.on(DescribeChangeSetCommand).resolves(readyChangeSet(changes));
  cfn.on(DeleteChangeSetCommand).resolves({});
}

const retention = databaseChange([
  {
    Target: {
      Attribute: 'Properties',
      Name: 'BackupRetentionPeriod',
      RequiresRecreation: 'Never',
      Path: '/Properties/BackupRetentionPeriod',
      BeforeValue: '7',
      AfterValue: '14',
      AttributeChangeType: 'Modify',
    },
    Evaluation: 'Static',
    ChangeSource: 'DirectModification',
  },
]);

function report(run: StageRun): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'iac-action', version: 'test' },
    templates: [],
    policies: [],
    findings: run.findings,
    notices: [],
    summary: summarize(run.findings, [], 'error'),
    plan: run.plan,
  };
}

describe('drift before the change set', () => {
  it('reports drifted resources and the properties that differ, marking what the change set overwrites', async () => {
    driftedStack([retention]);
    const dir = await workspace(files);
    const run = await runStage(dir, { mode: 'plan' }, aws);
    expect(cfn.commandCalls(DescribeStackResourceDriftsCommand)[0]!.args[0].input).toMatchObject({
      StackName: 'app-db',
      StackResourceDriftStatusFilters: ['MODIFIED', 'DELETED'],
    });
    expect(run.plan[0]!.drift).toEqual([
      {
        logicalId: 'Database',
        resourceType: 'AWS::RDS::DBInstance',
        status: 'modified',
        differences: [
          { path: 'BackupRetentionPeriod', kind: 'changed', expected: '7', actual: '1' },
        ],
        overwritten: true,
      },
      {
        logicalId: 'Archive',
        resourceType: 'AWS::S3::Bucket',
        status: 'modified',
        differences: [
          {
            path: 'Tags/0',
            kind: 'added',
            expected: 'null',
            actual: '{"Key":"owner","Value":"ops"}',
          },
        ],
        overwritten: false,
      },
    ]);
    expect(run.findings).toEqual([]);
    expect(
      cfn.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.DeploymentMode,
    ).toBeUndefined();
    const comment = renderComment(report(run), RUN, 'the job summary');
    expect(comment).toMatch(/2 drifted resources/);
    expect(comment).toMatch(
      /\| <code>Database<\/code> \| <code>AWS::RDS::DBInstance<\/code> \| modified \| <code>BackupRetentionPeriod<\/code>: <code>7<\/code> → <code>1<\/code> \| ✏️ overwritten \|/,
    );
    expect(comment).toMatch(/\| <code>Archive<\/code> .* \| kept \|/);
    expect(formatPlanText(run.plan)).toMatch(
      /drift: Database \(AWS::RDS::DBInstance\) modified \[overwritten by this change set\]\n\s+BackupRetentionPeriod: 7 → 1 \(template → live\)/,
    );
  });

  it('blocks the plan with drift: fail, one error per drifted resource at its line, and does not deploy', async () => {
    driftedStack([]);
    const dir = await workspace(files);
    const plan = await runStage(dir, { mode: 'plan', drift: 'fail' }, aws);
    expect(plan.plan[0]!.status).toBe('blocked');
    expect(plan.findings.map((f) => [f.ruleId, f.logicalId, f.line, f.severity])).toEqual([
      ['D1003', 'Database', 2, 'error'],
      ['D1003', 'Archive', 5, 'error'],
    ]);
    expect(plan.findings[0]!.message).toMatch(/differs in BackupRetentionPeriod/);
    const deploy = await runStage(dir, { mode: 'deploy', drift: 'fail' }, aws);
    expect(deploy.deployments![0]!.message).toMatch(/drifted and input drift is fail/);
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('creates a drift-aware change set with drift: revert and shows the live values it puts back', async () => {
    driftedStack([
      databaseChange([
        {
          Target: {
            Attribute: 'Properties',
            Name: 'BackupRetentionPeriod',
            RequiresRecreation: 'Never',
            Path: '/Properties/BackupRetentionPeriod',
            BeforeValue: '7',
            AfterValue: '7',
            BeforeValueFrom: 'ACTUAL_STATE',
            AttributeChangeType: 'SyncWithActual',
            Drift: { PreviousValue: '7', ActualValue: '1' },
          },
          Evaluation: 'Static',
          ChangeSource: 'DirectModification',
        },
      ]),
    ]);
    const dir = await workspace(files);
    const run = await runStage(dir, { mode: 'plan', drift: 'revert' }, aws);
    expect(cfn.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.DeploymentMode).toBe(
      'REVERT_DRIFT',
    );
    expect(run.plan[0]!.revertsDrift).toBe(true);
    expect(run.plan[0]!.changes[0]!.properties).toEqual([
      { path: 'BackupRetentionPeriod', before: '7', after: '7', live: '1' },
    ]);
    const comment = renderComment(report(run), RUN, 'the job summary');
    expect(comment).toMatch(/reverts drift \(live: <code>1<\/code>\)/);
    expect(comment).toMatch(/REVERT_DRIFT\) puts them back/);
  });

  it('does not detect drift with drift: ignore', async () => {
    driftedStack([retention]);
    const dir = await workspace(files);
    const run = await runStage(dir, { mode: 'plan', drift: 'ignore' }, aws);
    expect(cfn.commandCalls(DetectStackDriftCommand)).toHaveLength(0);
    expect(run.plan[0]!.drift).toBeUndefined();
  });

  it('notes a detection it may not run, and fails the plan on it only with drift: fail', async () => {
    driftedStack([retention]);
    cfn.on(DetectStackDriftCommand).rejects(
      Object.assign(
        new Error('User is not authorized to perform: cloudformation:DetectStackDrift'),
        {
          name: 'AccessDenied',
        },
      ),
    );
    const dir = await workspace(files);
    const reported = await runStage(dir, { mode: 'plan' }, aws);
    expect(reported.plan[0]!.status).toBe('changes');
    expect(reported.plan[0]!.driftNote).toMatch(/Drift was not detected: User is not authorized/);
    const failed = await runStage(dir, { mode: 'plan', drift: 'fail' }, aws);
    expect(failed.plan[0]!.status).toBe('failed');
    expect(failed.findings[0]!.message).toMatch(
      /Drift could not be detected, and input drift is fail/,
    );
  });
});
