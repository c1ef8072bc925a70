import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/model/logger.js';
import { readSettings } from '../../src/model/settings.js';
import { realEdges } from '../../src/pipeline/edges.js';
import { validate } from '../../src/pipeline/validate.js';
import { workspace } from '../helpers/paths.js';

const PARENT = `Resources:
  Writers:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: nested/writer.yaml
      Parameters:
        Target: '*'
  Elsewhere:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://s3.amazonaws.com/bucket/remote.yaml
`;

const CHILD = `Parameters:
  Target:
    Type: String
    Default: arn:aws:s3:::scoped-bucket/*
Resources:
  Writer:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Action: s3:PutObject
            Resource: !Ref Target
`;

describe('nested stacks', () => {
  it('follows a local TemplateURL and resolves the child with the values its parent passes', async () => {
    const ws = await workspace({
      'templates/parent.yaml': PARENT,
      'templates/nested/writer.yaml': CHILD,
    });
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_REGION: 'us-east-1' };
    const settings = readSettings(
      (name) =>
        ({ templates: 'templates/parent.yaml', 'policy-validation': 'offline' })[name as string],
      { env, workspace: ws },
    );
    const validation = await validate(settings, realEdges(settings, { log: silentLogger, env }));
    expect(validation.templates.map((t) => t.file)).toEqual([
      'templates/parent.yaml',
      'templates/nested/writer.yaml',
    ]);
    // With its Default the child would be scoped; the parent passes '*'.
    expect(validation.findings).toContainEqual(
      expect.objectContaining({
        ruleId: 'WRITE_ON_ALL_RESOURCES',
        file: 'templates/nested/writer.yaml',
        logicalId: 'Writer',
      }),
    );
  }, 120_000);
});
