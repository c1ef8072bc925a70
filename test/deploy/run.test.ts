import fs from 'node:fs/promises';
import path from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { realEdges } from '../../src/pipeline/edges.js';
import { silentLogger } from '../../src/model/logger.js';
import { runPipeline } from '../../src/pipeline/pipeline.js';
import { readSettings, type InputName } from '../../src/model/settings.js';
import { runBuiltAction } from '../helpers/built.js';
import { startMoto, type Moto } from '../helpers/moto.js';
import { ROOT, workspace } from '../helpers/paths.js';
import { TEST_ENV } from '../helpers/stage.js';

let moto: Moto;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(() => moto.stop());
beforeEach(() => moto.reset());
afterEach(() => vi.unstubAllEnvs());

const demoWorkspace = () => workspace({ '.': { copy: path.join(ROOT, 'examples/demo') } });

async function stackNames(): Promise<string[]> {
  const client = new CloudFormationClient({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  const answer = await client.send(new DescribeStacksCommand({}));
  return (answer.Stacks ?? []).map((s) => s.StackName ?? '').sort();
}

describe('run', () => {
  it('validates first: a blocking finding stops deploy before any change set exists', async () => {
    const dir = await demoWorkspace();
    await fs.appendFile(
      path.join(dir, 'templates/events.yaml'),
      '  Broken:\n    Type: AWS::SQS::Queue\n    Properties:\n      NotAProperty: 1\n',
    );
    const env = { ...process.env, ...TEST_ENV };
    const inputs: Partial<Record<InputName, string>> = {
      mode: 'deploy',
      environment: 'demo',
      'endpoint-url': moto.endpoint,
      'policy-validation': 'offline',
    };
    const settings = readSettings((name) => inputs[name], { env, workspace: dir });
    const { report } = await runPipeline(settings, realEdges(settings, { log: silentLogger, env }));
    expect(report.summary.blocking).toBe(true);
    expect(
      report.findings.some((f) => f.source === 'cfn-lint' && f.file === 'templates/events.yaml'),
    ).toBe(true);
    expect(report.notices.join('\n')).toMatch(/no change set was created/);
    expect(report.plan).toBeUndefined();
    expect(await stackNames()).toEqual([]);
  });

  it('resolves policies with the parameter values the manifest deploys each stack with', async () => {
    const dir = await workspace({});
    const template = [
      'Parameters:',
      '  Target:',
      '    Type: String',
      '    Default: "*"',
      'Resources:',
      '  Writer:',
      '    Type: AWS::IAM::ManagedPolicy',
      '    Properties:',
      '      PolicyDocument:',
      '        Version: "2012-10-17"',
      '        Statement:',
      '          - Effect: Allow',
      '            Action: s3:PutObject',
      '            Resource: !Ref Target',
      '',
    ].join('\n');
    await fs.mkdir(path.join(dir, 'templates'));
    await fs.writeFile(path.join(dir, 'templates/writer.yaml'), template);
    await fs.writeFile(
      path.join(dir, 'iac-stacks.yaml'),
      'stacks:\n  writer:\n    template: templates/writer.yaml\n    parameters:\n      Target: "arn:aws:s3:::landing/*"\n',
    );
    // The AWS SDK reads credentials from the process environment.
    for (const [key, value] of Object.entries(TEST_ENV)) vi.stubEnv(key, value);
    const env = { ...process.env, ...TEST_ENV };
    const read = (mode: string) => {
      const inputs: Partial<Record<InputName, string>> = {
        mode,
        'endpoint-url': moto.endpoint,
        'policy-validation': 'offline',
      };
      return readSettings((name) => inputs[name], { env, workspace: dir });
    };
    const rule = (report: { findings: { ruleId: string }[] }) =>
      report.findings.map((f) => f.ruleId).filter((id) => id === 'WRITE_ON_ALL_RESOURCES');
    // The template's Default ("*") is not what deploys: validation and plan both resolve the
    // policy with the manifest's value, which names the bucket.
    const validated = await runPipeline(
      read('validate'),
      realEdges(read('validate'), { log: silentLogger, env }),
    );
    expect(validated.report.plan).toBeUndefined();
    expect(rule(validated.report)).toEqual([]);
    const planned = await runPipeline(
      read('plan'),
      realEdges(read('plan'), { log: silentLogger, env }),
    );
    expect(planned.report.plan?.map((p) => p.stackId)).toEqual(['writer']);
    expect(rule(planned.report)).toEqual([]);
  });

  it('a plan lists the IAM statements the change set adds to the deployed stack', async () => {
    const role = (actions: string) =>
      [
        'Resources:',
        '  Role:',
        '    Type: AWS::IAM::Role',
        '    Properties:',
        '      AssumeRolePolicyDocument:',
        '        Version: "2012-10-17"',
        '        Statement:',
        '          - { Effect: Allow, Principal: { Service: glue.amazonaws.com }, Action: sts:AssumeRole }',
        '      Policies:',
        '        - PolicyName: lake',
        '          PolicyDocument:',
        '            Version: "2012-10-17"',
        `            Statement: [{ Effect: Allow, Action: [${actions}], Resource: "arn:aws:s3:::lake/*" }]`,
        '',
      ].join('\n');
    const client = new CloudFormationClient({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    await client.send(
      new CreateStackCommand({
        StackName: 'access',
        TemplateBody: role('s3:GetObject'),
        Capabilities: ['CAPABILITY_IAM'],
      }),
    );
    const dir = await workspace({
      'templates/access.yaml': role('s3:GetObject, s3:DeleteObject'),
      'iac-stacks.yaml': 'stacks:\n  access:\n    template: templates/access.yaml\n',
    });
    for (const [key, value] of Object.entries(TEST_ENV)) vi.stubEnv(key, value);
    const env = { ...process.env, ...TEST_ENV };
    const inputs: Partial<Record<InputName, string>> = {
      mode: 'plan',
      'endpoint-url': moto.endpoint,
      'policy-validation': 'offline',
    };
    const settings = readSettings((name) => inputs[name], { env, workspace: dir });
    const { report } = await runPipeline(settings, realEdges(settings, { log: silentLogger, env }));
    const [stack] = report.plan ?? [];
    expect(stack).toMatchObject({ stackName: 'access', changeSetType: 'UPDATE' });
    expect(
      stack!.iamStatements?.map((c) => [c.change, c.logicalId, c.policyName, c.actions]),
    ).toEqual([
      ['removed', 'Role', 'lake', ['s3:GetObject']],
      ['added', 'Role', 'lake', ['s3:GetObject', 's3:DeleteObject']],
    ]);
  });

  it('plans a manifest whose templates live outside the default templates/ folder', async () => {
    const dir = await workspace({});
    await fs.mkdir(path.join(dir, 'infra'));
    await fs.writeFile(
      path.join(dir, 'infra/topic.yaml'),
      'Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n',
    );
    await fs.writeFile(
      path.join(dir, 'iac-stacks.yaml'),
      'stacks:\n  topic:\n    template: infra/topic.yaml\n',
    );
    for (const [key, value] of Object.entries(TEST_ENV)) vi.stubEnv(key, value);
    const env = { ...process.env, ...TEST_ENV };
    const inputs: Partial<Record<InputName, string>> = {
      mode: 'plan',
      'endpoint-url': moto.endpoint,
      'policy-validation': 'offline',
    };
    const settings = readSettings((name) => inputs[name], { env, workspace: dir });
    const { report } = await runPipeline(settings, realEdges(settings, { log: silentLogger, env }));
    expect(report.templates.map((t) => t.file)).toEqual(['infra/topic.yaml']);
    expect(report.plan).toEqual([
      expect.objectContaining({ stackId: 'topic', status: 'changes', changeSetType: 'CREATE' }),
    ]);
  });

  it('runs the built action (dist/index.js) in deploy mode and sets stack outputs as action outputs', async () => {
    const dir = await demoWorkspace();
    const inputs = {
      mode: 'deploy',
      environment: 'demo',
      templates: 'templates/',
      'endpoint-url': moto.endpoint,
      'policy-validation': 'offline',
    };
    const env = { ...TEST_ENV, GITHUB_EVENT_NAME: 'workflow_dispatch' };
    const deployed = await runBuiltAction(dir, inputs, { env });
    expect(deployed.code).toBe(0);
    expect(deployed.stdout).toMatch(/demo-demo-storage: .*CREATE_COMPLETE/);
    expect(deployed.outputs['storage-BucketArn']).toBe('arn:aws:s3:::iac-action-demo-demo-data');
    expect(JSON.parse(deployed.outputs.outputs!)).toMatchObject({
      access: { RoleArn: expect.stringContaining(':role/') },
    });
    expect(await stackNames()).toEqual([
      'demo-demo-access',
      'demo-demo-events',
      'demo-demo-storage',
    ]);

    // the same deploy on a pull_request event is refused before anything runs
    const refused = await runBuiltAction(dir, inputs, {
      env: { ...env, GITHUB_EVENT_NAME: 'pull_request' },
    });
    expect(refused.stdout).toMatch(/::error::.*refused on pull_request events/);
    expect(refused.code).toBe(1);
  });
});
