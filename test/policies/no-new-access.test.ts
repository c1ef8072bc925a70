// check-no-new-access and denied-actions through the CLI, on a git repository made here.
import { describe, expect, it } from 'vitest';
import { cli, noCredentials } from '../helpers/cli.js';
import { repository } from '../helpers/git.js';

const role = (name: string, actions: string) => `  ${name}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: { Service: glue.amazonaws.com }
            Action: sts:AssumeRole
      Policies:
        - PolicyName: data
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: [${actions}]
                Resource: arn:aws:s3:::lake/*
`;

const template = (broadened: string, narrowed: string, same: string) =>
  `AWSTemplateFormatVersion: '2010-09-09'\nResources:\n${role('Broadened', broadened)}${role('Narrowed', narrowed)}${role('Same', same)}`;

describe('check-no-new-access without credentials', () => {
  it('reports the broadened policy only, at its line, and what it newly allows', async () => {
    const base = template('s3:GetObject', 's3:GetObject, s3:PutObject', 's3:GetObject');
    const head = template('s3:GetObject, s3:DeleteObject', 's3:GetObject', 's3:GetObject');
    const dir = await repository({ 'templates/data.yaml': base }, { 'templates/data.yaml': head });
    const r = await cli(
      [
        'validate',
        'templates/',
        '--check-no-new-access',
        'true',
        '--base-ref',
        'main',
        '--denied-actions',
        's3:DeleteObject',
        '--format',
        'json',
      ],
      dir,
      noCredentials,
    );
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as {
      findings: { ruleId: string; logicalId: string; line: number; message: string }[];
    };
    const ours = report.findings
      .filter((f) => f.ruleId.startsWith('CHECK_'))
      .map((f) => [f.ruleId, f.logicalId, f.line, f.message]);
    const policyLine = head.split('\n').findIndex((l) => l.includes('PolicyName: data')) + 3;
    expect(ours).toEqual([
      [
        'CHECK_NO_NEW_ACCESS',
        'Broadened',
        policyLine,
        'Newly allows s3:DeleteObject on arn:aws:s3:::lake/*, compared with base-ref main. (data)',
      ],
      [
        'CHECK_ACCESS_NOT_GRANTED',
        'Broadened',
        policyLine + 2,
        'Grants the denied action s3:DeleteObject (input denied-actions). (data)',
      ],
    ]);
  });

  it('says so when there is no base commit to compare with', async () => {
    const text = template('s3:GetObject', 's3:GetObject', 's3:GetObject');
    const dir = await repository({ 'templates/data.yaml': text }, {});
    const r = await cli(
      ['validate', 'templates/', '--check-no-new-access', 'true', '--format', 'json'],
      dir,
      noCredentials,
    );
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).notices).toContainEqual(
      expect.stringContaining('check-no-new-access is on, but there is no base commit'),
    );
  });
});
