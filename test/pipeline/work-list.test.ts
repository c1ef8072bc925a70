import { describe, expect, it } from 'vitest';
import { loadManifest, resolveStacks } from '../../src/discover/manifest.js';
import { silentLogger } from '../../src/model/logger.js';
import { readSettings } from '../../src/model/settings.js';
import { realEdges } from '../../src/pipeline/edges.js';
import { runPipeline } from '../../src/pipeline/pipeline.js';
import { STATEFUL_RULES } from '../../src/stateful/rules.js';
import { validate } from '../../src/pipeline/validate.js';
import { workspace } from '../helpers/paths.js';

const TEMPLATE = `Parameters:
  Target:
    Type: String
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

describe('the work list', () => {
  it('resolves the policies of a template once per stack that deploys it, with that stack’s values', async () => {
    const ws = await workspace({
      'templates/writer.yaml': TEMPLATE,
      'iac-stacks.yaml': [
        'stacks:',
        '  everything:',
        '    template: templates/writer.yaml',
        "    parameters: { Target: '*' }",
        '  scoped:',
        '    template: templates/writer.yaml',
        "    parameters: { Target: 'arn:aws:s3:::scoped-bucket/*' }",
        '  also-scoped:',
        '    template: templates/writer.yaml',
        "    parameters: { Target: 'arn:aws:s3:::scoped-bucket/*' }",
        '',
      ].join('\n'),
    });
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_REGION: 'us-east-1' };
    const settings = readSettings(
      (name) => ({ templates: 'templates/', 'policy-validation': 'offline' })[name as string],
      { env, workspace: ws },
    );
    const stacks = await resolveStacks(await loadManifest(ws, 'iac-stacks.yaml'), {
      workspace: ws,
      selection: [],
    });
    const validation = await validate(settings, realEdges(settings, { log: silentLogger, env }), {
      stacks,
      environment: undefined,
    });
    expect(validation.targets).toEqual([
      expect.objectContaining({
        file: 'templates/writer.yaml',
        stacks: [
          expect.objectContaining({ id: 'everything' }),
          expect.objectContaining({ id: 'scoped' }),
          expect.objectContaining({ id: 'also-scoped' }),
        ],
      }),
    ]);
    // Two resolutions differ, so each policy entry and finding names its stacks.
    expect(validation.policies.map((p) => p.stack)).toEqual(['everything', 'scoped, also-scoped']);
    const writes = validation.findings.filter((f) => f.ruleId === 'WRITE_ON_ALL_RESOURCES');
    expect(writes).toEqual([
      expect.objectContaining({
        stack: 'everything',
        message: expect.stringMatching(/\[stack everything\]$/),
      }),
    ]);
  });

  it('in mode validate, resolves with the values the manifest and environment give each stack', async () => {
    const ws = await workspace({
      'templates/writer.yaml': TEMPLATE,
      'iac-stacks.yaml': 'stacks:\n  writer:\n    template: templates/writer.yaml\n',
      'environments/prod.yaml': "name: prod\nstacks:\n  writer:\n    parameters: { Target: '*' }\n",
      'environments/dev.yaml':
        "name: dev\nstacks:\n  writer:\n    parameters: { Target: 'arn:aws:s3:::dev-bucket/*' }\n",
    });
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_REGION: 'us-east-1' };
    const writes = async (environment: string) => {
      const settings = readSettings(
        (name) =>
          ({
            mode: 'validate',
            templates: 'templates/',
            environment,
            'policy-validation': 'offline',
          })[name as string],
        { env, workspace: ws },
      );
      const { report } = await runPipeline(
        settings,
        realEdges(settings, { log: silentLogger, env }),
      );
      return report.findings.filter((f) => f.ruleId === 'WRITE_ON_ALL_RESOURCES');
    };
    expect(await writes('prod')).toEqual([
      expect.objectContaining({ logicalId: 'Writer', line: 13 }),
    ]);
    expect(await writes('dev')).toEqual([]);
  });

  it('builds the report once, describing each rule its findings belong to', async () => {
    const ws = await workspace({
      'templates/bucket.yaml':
        'Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      Bogus: 1\n',
    });
    const env = { PATH: process.env.PATH, HOME: process.env.HOME };
    const settings = readSettings(
      (name) => ({ templates: 'templates/', 'policy-validation': 'offline' })[name as string],
      { env, workspace: ws },
    );
    const { report } = await runPipeline(settings, realEdges(settings, { log: silentLogger, env }));
    expect(report.findings.map((f) => f.ruleId).sort()).toEqual(['E3002', 'S1001']);
    // cfn-lint's own words for its rule, the registry's for ours; never on each finding.
    expect(report.rules?.E3002?.title).toMatch(/\w+ \w+/);
    expect(report.rules?.E3002?.title).not.toContain('E3002');
    expect(report.rules?.S1001).toMatchObject({ title: STATEFUL_RULES.unprotected.title });
    expect(report.findings.some((f) => 'rule' in f)).toBe(false);
  });
});
