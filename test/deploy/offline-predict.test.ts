import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { predictChanges } from '../../src/deploy/offline.js';
import { parseTemplate, type ParsedTemplate } from '../../src/parse/template.js';
import { readAtCommit, resolveBase } from '../../src/pipeline/base.js';

function parse(text: string): ParsedTemplate {
  const parsed = parseTemplate(text, 't.yaml');
  if (!parsed.ok) throw new Error(parsed.finding.message);
  return parsed.template;
}

const predict = (base: string, head: string) => predictChanges(parse(base), parse(head)).changes;

describe('predicting a change set from two versions of a template', () => {
  it('marks conditionally create-only properties as a possible replacement', () => {
    const base =
      'Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties: { Engine: postgres }\n';
    expect(predict(base, base.replace('postgres', 'mysql'))).toMatchObject([
      {
        logicalId: 'Db',
        action: 'may-replace',
        replacementCauses: ['Engine (conditionally)'],
        properties: [
          { path: 'Engine', before: 'postgres', after: 'mysql', replacement: 'conditionally' },
        ],
      },
    ]);
  });

  it('sees no change when only the order of keys differs, and a change of a !Ref target', () => {
    const base =
      'Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref Name\n      Tags: [{Key: a, Value: b}]\n';
    const reordered =
      'Resources:\n  B:\n    Properties:\n      Tags: [{Value: b, Key: a}]\n      BucketName: !Ref Name\n    Type: AWS::S3::Bucket\n';
    expect(predict(base, reordered)).toEqual([]);
    expect(predict(base, base.replace('!Ref Name', '!Ref Other'))).toMatchObject([
      {
        action: 'replace',
        replacementCauses: ['BucketName'],
        properties: [{ path: 'BucketName', before: '{"Ref":"Name"}', after: '{"Ref":"Other"}' }],
      },
    ]);
  });

  it('replaces on a type change, orphans a removal with DeletionPolicy Retain, adds a new template', () => {
    const base =
      'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  Keep:\n    Type: AWS::S3::Bucket\n    DeletionPolicy: Retain\n';
    const head = 'Resources:\n  Q:\n    Type: AWS::SNS::Topic\n';
    expect(predict(base, head)).toMatchObject([
      { logicalId: 'Keep', action: 'remove', retained: true, stateful: true },
      { logicalId: 'Q', action: 'replace', replacementCauses: ['Type'] },
    ]);
    expect(predictChanges(undefined, parse(head)).changes).toMatchObject([
      { logicalId: 'Q', action: 'add' },
    ]);
  });

  it('matches schema paths with list wildcards, and pairs a rename only with an identical twin', () => {
    const base =
      'Resources:\n  A:\n    Type: AWS::MSK::Replicator\n    Properties:\n      ReplicationInfoList: [{SourceKafkaClusterArn: x, TopicReplication: {}}]\n';
    expect(
      predict(base, base.replace('arn: x', 'arn: y').replace('Arn: x', 'Arn: y')),
    ).toMatchObject([
      { action: 'replace', replacementCauses: ['ReplicationInfoList/0/SourceKafkaClusterArn'] },
    ]);
    const two =
      'Resources:\n  Old:\n    Type: AWS::S3::Bucket\n    Properties: { BucketName: a }\n';
    const renamedAndEdited = two.replace('Old:', 'New:').replace('a }', 'b }');
    expect(
      predict(two, renamedAndEdited).map((c) => [c.logicalId, c.renamedTo, c.renamedFrom]),
    ).toEqual([
      ['Old', undefined, undefined],
      ['New', undefined, undefined],
    ]);
  });
});

describe('the base commit', () => {
  it("defaults to the pull request's base sha from the event and reads files as of that commit", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'iac-base-'));
    const git = (...args: string[]) => promisify(execFile)('git', args, { cwd: dir });
    await git('init', '-q', '-b', 'main');
    await fs.mkdir(path.join(dir, 'infra'));
    await fs.writeFile(path.join(dir, 'infra/a.yaml'), 'base\n');
    await git('add', '.');
    await git('-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qm', 'base');
    const sha = (await git('rev-parse', 'HEAD')).stdout.trim();
    const event = path.join(dir, 'event.json');
    await fs.writeFile(event, JSON.stringify({ pull_request: { base: { sha } } }));
    // the workspace may be a folder inside the repository
    const base = await resolveBase(path.join(dir, 'infra'), '', { GITHUB_EVENT_PATH: event });
    expect(base).toEqual({ sha, name: `the pull request's base ${sha.slice(0, 7)}` });
    expect(await readAtCommit(path.join(dir, 'infra'), sha, 'a.yaml')).toBe('base\n');
    expect(await readAtCommit(path.join(dir, 'infra'), sha, 'missing.yaml')).toBeUndefined();
    expect(await resolveBase(dir, '', {})).toBeUndefined();
  });
});
