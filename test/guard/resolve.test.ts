import { describe, expect, it } from 'vitest';
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

  it('uses the values a stack deploys with, converting "true" and numbers as CloudFormation does', () => {
    const root = resolved({ Env: 'prod', Lock: 'yes' });
    const properties = toPlain(at(root, 'Resources', 'Bucket', 'Properties')!) as Record<
      string,
      unknown
    >;
    expect(properties).toMatchObject({ Blocked: true, Gone: 'kept', Maybe: 'a', Size: 'large' });
    expect(properties.LockValue).toBe('yes');
    expect(at(root, 'Resources', 'ProdOnly')).toBeDefined();
    const numeric = resolved({ Lock: '7', Env: 'prod' });
    expect(toPlain(at(numeric, 'Resources', 'Bucket', 'Properties', 'LockValue')!)).toBe(7);
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
