import { describe, expect, it } from 'vitest';
import { at } from '../../src/model/template.js';
import { TemplateResolver, type ResolveOptions } from '../../src/policies/resolve.js';
import { template } from './helpers.js';

const scope: ResolveOptions = {
  region: 'eu-west-1',
  accountId: '111122223333',
  partition: 'aws',
  parameters: {},
};

const HEAD = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Stage: { Type: String, Default: dev }
  Owner: { Type: String }
  Subnets: { Type: CommaDelimitedList, Default: 'a,b,c' }
  Secret: { Type: String, NoEcho: true, Default: hidden }
  Ssm: { Type: 'AWS::SSM::Parameter::Value<String>', Default: /app/name }
Mappings:
  Accounts:
    dev: { Id: '999988887777' }
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsDev, !Equals [a, a]]
  Either: !Or [!Condition IsProd, !Equals [!Ref Owner, x]]
  Loop1: !Condition Loop2
  Loop2: !Condition Loop1
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties: { BucketName: !Sub 'lake-\${Stage}' }
  Queue: { Type: AWS::SQS::Queue }
  Topic: { Type: AWS::SNS::Topic, Properties: { TopicName: alerts } }
  Role: { Type: AWS::IAM::Role, Properties: { RoleName: !Sub '\${Stage}-runner' } }
  Key: { Type: AWS::KMS::Key }
  Odd: { Type: AWS::Foo::Bar }
  SelfA: { Type: AWS::S3::Bucket, Properties: { BucketName: !Ref SelfB } }
  SelfB: { Type: AWS::S3::Bucket, Properties: { BucketName: !Ref SelfA } }
  Subject:
    Type: AWS::Custom::Thing
    Properties:
      Value:
