import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { ROOT, workspace } from '../helpers/paths.js';

// A small real CDK app: one stack with a bucket and a role whose policy names an action that
// does not exist. It also records the environment its synth got.
const APP = `import fs from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
fs.writeFileSync('synth-env.json', JSON.stringify(Object.keys(process.env)));
const app = new App();
const stack = new Stack(app, 'Small', { env: { account: '123456789012', region: 'eu-west-1' } });
const bucket = new s3.Bucket(stack, 'Data');
const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObjectz'], resources: [bucket.arnForObjects('*')] }));
`;

async function appWorkspace(app: string): Promise<string> {
  const ws = await workspace({
    'infra/cdk.json': JSON.stringify({ app: 'node app.mjs' }),
    'infra/app.mjs': app,
  });
  // The app's dependencies as its npm ci would install them: aws-cdk-lib and the aws-cdk CLI.
  await fs.symlink(path.join(ROOT, 'node_modules'), path.join(ws, 'infra/node_modules'), 'dir');
  return ws;
}

const secrets = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  GITHUB_TOKEN: 'ghs_0123456789abcdefghijklmnopqrstuvwxyz',
};

describe('input cdk-app', () => {
  it("runs the app's own cdk synth without the job's secrets, then checks the fresh assembly", async () => {
    const ws = await appWorkspace(APP);
    const run = await cli(
      [
        'validate',
        '--cdk-app',
        'infra',
        '--trust-repo-config',
        'true',
        '--policy-validation',
        'offline',
        '--format',
        'json',
      ],
      ws,
      secrets,
    );
    const report = JSON.parse(run.stdout) as {
      templates: { file: string }[];
      findings: { ruleId: string; constructPath?: string; message: string }[];
    };
    expect(report.templates.map((t) => t.file)).toEqual(['infra/cdk.out/Small.template.json']);
    const unknown = report.findings.find((f) => /GetObjectz/.test(f.message));
    expect(unknown?.constructPath).toBe('Small/Reader/DefaultPolicy/Resource');
    const seen = JSON.parse(
      await fs.readFile(path.join(ws, 'infra/synth-env.json'), 'utf8'),
    ) as string[];
    expect(seen).not.toContain('AWS_SECRET_ACCESS_KEY');
    expect(seen).not.toContain('AWS_ACCESS_KEY_ID');
    expect(seen).not.toContain('GITHUB_TOKEN');
  }, 180_000);

  it('says why a synth failed, with the app’s last words and no workflow command', async () => {
    const ws = await appWorkspace(
      `console.error('::add-mask::x');\nconsole.error('Error: no VPC found');\nprocess.exit(3);\n`,
    );
    const run = await cli(
      ['validate', '--cdk-app', 'infra', '--trust-repo-config', 'true'],
      ws,
      secrets,
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/cdk synth in infra failed with exit code \d+: .*no VPC found/);
    expect(run.stderr).toMatch(/cdk\.context\.json/);
    expect(run.stderr.split('\n').some((line) => line.trimStart().startsWith('::add-mask'))).toBe(
      false,
    );
  }, 180_000);

  it('is refused without trust-repo-config and on pull_request_target', async () => {
    const ws = await appWorkspace(APP);
    const untrusted = await cli(['validate', '--cdk-app', 'infra'], ws, secrets);
    expect(untrusted.status).toBe(2);
    expect(untrusted.stderr).toMatch(
      /Input "cdk-app" runs the CDK app in "infra", which is code from the repository/,
    );
    const target = await cli(
      ['validate', '--cdk-app', 'infra', '--trust-repo-config', 'true'],
      ws,
      {
        ...secrets,
        GITHUB_EVENT_NAME: 'pull_request_target',
      },
    );
    expect(target.stderr).toMatch(/refused on pull_request_target/);
    // Neither ran the app.
    await expect(fs.stat(path.join(ws, 'infra/synth-env.json'))).rejects.toThrow();
  }, 60_000);
});
