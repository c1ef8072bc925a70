import { describe, expect, it } from 'vitest';
import { loadManifest, resolveStacks } from '../../src/discover/manifest.js';
import { silentLogger } from '../../src/model/logger.js';
import { readSettings, type InputName } from '../../src/model/settings.js';
import { realEdges } from '../../src/pipeline/edges.js';
import { validate } from '../../src/pipeline/validate.js';
import { workspace } from '../helpers/paths.js';

// Raw cfn-guard fails CT.S3.PR.1 on every bucket here: the settings are !Ref and !If.
const BUCKETS = `Parameters:
  Block:
    Type: String
    Default: 'true'
  Env:
    Type: String
    Default: dev
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties:
      PublicAccessBlockConfiguration:
        BlockPublicAcls: !Ref Block
        BlockPublicPolicy: !Ref Block
        IgnorePublicAcls: !If [IsProd, true, !Ref Block]
        RestrictPublicBuckets: true
  ProdOnlyOpen:
    Type: AWS::S3::Bucket
    Condition: IsProd
  Website:
    Type: AWS::S3::Bucket
    Metadata:
      guard:
        SuppressedRules: [s3_bucket_level_public_access_prohibited_check]
  Reviewed:
    Type: AWS::S3::Bucket
    Metadata:
      iac-action:
        SuppressedRules:
          - Rule: CT.S3.PR.1
            Reason: public assets, reviewed by security
`;

const RULE = `# Buckets must keep object versions.
rule bucket_versioned {
  Resources.*[ Type == 'AWS::S3::Bucket' ] {
    Properties.VersioningConfiguration.Status == 'Enabled'
      << Buckets keep versions >>
  }
}
`;

const RULE_TESTS = `- name: an unversioned bucket passes (wrong on purpose)
  input:
    Resources:
      B: {Type: AWS::S3::Bucket, Properties: {}}
  expectations:
    rules:
      bucket_versioned: PASS
`;

const MANIFEST = `stacks:
  dev:
    template: templates/buckets.yaml
  open:
    template: templates/buckets.yaml
    parameters: { Block: 'false' }
`;

async function run(inputs: Partial<Record<InputName, string>>, files: Record<string, string>) {
  const ws = await workspace({ 'templates/buckets.yaml': BUCKETS, ...files });
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_REGION: 'us-east-1' };
  const settings = readSettings(
    (name) => ({ templates: 'templates/', 'policy-validation': 'off', ...inputs })[name as string],
    { env, workspace: ws },
  );
  const stacks = files['iac-stacks.yaml']
    ? await resolveStacks(await loadManifest(ws, 'iac-stacks.yaml'), {
        workspace: ws,
        selection: [],
      })
    : undefined;
  const validation = await validate(settings, realEdges(settings, { log: silentLogger, env }), {
    environment: undefined,
    ...(stacks ? { stacks } : {}),
  });
  return { ...validation, guard: validation.findings.filter((f) => f.source === 'cfn-guard') };
}

describe('cfn-guard on resolved templates', () => {
  it('finds a control failure only in the stack whose values fail it, at the property line', async () => {
    const { guard, suppressions } = await run(
      { 'guard-packs': 'control-tower', 'guard-controls': 'CT.S3.PR.1' },
      { 'iac-stacks.yaml': MANIFEST },
    );
    const controls = guard.filter((f) => f.ruleId === 'CT.S3.PR.1');
    expect(controls).toEqual([
      expect.objectContaining({
        file: 'templates/buckets.yaml',
        logicalId: 'Data',
        stack: 'open',
        line: 15,
        severity: 'error',
        securitySeverity: '7.5',
        helpUrl: expect.stringMatching(/^https:\/\/docs\.aws\.amazon\.com\//),
        message: expect.stringContaining('Fix: The parameters'),
      }),
    ]);
    // Both suppressions hid a failure in each stack; the one without a reason is a warning.
    expect(suppressions).toEqual([
      expect.objectContaining({
        logicalId: 'Website',
        rule: 's3_bucket_level_public_access_prohibited_check',
        suppressed: 1,
      }),
      expect.objectContaining({
        logicalId: 'Reviewed',
        rule: 'CT.S3.PR.1',
        reason: 'public assets, reviewed by security',
        suppressed: 1,
      }),
    ]);
    expect(guard.filter((f) => f.ruleId === 'G1003')).toEqual([
      expect.objectContaining({ logicalId: 'Website', severity: 'warning', line: 26 }),
    ]);
  }, 120_000);

  it('evaluates repository rules under their own names and reports a failing rule test', async () => {
    const { guard } = await run(
      { 'guard-rules': 'rules' },
      { 'rules/buckets.guard': RULE, 'rules/tests/buckets_tests.yaml': RULE_TESTS },
    );
    expect(
      guard.filter((f) => f.ruleId === 'bucket_versioned').map((f) => [f.logicalId, f.line]),
    ).toEqual([
      ['Data', 11],
      ['Website', 22],
      ['Reviewed', 27],
    ]);
    expect(guard.filter((f) => f.ruleId === 'G1002')).toEqual([
      expect.objectContaining({
        file: 'rules/buckets.guard',
        line: 2,
        severity: 'error',
        message: expect.stringContaining(
          'bucket_versioned was expected to PASS but evaluated to FAIL',
        ),
      }),
    ]);
  }, 120_000);

  it('says which rule file cfn-guard could not read, and refuses unknown controls', async () => {
    const { guard } = await run(
      { 'guard-rules': 'rules/broken.guard' },
      { 'rules/broken.guard': 'rule broken {\n  Resources.* ==\n' },
    );
    expect(guard.filter((f) => f.ruleId !== 'G1003')).toEqual([
      expect.objectContaining({ ruleId: 'G1001', file: 'rules/broken.guard', severity: 'error' }),
    ]);
    await expect(
      run({ 'guard-packs': 'control-tower', 'guard-controls': 'CT.NOPE.PR.1' }, {}),
    ).rejects.toThrow(/guard-controls.*CT\.NOPE\.PR\.1/);
  }, 120_000);

  it('sees strings where CloudFormation keeps strings: an account id from a parameter is no number', async () => {
    const { guard } = await run(
      { 'guard-packs': 'control-tower', 'guard-controls': 'CT.LAMBDA.PR.2' },
      { 'templates/permissions.yaml': PERMISSIONS },
    );
    expect(
      guard.filter((f) => f.ruleId === 'CT.LAMBDA.PR.2').map((f) => [f.logicalId, f.line]),
    ).toEqual([['Open', 20]]);
  }, 120_000);
});

// Raw cfn-guard fails all three: SourceAccount is a Ref, not a string.
const permission = (source: string) => `
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: f
      Principal: s3.amazonaws.com
      ${source}`;
const PERMISSIONS = `Parameters:
  Account:
    Type: String
    Default: '123456789012'
Resources:
  FromPseudo:${permission('SourceAccount: !Ref AWS::AccountId')}
  FromParameter:${permission('SourceAccount: !Ref Account')}
  Open:${permission('SourceArn: !Ref AWS::NoValue')}
`;
