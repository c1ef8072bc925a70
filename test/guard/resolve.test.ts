import { describe, expect, it } from 'vitest';
import { loadPropertyTypes } from '../../src/guard/property-types.js';
import { resolveTemplate } from '../../src/guard/resolve.js';
import { at, toPlain, type MapNode } from '../../src/model/template.js';
import { parseTemplate } from '../../src/parse/template.js';

const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Env:
    Type: String
    Default: dev
  Lock:
    Type: String
  Subnets:
    Type: CommaDelimitedList
    Default: a,b
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
  Unknown: !Equals [!Ref Lock, 'yes']
Mappings:
  Sizes:
    dev: {Class: small}
    prod: {Class: large}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub 'data-\${Env}-\${AWS::Region}'
      Joined: !Join ['-', [!Ref Env, x]]
      Blocked: !If [IsProd, true, false]
      Flag: !Ref Flagged
      Gone: !If [NotProd, !Ref AWS::NoValue, kept]
      Maybe: !If [Unknown, a, b]
      Size: !FindInMap [Sizes, !Ref Env, Class]
      First: !Select [1, !Ref Subnets]
      Arn: !GetAtt Other.Arn
      LockValue: !Ref Lock
  ProdOnly:
    Type: AWS::S3::Bucket
    Condition: IsProd
  Other:
    Type: AWS::S3::Bucket
`;

// RDS types AllocatedStorage as a string; a Tag's Value, SourceAccount and a custom resource's
// properties are strings too.
const TYPED = `Parameters:
  Days: { Type: String }
  Multi: { Type: String }
  Name: { Type: String }
Resources:
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      BackupRetentionPeriod: !Ref Days
      MultiAZ: !Ref Multi
      DeletionProtection: 'true'
      DBInstanceIdentifier: !Ref Name
      AllocatedStorage: '100'
      Tags: [{ Key: Backup, Value: 'true' }]
      VPCSecurityGroups: [!Ref Group]
  Invoke:
    Type: AWS::Lambda::Permission
    Properties:
      SourceAccount: !Ref AWS::AccountId
  Custom:
    Type: Custom::Thing
    Properties:
      Enabled: 'true'
