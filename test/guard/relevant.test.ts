import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { evaluateGuard, runCfnGuard, type GuardTarget } from '../../src/guard/evaluate.js';
import { locateCfnGuard } from '../../src/guard/install.js';
import { loadControls, packFolder } from '../../src/guard/pack.js';
import { silentLogger } from '../../src/model/logger.js';
import { parseTemplate } from '../../src/parse/template.js';
import { workspace } from '../helpers/paths.js';

const BUCKET_ONLY = `Resources:
  Open:
    Type: AWS::S3::Bucket
`;

const NOTHING_THE_PACK_KNOWS = `Resources:
  Topic:
    Type: AWS::SNS::Subscription
    Properties: { Protocol: email, TopicArn: arn:aws:sns:us-east-1:111111111111:t, Endpoint: a@b.c }
`;

/** The real cfn-guard behind a script that records the rule files it was given. */
async function recordingGuard(
  dir: string,
): Promise<{ executable: string; ruleFiles: () => Promise<string[]> }> {
  const real = await locateCfnGuard({
    env: process.env,
    log: silentLogger,
    which: async () => undefined,
  });
  const log = path.join(dir, 'rules.log');
  const executable = path.join(dir, 'cfn-guard');
  await fs.writeFile(
    executable,
    `#!/bin/sh\nfor a in "$@"; do case "$a" in *.guard) echo "$a" >> '${log}';; esac; done\nexec '${real}' "$@"\n`,
    { mode: 0o755 },
  );
  const ruleFiles = async () =>
    (await fs.readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  return { executable, ruleFiles };
}

function guardOptions(executable: string, scratch: string) {
  return {
    executable,
    scratch,
    context: { region: 'us-east-1', partition: 'aws' },
    timeoutSeconds: 120,
    env: { PATH: process.env.PATH ?? '' },
  };
}

function target(text: string): GuardTarget {
  const parsed = parseTemplate(text, 'templates/t.yaml');
  if (!parsed.ok) throw new Error(parsed.finding.message);
  return { template: parsed.template, resolutions: [{ parameters: {} }] };
}

describe('the pack evaluates only controls for the resource types the run has', () => {
  it('gives cfn-guard the bucket controls for a bucket, and still finds their failures', async () => {
    const dir = await workspace({});
    const { executable, ruleFiles } = await recordingGuard(dir);
    const controls = await loadControls(await packFolder('control-tower'));
    const findings = await evaluateGuard([target(BUCKET_ONLY)], {
      ...guardOptions(executable, dir),
      controls,
      ruleFiles: [],
    });
    const bucketControls = controls.filter((c) => c.resourceTypes.includes('AWS::S3::Bucket'));
    expect(bucketControls.length).toBeGreaterThan(3);
    expect((await ruleFiles()).sort()).toEqual(bucketControls.map((c) => c.ruleFile).sort());
    expect(findings.map((f) => f.ruleId)).toContain('CT.S3.PR.1');
    expect(findings.every((f) => f.logicalId === 'Open')).toBe(true);
    // The report's rules and SARIF describe a control in its own words, not by its bare id.
    const control = controls.find((c) => c.id === 'CT.S3.PR.1')!;
    expect(findings.find((f) => f.ruleId === 'CT.S3.PR.1')?.rule).toEqual({
      title: control.title,
      description: `Fix: ${control.remediation}`,
    });
  }, 120_000);

  it('does not start cfn-guard when no control applies, but always runs repository rules', async () => {
    const dir = await workspace({
      'rules/subscriptions.guard': `rule no_email {\n  Resources.*[ Type == 'AWS::SNS::Subscription' ] {\n    Properties.Protocol != 'email' << no email subscriptions >>\n  }\n}\n`,
    });
    const { executable, ruleFiles } = await recordingGuard(dir);
    const controls = await loadControls(await packFolder('control-tower'));
    const options = { ...guardOptions(executable, dir), controls };
    expect(
      await evaluateGuard([target(NOTHING_THE_PACK_KNOWS)], { ...options, ruleFiles: [] }),
    ).toEqual([]);
    expect(await ruleFiles()).toEqual([]);
    const ruleFile = path.join(dir, 'rules/subscriptions.guard');
    const findings = await evaluateGuard([target(NOTHING_THE_PACK_KNOWS)], {
      ...options,
      ruleFiles: [{ absolutePath: ruleFile, file: 'rules/subscriptions.guard' }],
    });
    expect(await ruleFiles()).toEqual([ruleFile]);
    expect(findings).toEqual([
      expect.objectContaining({ ruleId: 'no_email', logicalId: 'Topic', line: 4 }),
    ]);
  }, 120_000);

  it("gives the same answers with the pack's \\w spelled in ASCII as with the rules as shipped", async () => {
    const dir = await workspace({ 'templates/t.yaml': WORD_CLASS_CASES });
    const { executable, ruleFiles } = await recordingGuard(dir);
    const controls = (await loadControls(await packFolder('control-tower'))).filter((c) =>
      ['CT.IAM.PR.3', 'CT.IAM.PR.5', 'CT.ELASTICLOADBALANCING.PR.2', 'CT.CODEBUILD.PR.1'].includes(
        c.id,
      ),
    );
    expect(controls).toHaveLength(4);
    const findings = await evaluateGuard([target(WORD_CLASS_CASES)], {
      ...guardOptions(executable, dir),
      controls,
      ruleFiles: [],
    });
    const given = await ruleFiles();
    expect(given).toHaveLength(4);
    expect(given.some((f) => controls.some((c) => c.ruleFile === f))).toBe(false);
    // cfn-guard itself, on the same document with the files as shipped and as given.
    const data = path.join(dir, 'data.json');
    await fs.writeFile(data, JSON.stringify(YAML.parse(WORD_CLASS_CASES)));
    const failures = async (files: string[]) => {
      const result = await runCfnGuard(
        executable,
        [
          'validate',
          ...files.flatMap((f) => ['-r', f]),
          '-d',
          data,
          '-o',
          'json',
          '--structured',
          '--show-summary',
          'none',
        ],
        { env: { PATH: process.env.PATH ?? '' }, timeoutSeconds: 120, maxBuffer: 64 << 20 },
      );
      const reports = JSON.parse(String(result.stdout)) as {
        not_compliant?: { Rule?: { name: string; checks?: unknown } }[];
      }[];
      return reports
        .flatMap((r) => r.not_compliant ?? [])
        .map(
          (n) =>
            `${n.Rule?.name} ${[...new Set(JSON.stringify(n.Rule?.checks).match(/\/Resources\/\w+/g))].sort().join(' ')}`,
        )
        .sort();
    };
    const shipped = await failures(controls.map((c) => c.ruleFile));
    expect(await failures(given)).toEqual(shipped);
    // The cases fail and pass as the controls say, so the comparison is not between two nothings.
    const failed = findings.map((f) => `${f.ruleId} ${f.logicalId}`).sort();
    expect(failed).toEqual([
      'CT.CODEBUILD.PR.1 TokenInUrl',
      'CT.ELASTICLOADBALANCING.PR.2 IamCertificate',
      'CT.IAM.PR.3 ServiceWildcard',
      'CT.IAM.PR.5 AllActions',
    ]);
    expect(shipped.length).toBeGreaterThanOrEqual(4);
  }, 120_000);
});

/** Values each pattern with \\w in the pack decides on, passing and failing. */
const listener = (certificate: string) => `
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/web/50dc6c495c0c9188
      Port: 443
      Protocol: HTTPS
      Certificates: [{ CertificateArn: '${certificate}' }]
      DefaultActions: [{ Type: forward, TargetGroupArn: arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/web/6d0ecf831eec9f09 }]`;
const project = (location: string) => `
    Type: AWS::CodeBuild::Project
    Properties:
      Source: { Type: GITHUB, Location: '${location}' }
      Artifacts: { Type: NO_ARTIFACTS }
      Environment: { Type: LINUX_CONTAINER, ComputeType: BUILD_GENERAL1_SMALL, Image: aws/codebuild/standard:7.0 }
      ServiceRole: arn:aws:iam::111111111111:role/build`;
const WORD_CLASS_CASES = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  ServiceWildcard:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement: [{ Effect: Allow, Action: 's3:*', Resource: '*' }]
  NamedActions:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement: [{ Effect: Allow, Action: ['s3:GetObject', 's3:List*'], Resource: '*' }]
  AllActions:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{ Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: 'sts:AssumeRole' }]
      Policies:
        - PolicyName: all
          PolicyDocument:
            Statement: [{ Effect: Allow, Action: '*', Resource: '*' }]
  AcmCertificate:${listener('arn:aws:acm:us-east-1:111111111111:certificate/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e')}
  IamCertificate:${listener('arn:aws:iam::111111111111:server-certificate/web')}
  CleanUrl:${project('https://github.com/org/re_po-1.git')}
  TokenInUrl:${project('https://token@github.com/org/repo.git')}
`;
