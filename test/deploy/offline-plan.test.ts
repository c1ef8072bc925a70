import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli as runCli, noCredentials } from '../helpers/cli.js';
import { repository } from '../helpers/git.js';

const cli = (args: string[], cwd: string, env: NodeJS.ProcessEnv = noCredentials) =>
  runCli(args, cwd, env);

const BASE = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  RawBucket:
    Type: AWS::S3::Bucket
    DeletionPolicy: Delete
    UpdateReplacePolicy: Delete
    Properties:
      VersioningConfiguration:
        Status: Enabled
  Database:
    Type: AWS::RDS::DBInstance
    DeletionPolicy: Snapshot
    UpdateReplacePolicy: Snapshot
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      AllocatedStorage: '20'
      MasterUsername: admin
      ManageMasterUserPassword: true
      StorageEncrypted: true
  Queue:
    Type: AWS::SQS::Queue
    DeletionPolicy: Delete
    UpdateReplacePolicy: Delete
    Properties:
      Tags:
        - Key: team
          Value: data
`;

/** The head renames the bucket, changes the database's create-only property and edits a tag. */
const HEAD = BASE.replace('  RawBucket:', '  LandingBucket:')
  .replace('StorageEncrypted: true', 'StorageEncrypted: false')
  .replace('Value: data', 'Value: platform');

describe('the plan without credentials', () => {
  it('blocks a renamed bucket and a replaced database, and lets a tag edit through', async () => {
    const dir = await repository({ 'templates/data.yaml': BASE }, { 'templates/data.yaml': HEAD });
    const r = await cli(
      ['plan', '--base-ref', 'main', '--format', 'json', '--markdown', 'comment.md'],
      dir,
    );
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    const [stack] = report.plan;
    expect(stack).toMatchObject({ stackId: 'templates/data.yaml', status: 'blocked' });
    expect(stack.predictedFrom).toMatch(/^[0-9a-f]{40}$/);
    const byId = Object.fromEntries(
      stack.changes.map((c: { logicalId: string }) => [c.logicalId, c]),
    );
    expect(byId.RawBucket).toMatchObject({
      action: 'remove',
      renamedTo: 'LandingBucket',
      blocked: true,
    });
    expect(byId.LandingBucket).toMatchObject({
      action: 'add',
      renamedFrom: 'RawBucket',
      blocked: false,
    });
    expect(byId.Database).toMatchObject({
      action: 'replace',
      replacementCauses: ['StorageEncrypted'],
      blocked: true,
      properties: [
        { path: 'StorageEncrypted', before: 'true', after: 'false', replacement: 'always' },
      ],
    });
    expect(byId.Queue).toMatchObject({
      action: 'modify',
      blocked: false,
      properties: [{ path: 'Tags/0/Value', before: 'data', after: 'platform' }],
    });
    const blocked = report.findings.filter((f: { ruleId: string }) => f.ruleId === 'D1001');
    expect(blocked.map((f: { logicalId: string; line: number }) => [f.logicalId, f.line])).toEqual([
      ['RawBucket', 3],
      ['Database', 10],
    ]);
    expect(blocked[0].message).toMatch(/predicted without AWS.*renamed to LandingBucket/);
    const comment = await fs.readFile(path.join(dir, 'comment.md'), 'utf8');
    expect(comment).toContain(
      '2 stateful resources would be replaced or removed and are blocked (predicted without AWS)',
    );
    expect(comment).toContain(
      '🔴 <code>StorageEncrypted</code>: <code>true</code> → <code>false</code>',
    );
  });

  it('passes when only a tag changes, with the manifest naming the stack', async () => {
    const manifest =
      'stacks:\n  data:\n    template: templates/data.yaml\n    stack-name: data-platform\n';
    const dir = await repository(
      { 'templates/data.yaml': BASE, 'iac-stacks.yaml': manifest },
      { 'templates/data.yaml': BASE.replace('Value: data', 'Value: platform') },
    );
    const r = await cli(['plan', '--base-ref', 'main', '--markdown', 'comment.md'], dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/stack data-platform .*predicted without AWS.*1 change/);
    expect(r.stdout).toMatch(/~ +modify +Queue \(AWS::SQS::Queue\)/);
    const comment = await fs.readFile(path.join(dir, 'comment.md'), 'utf8');
    expect(comment).toContain('predicted without AWS');
    expect(comment).toContain(
      '<code>Tags/0/Value</code>: <code>data</code> → <code>platform</code>',
    );
  });

  it('puts the IAM statement changes of a broadened role above the resource changes', async () => {
    const role = (actions: string) => `  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - { Effect: Allow, Principal: { Service: glue.amazonaws.com }, Action: sts:AssumeRole }
      Policies:
        - PolicyName: lake
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - { Effect: Allow, Action: [${actions}], Resource: 'arn:aws:s3:::lake/*' }
`;
    const dir = await repository(
      { 'templates/data.yaml': `${BASE}${role('s3:GetObject')}` },
      { 'templates/data.yaml': `${BASE}${role('s3:GetObject, s3:PutObject')}` },
    );
    const r = await cli(
      ['plan', '--base-ref', 'main', '--format', 'json', '--markdown', 'comment.md'],
      dir,
    );
    const [stack] = JSON.parse(r.stdout).plan;
    expect(stack.iamStatements).toEqual([
      {
        change: 'removed',
        logicalId: 'Role',
        policyName: 'lake',
        effect: 'Allow',
        principals: [],
        actions: ['s3:GetObject'],
        resources: ['arn:aws:s3:::lake/*'],
        condition: '',
      },
      expect.objectContaining({ change: 'added', actions: ['s3:GetObject', 's3:PutObject'] }),
    ]);
    const comment = await fs.readFile(path.join(dir, 'comment.md'), 'utf8');
    expect(comment).toContain('> Permissions broaden in <code>templates/data.yaml</code>');
    const table = comment.indexOf('**IAM statement changes**');
    expect(table).toBeGreaterThan(0);
    expect(table).toBeLessThan(comment.indexOf('| Action | Logical ID |'));
    expect(comment).toContain(
      '| 🟢 + | <code>Role</code> (<code>lake</code>) | Allow |  | <code>s3:GetObject</code><br><code>s3:PutObject</code> | <code>arn:aws:s3:::lake/\\*</code> |  |',
    );
    expect(comment).not.toContain('**IAM changes**');
  });

  it('names a base ref that is not in the clone', async () => {
    const dir = await repository({ 'templates/data.yaml': BASE }, {});
    const r = await cli(['plan', '--base-ref', 'no-such-branch'], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /base-ref no-such-branch, but it is not a commit in the clone.*fetch-depth: 0/s,
    );
  });
});