`;

/** Resolve the YAML value given (indented under `Value:`) in the context of HEAD's template. */
function resolve(value: string, options: Partial<ResolveOptions> = {}) {
  const parsed = template(HEAD + value.replace(/^/gm, '        '));
  const resolver = new TemplateResolver(parsed.root, { ...scope, ...options });
  return resolver.document(at(parsed.root, 'Resources', 'Subject', 'Properties', 'Value')!);
}

const value = (yaml: string, options?: Partial<ResolveOptions>) => resolve(yaml, options).document;

describe('TemplateResolver', () => {
  it('resolves parameters from their Default, overridden by the environment', () => {
    expect(value('!Ref Stage')).toBe('dev');
    expect(value('!Ref Stage', { parameters: { Stage: 'prod' } })).toBe('prod');
    expect(value('!Ref Subnets')).toEqual(['a', 'b', 'c']);
    expect(value('!Ref Secret')).toBe('hidden');
  });

  it('resolves pseudo parameters from the inputs', () => {
    expect(
      value('[!Ref AWS::Region, !Ref AWS::AccountId, !Ref AWS::Partition, !Ref AWS::URLSuffix]'),
    ).toEqual(['eu-west-1', '111122223333', 'aws', 'amazonaws.com']);
    expect(value('!Ref AWS::URLSuffix', { partition: 'aws-cn' })).toBe('amazonaws.com.cn');
  });

  it('synthesises names and ARNs of resources by type', () => {
    expect(value('!Ref Bucket')).toBe('lake-dev');
    expect(value('!GetAtt Bucket.Arn')).toBe('arn:aws:s3:::lake-dev');
    expect(value('!GetAtt [Topic, TopicName]')).toBe('alerts');
    expect(value('!Ref Topic')).toBe('arn:aws:sns:eu-west-1:111122223333:alerts');
    expect(value('!Ref Queue')).toBe('https://sqs.eu-west-1.amazonaws.com/111122223333/Queue');
    expect(value('!GetAtt Queue.Arn')).toBe('arn:aws:sqs:eu-west-1:111122223333:Queue');
    expect(value('!GetAtt Role.Arn')).toBe('arn:aws:iam::111122223333:role/dev-runner');
    // The key id is AWS's: a placeholder, not one made up from the logical id.
    expect(value('!GetAtt Key.Arn')).toBe(
      'arn:aws:kms:eu-west-1:111122223333:key/{{unresolved:KeyId}}',
    );
    // No schema describes the type: its ARN is unknown, not guessed from the type's name.
    expect(value('!GetAtt Odd.Arn')).toBe('{{unresolved:Fn::GetAtt Odd.Arn}}');
  });

  it('evaluates Fn::Sub in both forms, with ${!Literal} and policy variables kept', () => {
    expect(value("!Sub 'arn:${AWS::Partition}:s3:::${Bucket}/${!Literal}/${aws:username}'")).toBe(
      'arn:aws:s3:::lake-dev/${Literal}/${aws:username}',
    );
    expect(value("!Sub ['${Name}-${Bucket.Arn}', { Name: !Ref Stage }]")).toBe(
      'dev-arn:aws:s3:::lake-dev',
    );
  });

  it('evaluates Join, Select, Split, FindInMap, GetAZs, Base64 and ToJsonString', () => {
    expect(value("!Join ['/', [a, !Ref Stage, c]]")).toBe('a/dev/c');
    expect(value('!Select [1, !Ref Subnets]')).toBe('b');
    expect(value("!Select [2, !Split [',', 'x,y,z']]")).toBe('z');
    expect(value('!FindInMap [Accounts, !Ref Stage, Id]')).toBe('999988887777');
    expect(value('!FindInMap [Accounts, test, Id, { DefaultValue: none }]')).toBe('none');
    expect(value('!Select [0, !GetAZs ""]')).toBe('eu-west-1a');
    expect(value('!Base64 abc')).toBe('YWJj');
    expect(value('!ToJsonString { a: !Ref Stage }')).toBe('{"a":"dev"}');
  });

  it('evaluates Fn::If over the Conditions section and drops AWS::NoValue', () => {
    expect(value('!If [IsProd, big, small]')).toBe('small');
    expect(value('!If [IsProd, big, small]', { parameters: { Stage: 'prod' } })).toBe('big');
    expect(value('!If [Both, yes, no]')).toBe('yes');
    expect(value('[a, !If [IsProd, b, !Ref AWS::NoValue], c]')).toEqual(['a', 'c']);
    expect(value('{ A: 1, B: !If [IsDev, !Ref AWS::NoValue, 2] }')).toEqual({ A: 1 });
  });

  it('marks what it cannot know as placeholders with notes, and never throws', () => {
    const imported = resolve('!ImportValue shared-bucket-arn');
    expect(imported.document).toBe('{{unresolved:Fn::ImportValue shared-bucket-arn}}');
    expect(imported.notes[0]).toMatch(/another stack's output/);
    expect(imported.placeholders.has('[]')).toBe(true);
    expect(value('!Ref Owner')).toBe('{{unresolved:Ref Owner}}');
    expect(value('!Ref Ssm')).toBe('{{unresolved:Ref Ssm}}');
    expect(value("'{{resolve:ssm:/app/arn}}'")).toBe('{{unresolved:resolve:ssm:/app/arn}}');
    expect(value('!Ref Nowhere')).toBe('{{unresolved:Ref Nowhere}}');
    expect(value('!GetAtt Queue.Unknowable')).toBe('{{unresolved:Fn::GetAtt Queue.Unknowable}}');
    expect(value('!Cidr [10.0.0.0/16, 2, 8]')).toBe('{{unresolved:Fn::Cidr}}');
    expect(value('!Select [9, [a]]')).toMatch(/unresolved/);
    // A condition that depends on an unknown value: the true branch is checked, with a note.
    const unknown = resolve('!If [Either, yes, no]');
    expect(unknown.document).toBe('yes');
    expect(unknown.notes.join()).toMatch(/could not be evaluated/);
  });

  it('detects reference cycles in conditions and resource names', () => {
    const conditions = resolve('!If [Loop1, a, b]');
    expect(conditions.notes.join()).toMatch(
      /reference cycle: condition Loop1 -> condition Loop2 -> condition Loop1/,
    );
    const names = resolve('!Ref SelfA');
    expect(names.notes.join()).toMatch(
      /reference cycle: resource SelfA -> resource SelfB -> resource SelfA/,
    );
  });

  it('records the template position of every value, following intrinsics into the branch used', () => {
    const parsed = template(
      HEAD +
        "        Statement:\n          - Action: !If [IsProd, 's3:*', 's3:GetObject']\n            Resource: !Sub '${Bucket.Arn}/*'\n",
    );
    const resolver = new TemplateResolver(parsed.root, scope);
    const resolved = resolver.document(
      at(parsed.root, 'Resources', 'Subject', 'Properties', 'Value')!,
    );
    const line = (path: (string | number)[]) => resolved.positions.get(JSON.stringify(path));
    const base = HEAD.split('\n').length;
    expect(line(['Statement', 0, 'Action'])).toEqual({ line: base + 1, column: 42 });
    expect(line(['Statement', 0, 'Resource'])?.line).toBe(base + 2);
    expect(resolved.keyPositions.get(JSON.stringify(['Statement', 0, 'Resource']))).toEqual({
      line: base + 2,
      column: 13,
    });
  });

  it('reads a statement whose only key is Condition as a statement, not the Condition function', () => {
    expect(value("Condition: { Bool: { 'aws:SecureTransport': 'false' } }")).toEqual({
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    expect(value('!Condition IsDev')).toBe(true);
  });

  it('recognises dynamic references assembled with Fn::Join and Fn::Sub', () => {
    for (const yaml of [
      "!Join ['', ['{{resolve:ssm:/', !Ref Stage, '/account}}']]",
      "!Sub '{{resolve:secretsmanager:${Stage}-key}}'",
    ]) {
      const resolved = resolve(yaml);
      expect(String(resolved.document), yaml).toMatch(/^\{\{unresolved:resolve:/);
      expect(resolved.notes.join(), yaml).toMatch(/dynamic reference .* at deploy time/);
    }
  });
});
