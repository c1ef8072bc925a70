import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListChangeSetsCommand,
} from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMoto, type Moto } from '../helpers/moto.js';
import { workspace } from '../helpers/paths.js';
import { runStage, TEST_ENV } from '../helpers/stage.js';

let moto: Moto;
beforeAll(async () => {
  Object.assign(process.env, TEST_ENV);
  moto = await startMoto();
});
afterAll(() => moto.stop());
beforeEach(() => moto.reset());

const bucketTemplate = (extra = '') => `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Environment: { Type: String }
Resources:
  Data:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      BucketName: !Sub 'data-\${Environment}'
${extra}Outputs:
  BucketName: { Value: !Ref Data }
`;

const manifest = `defaults:
  tags: { project: demo }
stacks:
  data:
    template: templates/data.yaml
    stack-name: demo-\${environment}-data
    parameters: { Environment: "\${environment}" }
`;
const env = { 'environments/dev.yaml': 'parameters: {}\n' };

function cfn() {
  return new CloudFormationClient({ region: 'us-east-1', endpoint: moto.endpoint });
}

describe('deploy against moto', () => {
  it('creates, then no-ops, then updates a stack, streaming each event once', async () => {
    const dir = await workspace({
      'iac-stacks.yaml': manifest,
      'templates/data.yaml': bucketTemplate(),
      ...env,
    });
    const inputs = { mode: 'deploy', environment: 'dev' };
    const created = await runStage(dir, inputs, moto);
    expect(created.deployments).toMatchObject([
      {
        stackId: 'data',
        stackName: 'demo-dev-data',
        status: 'succeeded',
        stackStatus: 'CREATE_COMPLETE',
        outputs: { BucketName: 'data-dev' },
      },
    ]);
    expect(created.plan[0]).toMatchObject({ changeSetType: 'CREATE', status: 'changes' });
    expect(created.plan[0]!.changes).toMatchObject([
      { logicalId: 'Data', action: 'add', stateful: true },
    ]);
    const events = created.lines.filter(
      (l) => / (CREATE|REVIEW)_/.test(l) && l.startsWith('demo-dev-data: '),
    );
    expect(
      events.some((l) => /demo-dev-data AWS::CloudFormation::Stack CREATE_COMPLETE/.test(l)),
    ).toBe(true);
    expect(new Set(events).size).toBe(events.length);
    expect(events.some((l) => /REVIEW_IN_PROGRESS/.test(l))).toBe(false); // from before the operation

    const again = await runStage(dir, inputs, moto);
    expect(again.deployments).toMatchObject([
      { status: 'no-op', outputs: { BucketName: 'data-dev' } },
    ]);
    expect(again.plan[0]!.status).toBe('no-changes');

    await import('node:fs/promises').then((fs) =>
      fs.writeFile(
        `${dir}/templates/data.yaml`,
        bucketTemplate(
          '  Logs:\n    Type: AWS::S3::Bucket\n    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n',
        ),
      ),
    );
    const updated = await runStage(dir, inputs, moto);
    expect(updated.plan[0]).toMatchObject({ changeSetType: 'UPDATE' });
    expect(updated.plan[0]!.changes).toMatchObject([{ logicalId: 'Logs', action: 'add' }]);
    expect(updated.deployments).toMatchObject([
      { status: 'succeeded', stackStatus: 'UPDATE_COMPLETE' },
    ]);
    const stacks = await cfn().send(new DescribeStacksCommand({ StackName: 'demo-dev-data' }));
    expect(stacks.Stacks?.[0]?.Tags).toEqual([{ Key: 'project', Value: 'demo' }]);
  });

  it('plans without leaving change sets, and a planned new stack deploys from REVIEW_IN_PROGRESS', async () => {
    const dir = await workspace({
      'iac-stacks.yaml': manifest,
      'templates/data.yaml': bucketTemplate(),
      ...env,
    });
    const plan = await runStage(dir, { mode: 'plan', environment: 'dev' }, moto);
    expect(plan.plan[0]).toMatchObject({ changeSetType: 'CREATE', status: 'changes' });
    expect(plan.deployments).toBeUndefined();
    const left = await cfn().send(new ListChangeSetsCommand({ StackName: 'demo-dev-data' }));
    expect(left.Summaries ?? []).toEqual([]);
    const state = await cfn().send(new DescribeStacksCommand({ StackName: 'demo-dev-data' }));
    expect(state.Stacks?.[0]?.StackStatus).toBe('REVIEW_IN_PROGRESS');

    const deployed = await runStage(dir, { mode: 'deploy', environment: 'dev' }, moto);
    expect(deployed.plan[0]!.changeSetType).toBe('CREATE');
    expect(deployed.deployments![0]!.status).toBe('succeeded');
  });

  it('executes the change set a plan kept, by name', async () => {
    const dir = await workspace({
      'iac-stacks.yaml': manifest,
      'templates/data.yaml': bucketTemplate(),
      ...env,
    });
    const plan = await runStage(
      dir,
      { mode: 'plan', environment: 'dev', 'keep-change-sets': 'true' },
      moto,
    );
    expect(plan.changeSets).toHaveLength(1);
    const name = plan.changeSets[0]!.changeSetName;
    const run = await runStage(
      dir,
      { mode: 'execute', environment: 'dev', 'change-set-name': name },
      moto,
    );
    expect(run.deployments).toMatchObject([
      { status: 'succeeded', stackStatus: 'CREATE_COMPLETE' },
    ]);
    const missing = await runStage(
      dir,
      { mode: 'execute', environment: 'dev', 'change-set-name': 'nope' },
      moto,
    );
    expect(missing.deployments![0]!.status).toBe('failed');
    expect(missing.findings[0]!.message).toMatch(/has no change set nope/);
  });

  it('reports a failed stack with the reason and skips the stacks that depend on it', async () => {
    const broken = `Resources:
  Catalog:
    Type: AWS::Glue::Database
    Properties: { CatalogId: '123456789012', DatabaseInput: { Name: db } }
  Data:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !GetAtt Catalog.Arn
`;
    const dir = await workspace({
      'iac-stacks.yaml': `stacks:
  broken: { template: templates/broken.yaml }
  after: { template: templates/after.yaml, depends-on: [broken] }
`,
      'templates/broken.yaml': broken,
      'templates/after.yaml': 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n',
    });
    const run = await runStage(dir, { mode: 'deploy' }, moto);
    expect(run.deployments![0]).toMatchObject({ stackId: 'broken', status: 'failed' });
    expect(run.deployments![0]!.message).toMatch(/Catalog/);
    expect(run.deployments![1]).toMatchObject({ stackId: 'after', status: 'skipped' });
    expect(run.findings).toMatchObject([
      { source: 'change-set', severity: 'error', file: 'templates/broken.yaml', ruleId: 'D2001' },
    ]);
  });

  it('deploys dependencies first and wires their outputs into parameters', async () => {
    const dir = await workspace({
      'iac-stacks.yaml': `stacks:
  consumer:
    template: templates/consumer.yaml
    depends-on: [producer]
    parameters: { Upstream: "\${stacks.producer.outputs.QueueName}" }
  producer:
    template: templates/producer.yaml
`,
      'templates/producer.yaml': `Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties: { QueueName: wired-queue }
Outputs:
  QueueName: { Value: !GetAtt Queue.QueueName }
`,
      'templates/consumer.yaml': `Parameters:
  Upstream: { Type: String }
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties: { TopicName: !Sub '\${Upstream}-topic' }
Outputs:
  TopicName: { Value: !GetAtt Topic.TopicName }
`,
    });
    const plan = await runStage(dir, { mode: 'plan' }, moto);
    expect(plan.plan.find((p) => p.stackId === 'consumer')!.message).toMatch(
      /Placeholders.*Upstream/,
    );
    const run = await runStage(dir, { mode: 'deploy' }, moto);
    expect(run.deployments!.map((d) => d.stackId)).toEqual(['producer', 'consumer']);
    expect(run.deployments![1]).toMatchObject({
      status: 'succeeded',
      outputs: { TopicName: 'wired-queue-topic' },
    });
  });

  it('plans independent stacks in parallel, each reading its own same-named change set', async () => {
    const queue = 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n';
    const topic = 'Resources:\n  T:\n    Type: AWS::SNS::Topic\n';
    const dir = await workspace({
      'iac-stacks.yaml': 'stacks:\n  q: { template: q.yaml }\n  t: { template: t.yaml }\n',
      'q.yaml': queue,
      't.yaml': topic,
    });
    const plan = await runStage(dir, { mode: 'plan' }, moto);
    expect(plan.plan.map((p) => p.changes.map((c) => c.logicalId))).toEqual([['Q'], ['T']]);
    expect(plan.plan[0]!.changeSetName).toBe(plan.plan[1]!.changeSetName);
  });

  it('uploads a template over 51,200 bytes to the artifact bucket and deploys it from there', async () => {
    const padding = `# ${'x'.repeat(200)}\n`.repeat(300);
    const dir = await workspace({
      'iac-stacks.yaml': 'stacks:\n  big: { template: templates/big.yaml }\n',
      'templates/big.yaml': `${padding}Resources:\n  Q:\n    Type: AWS::SQS::Queue\n`,
    });
    await expect(runStage(dir, { mode: 'deploy' }, moto)).rejects.toMatchObject({
      message: expect.stringMatching(/60942 bytes/),
      hint: expect.stringMatching(/artifact-bucket/),
    });
    const { S3Client, CreateBucketCommand, ListObjectsV2Command } =
      await import('@aws-sdk/client-s3');
    const s3 = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'artifacts' }));
    const run = await runStage(dir, { mode: 'deploy', 'artifact-bucket': 'artifacts' }, moto);
    expect(run.deployments).toMatchObject([{ status: 'succeeded' }]);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'artifacts' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual([
      expect.stringMatching(/^iac-action\/templates\/[0-9a-f]{64}\.yaml$/),
    ]);
  });
});