`;

function resolved(parameters: Record<string, string>): MapNode {
  const parsed = parseTemplate(TEMPLATE, 't.yaml');
  if (!parsed.ok) throw new Error('fixture does not parse');
  return resolveTemplate(parsed.template.root, {
    parameters,
    region: 'eu-west-1',
    partition: 'aws',
  }).template;
}

describe('resolveTemplate', () => {
  it('substitutes Defaults, evaluates Conditions and drops resources whose Condition is false', () => {
    const root = resolved({});
    expect(toPlain(at(root, 'Resources', 'Bucket', 'Properties')!)).toEqual({
      BucketName: 'data-dev-eu-west-1',
      Joined: 'dev-x',
      Blocked: false,
      Flag: { Ref: 'Flagged' },
      Maybe: { 'Fn::If': ['Unknown', 'a', 'b'] },
      Size: 'small',
      First: 'b',
      Arn: { 'Fn::GetAtt': ['Other', 'Arn'] },
      LockValue: { Ref: 'Lock' },
    });
    expect(at(root, 'Resources', 'ProdOnly')).toBeUndefined();
    expect(at(root, 'Resources', 'Other')).toBeDefined();
  });

  it('uses the values a stack deploys with', () => {
    const root = resolved({ Env: 'prod', Lock: 'yes' });
    const properties = toPlain(at(root, 'Resources', 'Bucket', 'Properties')!) as Record<
      string,
      unknown
    >;
    expect(properties).toMatchObject({ Blocked: true, Gone: 'kept', Maybe: 'a', Size: 'large' });
    expect(properties.LockValue).toBe('yes');
    expect(at(root, 'Resources', 'ProdOnly')).toBeDefined();
  });

  it('converts strings to booleans and numbers where the resource schema says so, only there', async () => {
    const parsed = parseTemplate(TYPED, 'typed.yaml');
    if (!parsed.ok) throw new Error('fixture does not parse');
    const { template: root } = resolveTemplate(parsed.template.root, {
      parameters: { Days: '7', Multi: 'true', Name: '123456789012' },
      region: 'eu-west-1',
      partition: 'aws',
      accountId: '111111111111',
      propertyTypes: await loadPropertyTypes(),
    });
    expect(toPlain(at(root, 'Resources', 'Database', 'Properties')!)).toEqual({
      BackupRetentionPeriod: 7,
      MultiAZ: true,
      DeletionProtection: true,
      DBInstanceIdentifier: '123456789012',
      AllocatedStorage: '100',
      Tags: [{ Key: 'Backup', Value: 'true' }],
      VPCSecurityGroups: [{ Ref: 'Group' }],
    });
    expect(toPlain(at(root, 'Resources', 'Invoke', 'Properties')!)).toMatchObject({
      SourceAccount: '111111111111',
    });
    expect(toPlain(at(root, 'Resources', 'Custom', 'Properties')!)).toEqual({ Enabled: 'true' });
  });

  it("splits known strings and takes a mapping's DefaultValue for a missing key", () => {
    const parsed = parseTemplate(
      [
        'Parameters:',
        '  Zones: { Type: String, Default: "a,b,c" }',
        'Mappings:',
        '  Sizes: { dev: { Class: small } }',
        'Resources:',
        '  R:',
        '    Type: X::Y::Z',
        '    Properties:',
        '      Second: !Select [1, !Split [",", !Ref Zones]]',
        '      All: !Split [",", !Ref Zones]',
        '      Missing: !FindInMap [Sizes, prod, Class, { DefaultValue: !Ref Zones }]',
        '      Unknown: !Split [",", !Ref Nothing]',
        '',
      ].join('\n'),
      's.yaml',
    );
    if (!parsed.ok) throw new Error('fixture does not parse');
    const { template: root } = resolveTemplate(parsed.template.root, {
      parameters: {},
      region: 'r',
      partition: 'aws',
    });
    expect(toPlain(at(root, 'Resources', 'R', 'Properties')!)).toEqual({
      Second: 'b',
      All: ['a', 'b', 'c'],
      Missing: 'a,b,c',
      Unknown: { 'Fn::Split': [',', { Ref: 'Nothing' }] },
    });
  });

  it('keeps the line of the property that used a value', () => {
    const root = resolved({ Env: 'prod' });
    expect(at(root, 'Resources', 'Bucket', 'Properties', 'Size')!.start.line).toBe(29);
    expect(at(root, 'Resources', 'Bucket', 'Properties', 'Blocked')!.start.line).toBe(25);
  });

  it('leaves a condition that refers to itself unresolved instead of looping', () => {
    const parsed = parseTemplate(
      'Conditions:\n  A: !Condition A\nResources:\n  R:\n    Type: X\n    Condition: A\n',
      'c.yaml',
    );
    if (!parsed.ok) throw new Error('fixture does not parse');
    const { template: root } = resolveTemplate(parsed.template.root, {
      parameters: {},
      region: 'r',
      partition: 'aws',
    });
    expect(at(root, 'Resources', 'R')).toBeDefined();
  });

  it('stops building values that amplify, names the resource and keeps them as written', () => {
    const subs = '${Big}'.repeat(2000);
    const parsed = parseTemplate(
      `Parameters:\n  Big: { Type: String, Default: ${'x'.repeat(50_000)} }\nResources:\n` +
        `  Small: { Type: AWS::SNS::Topic, Properties: { TopicName: !Sub 'a-\${Big}' } }\n` +
        `  Amplified: { Type: AWS::SNS::Topic, Properties: { TopicName: !Sub '${subs}', Names: !Join [',', [${Array(2000).fill('!Ref Big').join(', ')}]] } }\n`,
      'big.yaml',
    );
    if (!parsed.ok) throw new Error('fixture does not parse');
    const { template, tooLargeAt } = resolveTemplate(parsed.template.root, {
      parameters: {},
      region: 'r',
      partition: 'aws',
    });
    expect(tooLargeAt).toBe('Amplified');
    expect(toPlain(at(template, 'Resources', 'Small', 'Properties', 'TopicName')!)).toBe(
      `a-${'x'.repeat(50_000)}`,
    );
    expect(toPlain(at(template, 'Resources', 'Amplified', 'Properties', 'TopicName')!)).toEqual({
      'Fn::Sub': subs,
    });
  });
});
