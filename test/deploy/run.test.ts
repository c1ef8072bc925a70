import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { realEdges } from '../../src/pipeline/edges.js';
import { silentLogger } from '../../src/model/logger.js';
import { runPipeline } from '../../src/pipeline/pipeline.js';
import { readSettings, type InputName } from '../../src/model/settings.js';
import { startMoto, type Moto } from '../helpers/moto.js';
import { TEST_ENV } from '../helpers/stage.js';

const exec = promisify(execFile);
let moto: Moto;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(() => moto.stop());
beforeEach(() => moto.reset());
afterEach(() => vi.unstubAllEnvs());

async function demoWorkspace(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'iac-run-'));
  await fs.cp('examples/demo', dir, { recursive: true });
  return dir;
}

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
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'iac-run-'));
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
    // Validation alone knows only the template's Default ("*")...
    const validated = await runPipeline(
      read('validate'),
      realEdges(read('validate'), { log: silentLogger, env }),
    );
    expect(rule(validated.report)).toEqual(['WRITE_ON_ALL_RESOURCES']);
    // ...a plan resolves the policy with the manifest's value, which names the bucket.
    const planned = await runPipeline(
      read('plan'),
      realEdges(read('plan'), { log: silentLogger, env }),
    );
    expect(planned.report.plan?.map((p) => p.stackId)).toEqual(['writer']);
    expect(rule(planned.report)).toEqual([]);
  });

  it('plans a manifest whose templates live outside the default templates/ folder', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'iac-run-'));
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
    const output = path.join(dir, 'github-output');
    await fs.writeFile(output, '');
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...TEST_ENV,
      GITHUB_WORKSPACE: dir,
      GITHUB_OUTPUT: output,
      GITHUB_EVENT_NAME: 'workflow_dispatch',
      RUNNER_TEMP: dir,
      INPUT_MODE: 'deploy',
      INPUT_ENVIRONMENT: 'demo',
      INPUT_TEMPLATES: 'templates/',
      'INPUT_ENDPOINT-URL': moto.endpoint,
      'INPUT_POLICY-VALIDATION': 'offline',
    };
    const { stdout } = await exec(process.execPath, [path.resolve('dist/index.js')], { env });
    expect(stdout).toMatch(/demo-demo-storage: .*CREATE_COMPLETE/);
    const outputs = await fs.readFile(output, 'utf8');
    expect(outputs).toMatch(/storage-BucketArn<<\S+\narn:aws:s3:::iac-action-demo-demo-data\n/);
    const json = /outputs<<(\S+)\n(.*)\n\1/.exec(outputs);
    expect(JSON.parse(json![2]!)).toMatchObject({
      access: { RoleArn: expect.stringContaining(':role/') },
    });
    expect(await stackNames()).toEqual([
      'demo-demo-access',
      'demo-demo-events',
      'demo-demo-storage',
    ]);

    // the same deploy on a pull_request event is refused before anything runs
    const refused = await exec(process.execPath, [path.resolve('dist/index.js')], {
      env: { ...env, GITHUB_EVENT_NAME: 'pull_request' },
    }).catch((error: { stdout: string; code: number }) => error);
    expect(refused.stdout).toMatch(/::error::.*refused on pull_request events/);
    expect((refused as { code?: number }).code).toBe(1);
  });
});
