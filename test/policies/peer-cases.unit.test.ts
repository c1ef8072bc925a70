import { describe, expect, it } from 'vitest';
import { at } from '../../src/model/template.js';
import { attachedPolicies, extractPolicies } from '../../src/policies/extract.js';
import {
  isPlaceholder,
  TemplateResolver,
  type ResolveOptions,
} from '../../src/policies/resolve.js';
import { template } from './helpers.js';

/**
 * Extraction cases restated from the parser tests of the AWS policy validator
 * (awslabs/aws-cloudformation-iam-policy-validator, cfn_policy_validator/tests/parsers_tests):
 * the same template fragment, and what CloudFormation would put in the policy. `peer` names the
 * test a case comes from. Where the peer raises an error we expect a marked placeholder with a
 * note: we never stop a run on one value, and never invent one. `against` says why we side
 * against the peer's answer; `invalid` marks templates CloudFormation (and cfn-lint) rejects,
 * where we resolve what we can instead of failing.
 */
const scope: ResolveOptions = {
  region: 'us-east-1',
  accountId: '123456789123',
  partition: 'aws',
  parameters: {},
  stackName: 'StackName',
};
const R = scope.region;
const A = scope.accountId;

/** A placeholder is expected: the value cannot be known before deployment. */
const UNKNOWN = Symbol('placeholder');

interface Case {
  peer: string;
  /** The template; `Subject.Properties.Value` is the value resolved. */
  yaml: string;
  expected: unknown;
  parameters?: Record<string, string>;
  against?: string;
  invalid?: string;
}

/** A template whose resource Subject holds `value`, with `resources` and other sections beside it. */
function subject(value: string, resources = '', head = ''): string {
  return `${head}Resources:\n  Subject:\n    Type: AWS::Random::Service\n    Properties:\n      Value: ${value}\n${resources
    .split('\n')
    .filter(Boolean)
    .map((line) => `  ${line}`)
    .join('\n')}\n`;
}

const params = (...names: string[]) =>
  `Parameters:\n${names.map((name) => `  ${name}: { Type: String }`).join('\n')}\n`;

const NOT_AN_ATTRIBUTE =
  'Fn::GetAtt returns the attributes of the resource schema (readOnlyProperties), not its input properties: CloudFormation rejects the template';

const REF_CASES: Case[] = [
  { peer: 'ref::AccountId', yaml: subject('!Ref AWS::AccountId'), expected: A },
  { peer: 'ref::Partition', yaml: subject('!Ref AWS::Partition'), expected: 'aws' },
  { peer: 'ref::Region', yaml: subject('!Ref AWS::Region'), expected: R },
  { peer: 'ref::StackName', yaml: subject('!Ref AWS::StackName'), expected: 'StackName' },
  {
    peer: 'ref::RefToAnArn (SNS topic)',
    yaml: subject('!Ref SNSTopic', 'SNSTopic: { Type: AWS::SNS::Topic }'),
    expected: `arn:aws:sns:${R}:${A}:SNSTopic`,
  },
  {
    peer: 'ref::RefToAResource (IAM role)',
    yaml: subject('!Ref IAMRole', 'IAMRole: { Type: AWS::IAM::Role, Properties: {} }'),
    expected: 'IAMRole',
  },
  {
    peer: 'ref::RefToAParameter',
    yaml: subject('!Ref Param1', '', params('Param1')),
    parameters: { Param1: 'Param1Value' },
    expected: 'Param1Value',
  },
  {
    peer: 'ref::NestedRef (role named by a parameter)',
    yaml: subject(
      '!Ref ResourceA',
      'ResourceA: { Type: AWS::IAM::Role, Properties: { RoleName: !Ref Param1 } }',
      params('Param1'),
    ),
    parameters: { Param1: 'Param1Value' },
    expected: 'Param1Value',
  },
  {
    peer: 'ref::SqsRefEval (queue URL)',
    yaml: subject('[!Ref ResourceA]', 'ResourceA: { Type: AWS::SQS::Queue }'),
    expected: [`https://sqs.${R}.amazonaws.com/${A}/ResourceA`],
  },
  {
    peer: 'ref::SqsRefEvalWithInvalidQueueNameType',
    yaml: subject(
      '!Ref ResourceA',
      'ResourceA: { Type: AWS::SQS::Queue, Properties: { QueueName: [Invalid] } }',
    ),
    expected: UNKNOWN,
  },
  { peer: 'ref::InvalidRef', yaml: subject('!Ref InvalidRef'), expected: UNKNOWN },
  {
    peer: 'ref::ParameterThatIsNotPassedIn',
    yaml: subject('!Ref Param1', '', params('Param1')),
    expected: UNKNOWN,
  },
  { peer: 'ref::RefToAList', yaml: subject('{ Ref: [Not, Valid] }'), expected: UNKNOWN },
];

const GETATT_CASES: Case[] = [
  {
    peer: 'get_att::ResourceThatDoesNotExist',
    yaml: subject('!GetAtt ResourceB.Arn'),
    expected: UNKNOWN,
  },
  {
    peer: 'get_att::NestedGetAtt (Role.PropertyA)',
    yaml: subject(
      '!GetAtt ResourceA.PropertyA',
      'ResourceA: { Type: AWS::IAM::Role, Properties: { PropertyA: !Ref Param1 } }',
      params('Param1'),
    ),
    parameters: { Param1: 'Param1Value' },
    expected: UNKNOWN,
    against: NOT_AN_ATTRIBUTE,
  },
  {
    peer: 'get_att::GetAttForAnArn (Lambda function)',
    yaml: subject('!GetAtt ResourceB.Arn', 'ResourceB: { Type: AWS::Lambda::Function }'),
    expected: `arn:aws:lambda:${R}:${A}:function:ResourceB`,
  },
  {
    peer: 'get_att::GetAttForAResourceProperty (Lambda Name)',
    yaml: subject(
      '!GetAtt ResourceB.Name',
      'ResourceB: { Type: AWS::Lambda::Function, Properties: { Name: ExpectedResult } }',
    ),
    expected: UNKNOWN,
    against: NOT_AN_ATTRIBUTE,
  },
  {
    peer: 'get_att::CloudFrontOriginAccessIdentityS3CanonicalUserId',
    yaml: subject(
      '!GetAtt ResourceB.S3CanonicalUserId',
      'ResourceB: { Type: AWS::CloudFront::CloudFrontOriginAccessIdentity, Properties: { CloudFrontOriginAccessIdentityConfig: { Comment: c } } }',
    ),
    expected: UNKNOWN,
    against:
      "the peer answers with the caller account's own canonical user id (S3 ListBuckets); the identity's id exists only once CloudFront creates it",
  },
  {
    peer: 'get_att::InvalidResourceProperty',
    yaml: subject('!GetAtt ResourceB.Name', 'ResourceB: { Type: AWS::Lambda::Function }'),
    expected: UNKNOWN,
  },
  {
    peer: 'get_att::StringGetAttValue',
    yaml: subject('{ Fn::GetAtt: ResourceA }', 'ResourceA: { Type: AWS::IAM::Role }'),
    expected: UNKNOWN,
  },
  {
    peer: 'get_att::ArrayGetAttValueOfInvalidLength',
    yaml: subject('{ Fn::GetAtt: [Property, Value1, Value2] }'),
    expected: UNKNOWN,
  },
];

const SUB_CASES: Case[] = [
  {
    peer: 'sub::ResolvesToGetAtt (Lambda Name)',
    yaml: subject(
      "!Sub 'This is a line of text with value ${ResourceB.Name}'",
      'ResourceB: { Type: AWS::Lambda::Function, Properties: { Name: ExpectedValue } }',
    ),
    expected: 'This is a line of text with value {{unresolved:Fn::GetAtt ResourceB.Name}}',
    against: NOT_AN_ATTRIBUTE,
  },
  {
    peer: 'sub::ResolvesToRawDollarSignText',
    yaml: subject("!Sub 'This is a line of text with value ${!ResourceB.Name}'"),
    expected: 'This is a line of text with value ${ResourceB.Name}',
    against:
      'CloudFormation renders ${!Literal} as ${Literal} (Fn::Sub documentation); the peer keeps the exclamation mark',
  },
  {
    peer: 'sub::ResolvesToRef (MSK cluster)',
    yaml: subject("!Sub '${ResourceB}'", 'ResourceB: { Type: AWS::MSK::Cluster }'),
    expected: `arn:aws:kafka:${R}:${A}:cluster/ResourceB/{{unresolved:uuid}}`,
    against:
      'an MSK cluster ARN ends in a UUID AWS assigns at creation; the peer repeats the name there, we mark it unknown',
  },
  {
    peer: 'sub::LongFormSub',
    yaml: subject(
      "!Sub ['www.${Domain}', { Domain: !Ref DomainParam }]",
      '',
      params('DomainParam', 'DomainParam2'),
    ),
    parameters: { DomainParam: 'MyValue', DomainParam2: 'com' },
    expected: 'www.MyValue',
  },
  {
    peer: 'sub::LongFormSub (two variables)',
    yaml: subject(
      "!Sub ['www.${Domain}.${Domain2}', { Domain: !Ref DomainParam, Domain2: !Ref DomainParam2 }]",
      '',
      params('DomainParam', 'DomainParam2'),
    ),
    parameters: { DomainParam: 'MyValue', DomainParam2: 'com' },
    expected: 'www.MyValue.com',
  },
  {
    peer: 'sub::SomeVariablesNotInMap (the map wins over a parameter)',
    yaml: subject(
      "!Sub ['www.${DomainParam}', { DomainParam: !Ref OtherValue }]",
      '',
      params('DomainParam', 'OtherValue'),
    ),
    parameters: { DomainParam: 'MyValue', OtherValue: 'other' },
    expected: 'www.other',
  },
  {
    peer: 'sub::SomeVariablesNotInMap (pseudo parameter and parameter beside the map)',
    yaml: subject(
      "!Sub ['www.${Domain}.${Domain2}.${AWS::AccountId}.${OtherValue}', { Domain: !Ref DomainParam, Domain2: !Ref DomainParam2 }]",
      '',
      params('DomainParam', 'DomainParam2', 'OtherValue'),
    ),
    parameters: { DomainParam: 'MyValue', DomainParam2: 'com', OtherValue: 'other' },
    expected: `www.MyValue.com.${A}.other`,
  },
  {
    peer: 'sub::SomeVariablesNotInMap (${ResourceB.PropertyB})',
    yaml: subject(
      "!Sub 'www.${ResourceB.PropertyB}'",
      'ResourceB: { Type: AWS::Random::Service, Properties: { PropertyB: ValueB } }',
    ),
    expected: 'www.{{unresolved:Fn::GetAtt ResourceB.PropertyB}}',
    against: NOT_AN_ATTRIBUTE,
  },
  {
    peer: 'sub::VariableAppearsMoreThanOnce',
    yaml: subject(
      "!Sub ['www.${Domain}.${Domain}.${AWS::AccountId}', { Domain: !Ref DomainParam }]",
      '',
      params('DomainParam'),
    ),
    parameters: { DomainParam: 'MyValue' },
    expected: `www.MyValue.MyValue.${A}`,
  },
  {
    peer: 'sub::GetAttIsNotFound',
    yaml: subject(
      "!Sub ['www.${Domain}.${AWS::AccountId}.${ResourceB.PropertyB}', { Domain: !Ref AWS::AccountId }]",
    ),
    expected: `www.${A}.${A}.{{unresolved:\${ResourceB.PropertyB}}}`,
  },
  {
    peer: 'sub::RefIsNotFound',
    yaml: subject(
      "!Sub ['www.${Domain}.${AWS::AccountId}.${MissingParam}', { Domain: !Ref AWS::AccountId }]",
    ),
    expected: `www.${A}.${A}.{{unresolved:\${MissingParam}}}`,
  },
  {
    peer: 'sub::InvalidSubValue',
    yaml: subject('{ Fn::Sub: { Ref: Invalid } }'),
    expected: UNKNOWN,
  },
  {
    peer: 'sub::LongFormSubOfInvalidLength',
    yaml: subject("{ Fn::Sub: ['www.${Domain}', { Domain: abc }, 3rd] }"),
    expected: 'www.abc',
    invalid: 'Fn::Sub takes two arguments (cfn-lint E1019); the third is ignored',
  },
  {
    peer: 'sub::InvalidTextToEvaluate',
    yaml: subject("{ Fn::Sub: [['www.${Domain}'], { Domain: abc }] }"),
    expected: UNKNOWN,
  },
  {
    peer: 'sub::InvalidMapping',
    yaml: subject("{ Fn::Sub: ['www.${Domain}', Domain] }"),
    expected: 'www.{{unresolved:${Domain}}}',
  },
  {
    peer: 'sub::NoMatchingMapping',
    yaml: subject("{ Fn::Sub: ['www.${Domain}', { Romain: abc }] }"),
    expected: 'www.{{unresolved:${Domain}}}',
  },
];

const JOIN_PARTS =
  "['arn:', !Ref AWS::Partition, ':s3:::elasticbeanstalk-*-', !Ref AWS::AccountId]";
const JOIN_CASES: Case[] = [
  {
    peer: 'join::JoinFunction',
    yaml: subject(`!Join ['', ${JOIN_PARTS}]`),
    expected: `arn:aws:s3:::elasticbeanstalk-*-${A}`,
  },
  {
    peer: 'join::JoinFunctionThatIsNotAList',
    yaml: subject(`{ Fn::Join: { '': ${JOIN_PARTS} } }`),
    expected: UNKNOWN,
  },
  {
    peer: 'join::ListThatDoesNotHaveTwoValues',
    yaml: subject(`{ Fn::Join: ['', ${JOIN_PARTS}, 3rd val] }`),
    expected: `arn:aws:s3:::elasticbeanstalk-*-${A}`,
    invalid: 'Fn::Join takes two arguments (cfn-lint E1022); the third is ignored',
  },
  {
    peer: 'join::NonStringDelimiter',
    yaml: subject(`{ Fn::Join: [{}, ${JOIN_PARTS}] }`),
    expected: UNKNOWN,
  },
  { peer: 'join::NonListValue', yaml: subject("{ Fn::Join: ['', string] }"), expected: UNKNOWN },
  {
    peer: 'join::ValuesThatAreNotStrings',
    yaml: subject(
      "{ Fn::Join: ['', [['arn:'], !Ref AWS::Partition, ':s3:::elasticbeanstalk-*-', !Ref AWS::AccountId]] }",
    ),
    expected: UNKNOWN,
  },
];

const SELECT_CASES: Case[] = [
  {
    peer: 'select::SelectFunction',
    yaml: subject("!Select ['1', [option 0, option 1]]"),
    expected: 'option 1',
  },
  {
    peer: 'select::ReturnsAnObject',
    yaml: subject("!Select ['0', [{ option: '0' }, { option: '1' }]]"),
    expected: { option: '0' },
  },
  { peer: 'select::InvalidValue', yaml: subject("{ Fn::Select: '0' }"), expected: UNKNOWN },
  {
    peer: 'select::ListNotEqualToTwo',
    yaml: subject("{ Fn::Select: ['0', [option 0], 3rd] }"),
    expected: 'option 0',
    invalid: 'Fn::Select takes two arguments (cfn-lint E1017); the third is ignored',
  },
  {
    peer: 'select::InvalidFirstValue',
    yaml: subject('!Select [a, [option 0, option 1]]'),
    expected: UNKNOWN,
  },
  {
    peer: 'select::InvalidSecondValue',
    yaml: subject("!Select ['1', option 0]"),
    expected: UNKNOWN,
  },
  {
    peer: 'select::IndexIsLargerThanList',
    yaml: subject("!Select ['2', [option 0, option 1]]"),
    expected: UNKNOWN,
  },
  {
    peer: 'select::IndexIsNegative',
    yaml: subject("!Select ['-1', [option 0, option 1]]"),
    expected: UNKNOWN,
  },
];

const SPLIT_CASES: Case[] = [
  {
    peer: 'split::SplitFunctionThatHasAReference',
    yaml: subject("!Split ['.', !Ref DomainParam]", '', params('DomainParam')),
    parameters: { DomainParam: 'a.b.c' },
    expected: ['a', 'b', 'c'],
  },
  {
    peer: 'split::SplitFunction',
    yaml: subject("!Split [',', 'a,b,c']"),
    expected: ['a', 'b', 'c'],
  },
  {
    peer: 'split::SplitFunctionWithNoList',
    yaml: subject('{ Fn::Split: abc }'),
    expected: UNKNOWN,
  },
  {
    peer: 'split::SplitFunctionWithInvalidLength',
    yaml: subject("{ Fn::Split: [',', 'a,b,c', 3rd] }"),
    expected: ['a', 'b', 'c'],
    invalid: 'Fn::Split takes two arguments (cfn-lint E1018); the third is ignored',
  },
];

const MAPPINGS = `Mappings:
  MappingA:
    TopLevelMappingKey:
      SecondLevelMappingKeyA: MappingValueA
      SecondLevelMappingKeyB: [MappingValue1, MappingValue2]
  MappingB:
    TopLevelMappingKey: { SecondLevelMappingKey: MappingValueB }
${params('TopLevelMappingKey', 'MappingName', 'SecondLevelMappingKey')}`;
const MAP_PARAMS = {
  MappingName: 'MappingB',
  TopLevelMappingKey: 'TopLevelMappingKey',
  SecondLevelMappingKey: 'SecondLevelMappingKey',
};
const FIND_IN_MAP_CASES: Case[] = [
  {
    peer: 'find_in_map::FindInMapFunction (string)',
    yaml: subject(
      '!FindInMap [MappingA, TopLevelMappingKey, SecondLevelMappingKeyA]',
      '',
      MAPPINGS,
    ),
    parameters: MAP_PARAMS,
    expected: 'MappingValueA',
  },
  {
    peer: 'find_in_map::FindInMapFunction (list)',
    yaml: subject(
      '!FindInMap [MappingA, TopLevelMappingKey, SecondLevelMappingKeyB]',
      '',
      MAPPINGS,
    ),
    parameters: MAP_PARAMS,
    expected: ['MappingValue1', 'MappingValue2'],
  },
  {
    peer: 'find_in_map::FindInMapFunction (keys from parameters)',
    yaml: subject(
      '!FindInMap [!Ref MappingName, !Ref TopLevelMappingKey, !Ref SecondLevelMappingKey]',
      '',
      MAPPINGS,
    ),
    parameters: MAP_PARAMS,
    expected: 'MappingValueB',
  },
  {
    peer: 'find_in_map::FindInMapFunctionThatIsNotAList',
    yaml: subject(
      "{ Fn::FindInMap: 'MappingA.TopLevelMappingKey.SecondLevelMappingKeyA' }",
      '',
      MAPPINGS,
    ),
    parameters: MAP_PARAMS,
    expected: UNKNOWN,
  },
  {
    peer: 'find_in_map::FindInMapFunctionThatIsNotOfLength3',
    yaml: subject(
      '{ Fn::FindInMap: [MappingA, TopLevelMappingKey, SecondLevelMappingKeyA, MappingValueA] }',
      '',
      MAPPINGS,
    ),
    parameters: MAP_PARAMS,
    expected: 'MappingValueA',
    invalid:
      'a fourth argument must be {DefaultValue: ...} (AWS::LanguageExtensions); the lookup itself succeeds',
  },
  {
    peer: 'find_in_map::MapNameThatIsNotString',
    yaml: subject(
      '{ Fn::FindInMap: [[MappingA], TopLevelMappingKey, SecondLevelMappingKeyA] }',
      '',
      MAPPINGS,
    ),
    parameters: MAP_PARAMS,
    expected: UNKNOWN,
  },
  {
    peer: 'find_in_map::TopLevelKeyThatIsNotString',
    yaml: subject(
      '{ Fn::FindInMap: [MappingA, [TopLevelMappingKey], SecondLevelMappingKeyA] }',
      '',
      MAPPINGS,
    ),
    parameters: MAP_PARAMS,
    expected: UNKNOWN,
  },
  {
    peer: 'find_in_map::SecondLevelKeyThatIsNotString',
    yaml: subject(
      '{ Fn::FindInMap: [MappingA, TopLevelMappingKey, [SecondLevelMappingKeyA]] }',
      '',
      MAPPINGS,
    ),
    parameters: MAP_PARAMS,
    expected: UNKNOWN,
  },
  {
    peer: 'find_in_map::MappingCannotBeFound',
    yaml: subject('!FindInMap [MappingA, TopLevelMappingKey, SecondLevelMappingKeyA]'),
    expected: UNKNOWN,
  },
];

const conditions = (body: string) => `Conditions:\n  myCondition: ${body}\n`;
const IF_CASES: Case[] = [
  {
    peer: 'if::ResourceWithAnIfFunction.comparison_is_true',
    yaml: subject('!If [myCondition, a, b]', '', conditions('!Equals [a, a]')),
    expected: 'a',
  },
  {
    peer: 'if::ResourceWithAnIfFunction.comparison_is_false',
    yaml: subject('!If [myCondition, a, b]', '', conditions('!Equals [a, b]')),
    expected: 'b',
  },
  {
    peer: 'if::ResourceWithAnIfFunction.true_and_result_is_function',
    yaml: subject('!If [myCondition, !Equals [a, a], b]', '', conditions('!Equals [a, a]')),
    expected: true,
  },
  {
    peer: 'if::ResourceWithAnIfFunction.false_and_result_is_function',
    yaml: subject('!If [myCondition, a, !Equals [a, a]]', '', conditions('!Equals [a, b]')),
    expected: true,
  },
  {
    peer: 'if::ConditionWithAnIfFunction.comparison_is_false (Fn::Not)',
    yaml: subject('!If [myCondition, a, b]', '', conditions('!Not [!Equals [a, a]]')),
    expected: 'b',
  },
  {
    peer: 'if::ResourceWithAnIfFunction.condition_with_name_does_not_exist',
    yaml: subject('!If [myCondition, a, b]'),
    expected: 'a',
    invalid:
      'an undefined condition (cfn-lint E1028): like any condition we cannot evaluate, its true branch is checked, with a note',
  },
  {
    peer: 'if::DoesNotMatchSchema.condition_value_is_not_list',
    yaml: subject('{ Fn::If: { NotA: List } }'),
    expected: UNKNOWN,
  },
  {
    peer: 'if::DoesNotMatchSchema.condition_name_is_not_string',
    yaml: subject('{ Fn::If: [{ NotA: String }, a, b] }'),
    expected: UNKNOWN,
  },
  {
    peer: 'if::DoesNotMatchSchema.function_has_less_than_three_items',
    yaml: subject('{ Fn::If: [myCondition, a] }', '', conditions('!Equals [a, a]')),
    expected: UNKNOWN,
  },
  {
    peer: 'if::DoesNotMatchSchema.function_has_more_than_three_items',
    yaml: subject('{ Fn::If: [myCondition, a, b, c] }', '', conditions('!Equals [a, a]')),
    expected: 'a',
    invalid: 'Fn::If takes three arguments (cfn-lint E1028); the fourth is ignored',
  },
];

const EQUALS_CASES: Case[] = [
  { peer: 'equals::values_are_equal', yaml: subject('!Equals [abc, abc]'), expected: true },
  { peer: 'equals::values_are_not_equal', yaml: subject('!Equals [abc, def]'), expected: false },
  {
    peer: 'equals::first_value_is_not_string',
    yaml: subject("!Equals [111, '111']"),
    expected: true,
  },
  {
    peer: 'equals::second_value_is_not_string',
    yaml: subject("!Equals ['111', 111]"),
    expected: true,
  },
  {
    peer: 'equals::first_value_can_contain_functions',
    yaml: subject("!Equals [!Equals ['111', '111'], true]"),
    expected: true,
  },
  {
    peer: 'equals::second_value_can_contain_functions',
    yaml: subject("!Equals [true, !Equals ['111', '111']]"),
    expected: true,
  },
  {
    peer: 'equals::function_is_not_a_list',
    yaml: subject('{ Fn::Equals: { NotA: List } }'),
    expected: UNKNOWN,
  },
  {
    peer: 'equals::function_has_one_element',
    yaml: subject('{ Fn::Equals: [NotA] }'),
    expected: UNKNOWN,
  },
  {
    peer: 'equals::function_has_more_than_two_elements',
    yaml: subject('{ Fn::Equals: [NotA, NotB, NotC] }'),
    expected: UNKNOWN,
  },
];

const DYNAMIC_CASES: Case[] = [
  {
    peer: 'dynamic_ref::simple_reference',
    yaml: subject("'{{resolve:ssm:/my/parameter1:1}}'"),
    expected: UNKNOWN,
    against:
      'the peer reads the parameter from SSM with the caller credentials; offline (and for values the deploy role may read differently) we mark it as resolved at deploy time',
  },
  {
    peer: 'dynamic_ref::multiple_dynamic_references_in_single_string',
    yaml: subject("'{{resolve:ssm:/my/parameter2:1}}-{{resolve:ssm:/my/parameter1:1}}'"),
    expected: UNKNOWN,
    against: 'as above: read from SSM by the peer, resolved only at deploy time here',
  },
  {
    peer: 'dynamic_ref::dynamic_reference_with_no_version',
    yaml: subject("'{{resolve:ssm:MyParameter}}'"),
    expected: UNKNOWN,
  },
  {
    peer: 'dynamic_ref::nested_reference (assembled with Fn::Join)',
    yaml: subject(
      "!Join ['', ['{{', 'resolve:ss', 'm:', !Ref MyParameter, '}}']]",
      '',
      params('MyParameter'),
    ),
    parameters: { MyParameter: '/my/param1:1' },
    expected: UNKNOWN,
    against: 'as above: read from SSM by the peer, resolved only at deploy time here',
  },
  {
    peer: 'dynamic_ref::no_parameter_with_version_exists',
    yaml: subject("'{{resolve:ssm:/my/parameter:3}}'"),
    expected: UNKNOWN,
  },
  {
    peer: 'dynamic_ref::SsmSecureDynamicReference',
    yaml: subject("'{{resolve:ssm-secure:/my/parameter1:1}}'"),
    expected: UNKNOWN,
    against:
      'the peer passes the reference text on as if it were the value; CloudFormation replaces it at deploy time, so we mark it',
  },
  {
    peer: 'dynamic_ref::SecretDynamicReference',
    yaml: subject("'{{resolve:secretsmanager:/my/parameter1:1}}'"),
    expected: UNKNOWN,
    against: 'as for ssm-secure: the reference text is not the value',
  },
];

const IMPORT_CASES: Case[] = [
  {
    peer: 'import_value::substitutes_imported_values (Fn::Sub name)',
    yaml: subject(
      "!ImportValue { Fn::Sub: ['www.${Domain}', { Domain: !Ref DomainParam }] }",
      '',
      params('DomainParam'),
    ),
    parameters: { DomainParam: 'MyValue' },
    expected: '{{unresolved:Fn::ImportValue www.MyValue}}',
    against:
      "the peer reads the export with ListExports; offline the other stack's output is unknown, so it is a named placeholder",
  },
  {
    peer: 'import_value::substitutes_imported_values (literal name)',
    yaml: subject('!ImportValue MyOutputValue'),
    expected: '{{unresolved:Fn::ImportValue MyOutputValue}}',
    against: 'as above',
  },
  {
    peer: 'import_value::ImportingAValueThatDoesNotExist',
    yaml: subject('!ImportValue MyNonExistentOutputValue'),
    expected: UNKNOWN,
  },
];

const NO_VALUE_CASES: Case[] = [
  {
    peer: 'no_value::removes_property_with_no_value',
    yaml: subject('{ PropertyA: !Ref AWS::NoValue, PropertyB: ValueB }'),
    expected: { PropertyB: 'ValueB' },
  },
  {
    peer: 'no_value::removes_nested_property_with_no_value',
    yaml: subject(
      '{ PropertyA: { NestedProp: !Ref AWS::NoValue, OtherNestedProp: ValueNested }, PropertyB: ValueB }',
    ),
    expected: { PropertyA: { OtherNestedProp: 'ValueNested' }, PropertyB: 'ValueB' },
  },
  {
    peer: 'no_value::removes_item_with_no_value',
    yaml: subject('[!Ref AWS::NoValue, Item2]'),
    expected: ['Item2'],
  },
  {
    peer: 'no_value::removes_item_but_leaves_empty_list',
    yaml: subject('[!Ref AWS::NoValue]'),
    expected: [],
  },
  {
    peer: 'no_value::ResourceWithThatDoesNotContainNoValue',
    yaml: subject('{ PropertyA: ValueA, PropertyB: ValueB }'),
    expected: { PropertyA: 'ValueA', PropertyB: 'ValueB' },
  },
];

const NODE_CASES: Case[] = [
  {
    peer: 'node_evaluator::UnsupportedFunction (Fn::GetAZs)',
    yaml: subject('!GetAZs us-east-1'),
    expected: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    against:
      'the peer passes Fn::GetAZs on unevaluated; it lists the zones of a region, which we give as the region with a, b and c',
  },
  {
    peer: 'node_evaluator::RefCycle',
    yaml: subject(
      '!Ref ResourceB',
      'ResourceB: { Type: AWS::IAM::Role, Properties: { RoleName: !Ref ResourceC } }\nResourceC: { Type: AWS::IAM::Role, Properties: { RoleName: !Ref ResourceB } }',
    ),
    expected: UNKNOWN,
    against:
      'a cycle is an invalid template (CloudFormation: circular dependency); the peer falls back to the logical id, we mark the value',
  },
  {
    peer: 'node_evaluator::GetAttCycle',
    yaml: subject(
      '!GetAtt ResourceB.PropertyA',
      'ResourceB: { Type: AWS::IAM::Role, Properties: { PropertyA: !GetAtt Subject.PropertyA } }',
    ),
    expected: UNKNOWN,
  },
  {
    peer: 'node_evaluator::SubCycle',
    yaml: subject(
      "!Sub 'value ${ResourceB.PropertyB}'",
      "ResourceB: { Type: AWS::IAM::Role, Properties: { PropertyB: !Sub 'value ${Subject.Value}' } }",
    ),
    expected: 'value {{unresolved:Fn::GetAtt ResourceB.PropertyB}}',
  },
  {
    peer: 'node_evaluator::CycleDuringArnGeneration',
    yaml: subject(
      '!GetAtt ResourceB.Arn',
      'ResourceB: { Type: AWS::IAM::Role, Properties: { Path: !Ref ResourceC, RoleName: !GetAtt ResourceC.Arn } }\nResourceC: { Type: AWS::IAM::Role, Properties: { RoleName: !GetAtt ResourceB.Arn } }',
    ),
    expected: UNKNOWN,
  },
  {
    peer: 'node_evaluator::SameChildReference (object)',
    yaml: subject(
      '{ SubPropertyA: !Ref ResourceB, SubPropertyB: !Ref ResourceB }',
      'ResourceB: { Type: AWS::IAM::Role, Properties: { RoleName: MyRole } }',
    ),
    expected: { SubPropertyA: 'MyRole', SubPropertyB: 'MyRole' },
  },
  {
    peer: 'node_evaluator::SameChildReference (list)',
    yaml: subject(
      '{ SubPropertyA: [!Ref ResourceB, !Ref ResourceB] }',
      'ResourceB: { Type: AWS::IAM::Role, Properties: { RoleName: MyRole } }',
    ),
    expected: { SubPropertyA: ['MyRole', 'MyRole'] },
  },
  {
    peer: 'node_evaluator::SameChildReference (property)',
    yaml: subject(
      '{ SubPropertyA: [!Ref ResourceB, !Ref ResourceB], SubPropertyB: !Ref ResourceB }',
      'ResourceB: { Type: AWS::IAM::Role, Properties: { RoleName: MyRole } }',
    ),
    expected: { SubPropertyA: ['MyRole', 'MyRole'], SubPropertyB: 'MyRole' },
  },
];

/** ARNs the peer's ArnGenerator builds, restated as the Ref or GetAtt that asks for them. */
function arnCase(
  peer: string,
  type: string,
  logicalId: string,
  ask: 'Ref' | string,
  properties: string,
  expected: unknown,
  extra: Partial<Case> = {},
): Case {
  const expression = ask === 'Ref' ? `!Ref ${logicalId}` : `!GetAtt ${logicalId}.${ask}`;
  return {
    peer: `arn_generator::${peer}`,
    yaml: subject(
      expression,
      `${logicalId}: { Type: ${type}, Properties: ${properties} }`,
      params('MyRoleParameter', 'MyPathParameter', 'MyUserParameter'),
    ),
    parameters: {
      MyRoleParameter: 'MyCustomRoleName',
      MyPathParameter: '/my/custom/path/',
      MyUserParameter: 'MyCustomUserName',
    },
    expected,
    ...extra,
  };
}

const ELB_ID =
  'the last part is an id AWS assigns; the peer repeats the name there, we mark it unknown';
const ARN_CASES: Case[] = [
  arnCase(
    'generates_global_arn_from_ref',
    'AWS::IAM::ManagedPolicy',
    'MyTestPolicy',
    'Ref',
    '{}',
    `arn:aws:iam::${A}:policy/MyTestPolicy`,
  ),
  arnCase(
    'generates_arn_from_attribute',
    'AWS::ECS::Cluster',
    'MyTestCluster',
    'Arn',
    '{}',
    `arn:aws:ecs:${R}:${A}:cluster/MyTestCluster`,
  ),
  arnCase(
    'IAMRole.with_invalid_path_type',
    'AWS::IAM::Role',
    'MyRole',
    'Arn',
    '{ Path: [] }',
    UNKNOWN,
  ),
  arnCase(
    'IAMRole.with_invalid_role_name_type',
    'AWS::IAM::Role',
    'MyRole',
    'Arn',
    '{ RoleName: [] }',
    UNKNOWN,
  ),
  arnCase(
    'IAMRole.with_path_and_name',
    'AWS::IAM::Role',
    'MyRole',
    'Arn',
    '{ Path: !Ref MyPathParameter, RoleName: !Ref MyRoleParameter }',
    `arn:aws:iam::${A}:role/my/custom/path/MyCustomRoleName`,
  ),
  arnCase(
    'IAMRole.with_path_and_resource_name_if_no_name',
    'AWS::IAM::Role',
    'MyRole',
    'Arn',
    '{ Path: !Ref MyPathParameter }',
    `arn:aws:iam::${A}:role/my/custom/path/MyRole`,
  ),
  arnCase(
    'IAMRole.with_default_path_and_name_if_no_path',
    'AWS::IAM::Role',
    'MyRole',
    'Arn',
    '{ RoleName: !Ref MyRoleParameter }',
    `arn:aws:iam::${A}:role/MyCustomRoleName`,
  ),
  arnCase(
    'IAMUser.with_invalid_path_type',
    'AWS::IAM::User',
    'MyUser',
    'Arn',
    '{ Path: [] }',
    UNKNOWN,
  ),
  arnCase(
    'IAMUser.with_invalid_user_name_type',
    'AWS::IAM::User',
    'MyUser',
    'Arn',
    '{ UserName: [] }',
    UNKNOWN,
  ),
  arnCase(
    'IAMUser.with_path_and_name',
    'AWS::IAM::User',
    'MyUser',
    'Arn',
    '{ Path: !Ref MyPathParameter, UserName: !Ref MyUserParameter }',
    `arn:aws:iam::${A}:user/my/custom/path/MyCustomUserName`,
  ),
  arnCase(
    'IAMUser.with_path_and_resource_name_if_no_name',
    'AWS::IAM::User',
    'MyUser',
    'Arn',
    '{ Path: !Ref MyPathParameter }',
    `arn:aws:iam::${A}:user/my/custom/path/MyUser`,
  ),
  arnCase(
    'IAMUser.with_default_path_and_name_if_no_path',
    'AWS::IAM::User',
    'MyUser',
    'Arn',
    '{ UserName: !Ref MyUserParameter }',
    `arn:aws:iam::${A}:user/MyCustomUserName`,
  ),
  arnCase(
    'IAMUser.with_all_defaults_if_no_properties',
    'AWS::IAM::User',
    'MyUser',
    'Arn',
    '{}',
    `arn:aws:iam::${A}:user/MyUser`,
  ),
  arnCase(
    'ELBv2.does_not_generate_arn_for_alb_attributes',
    'AWS::ElasticLoadBalancingV2::LoadBalancer',
    'MyAlb',
    'Arn',
    '{}',
    UNKNOWN,
  ),
  arnCase(
    'ELBv2.generates_arn_for_implicit_alb',
    'AWS::ElasticLoadBalancingV2::LoadBalancer',
    'MyAlb',
    'Ref',
    '{}',
    `arn:aws:elasticloadbalancing:${R}:${A}:loadbalancer/app/MyAlb/{{unresolved:id}}`,
    { against: ELB_ID },
  ),
  arnCase(
    'ELBv2.generates_arn_for_explicit_alb',
    'AWS::ElasticLoadBalancingV2::LoadBalancer',
    'MyAlb',
    'Ref',
    '{ Type: application }',
    `arn:aws:elasticloadbalancing:${R}:${A}:loadbalancer/app/MyAlb/{{unresolved:id}}`,
    { against: ELB_ID },
  ),
  arnCase(
    'ELBv2.generates_arn_for_nlb',
    'AWS::ElasticLoadBalancingV2::LoadBalancer',
    'MyNlb',
    'Ref',
    '{ Type: network }',
    `arn:aws:elasticloadbalancing:${R}:${A}:loadbalancer/net/MyNlb/{{unresolved:id}}`,
    { against: ELB_ID },
  ),
  arnCase(
    'ELBv2.generates_arn_for_gwy_lb',
    'AWS::ElasticLoadBalancingV2::LoadBalancer',
    'MyGwlb',
    'Ref',
    '{ Type: gateway }',
    `arn:aws:elasticloadbalancing:${R}:${A}:loadbalancer/gwy/MyGwlb/{{unresolved:id}}`,
    { against: ELB_ID },
  ),
  arnCase(
    'ELBv2.LoadBalancerArn attribute (named by Name)',
    'AWS::ElasticLoadBalancingV2::LoadBalancer',
    'MyNlb',
    'LoadBalancerArn',
    '{ Name: edge, Type: network }',
    `arn:aws:elasticloadbalancing:${R}:${A}:loadbalancer/net/edge/{{unresolved:id}}`,
  ),
  arnCase(
    'NetworkFirewall.does_not_generate_arn_for_attributes',
    'AWS::NetworkFirewall::RuleGroup',
    'MyNfw',
    'Arn',
    '{ Type: STATEFUL }',
    UNKNOWN,
  ),
  arnCase(
    'NetworkFirewall.generates_arn_for_stateful_rulegroup',
    'AWS::NetworkFirewall::RuleGroup',
    'MyNfw',
    'Ref',
    '{ Type: STATEFUL }',
    `arn:aws:network-firewall:${R}:${A}:stateful-rulegroup/MyNfw`,
  ),
  arnCase(
    'NetworkFirewall.generates_arn_for_stateless_rulegroup',
    'AWS::NetworkFirewall::RuleGroup',
    'MyNfw',
    'Ref',
    '{ Type: STATELESS }',
    `arn:aws:network-firewall:${R}:${A}:stateless-rulegroup/MyNfw`,
  ),
  arnCase(
    'NetworkFirewall.with_no_rulegroup_type',
    'AWS::NetworkFirewall::RuleGroup',
    'MyNfw',
    'Ref',
    '{}',
    UNKNOWN,
  ),
  arnCase(
    'NetworkFirewall.with_invalid_rulegroup_type',
    'AWS::NetworkFirewall::RuleGroup',
    'MyNfw',
    'Ref',
    '{ Type: [] }',
    UNKNOWN,
  ),
];

const ALL: [string, Case[]][] = [
  ['Ref', REF_CASES],
  ['Fn::GetAtt', GETATT_CASES],
  ['Fn::Sub', SUB_CASES],
  ['Fn::Join', JOIN_CASES],
  ['Fn::Select', SELECT_CASES],
  ['Fn::Split', SPLIT_CASES],
  ['Fn::FindInMap', FIND_IN_MAP_CASES],
  ['Fn::If', IF_CASES],
  ['Fn::Equals', EQUALS_CASES],
  ['dynamic references', DYNAMIC_CASES],
  ['Fn::ImportValue', IMPORT_CASES],
  ['AWS::NoValue', NO_VALUE_CASES],
  ['the evaluator (cycles, repeated references)', NODE_CASES],
  ['ARNs of Ref and GetAtt', ARN_CASES],
];

/** A policy the peer's resource or identity parser builds, restated as the document we check. */
interface PolicyCase {
  peer: string;
  yaml: string;
  parameters?: Record<string, string>;
  /** Which policy of the template: `logicalId/policyName`. */
  policy: string;
  expected: unknown;
  against?: string;
}

const permission = (properties: string, resources = '', head = '') =>
  `${head}Resources:\n  ResourceA:\n    Type: AWS::Lambda::Permission\n    Properties: ${properties}\n${resources}`;
const invoke = (
  resource: string,
  principal: unknown,
  condition?: unknown,
  action = 'lambda:InvokeFunction',
) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: principal,
      Action: action,
      Resource: resource,
      ...(condition ? { Condition: condition } : {}),
    },
  ],
});
const FUNCTION = `arn:aws:lambda:${R}:${A}:function:MyFunction`;
const lambdaCase = (peer: string, functionName: string, expected: string): PolicyCase => ({
  peer: `lambda_aws::${peer}`,
  yaml: permission(
    `{ Action: lambda:InvokeFunction, FunctionName: '${functionName}', Principal: MyPrincipal }`,
  ),
  policy: 'ResourceA/permission',
  expected: invoke(expected, { AWS: 'MyPrincipal' }),
});
const LAYER = 'arn:aws:lambda:us-east-1:123456789123:layer:LayerABC:1';
const layer = (principal: string, extra = '') =>
  `Resources:\n  ResourceA:\n    Type: AWS::Lambda::LayerVersionPermission\n    Properties: { Action: lambda:GetLayerVersion, LayerVersionArn: '${LAYER}', Principal: '${principal}'${extra} }\n`;
const TRUST =
  "{ Version: '2012-10-17', Statement: [{ Effect: Allow, Principal: { Service: ec2.amazonaws.com }, Action: sts:AssumeRole }] }";
const SAMPLE_A =
  "{ Version: '2012-10-17', Statement: [{ Effect: Allow, Action: ec2:RunInstance, Resource: '*' }] }";

const POLICY_CASES: PolicyCase[] = [
  lambdaCase('function_name_is_full_arn', FUNCTION, FUNCTION),
  lambdaCase('function_name_is_partial_arn_with_region', `${R}:${A}:function:MyFunction`, FUNCTION),
  lambdaCase('function_name_is_partial_arn_with_account', `${A}:function:MyFunction`, FUNCTION),
  lambdaCase('function_name_is_partial_arn_with_function', 'function:MyFunction', FUNCTION),
  lambdaCase('function_name_is_name', 'MyFunction', FUNCTION),
  lambdaCase('function_name_is_name_and_alias', 'MyFunction:v1', `${FUNCTION}:v1`),
  lambdaCase(
    'function_name_is_name_and_version (documented form)',
    'MyFunction:3',
    `${FUNCTION}:3`,
  ),
  lambdaCase(
    'function_name_is_full_arn_with_alias (documented form)',
    `${FUNCTION}:live`,
    `${FUNCTION}:live`,
  ),
  {
    peer: 'lambda_aws::principal_name_is_a_service',
    yaml: permission(
      '{ Action: lambda:InvokeFunction, FunctionName: MyFunction, Principal: s3.amazonaws.com }',
    ),
    policy: 'ResourceA/permission',
    expected: invoke(FUNCTION, { Service: 's3.amazonaws.com' }),
  },
  {
    peer: 'lambda_aws::principal_name_is_an_account',
    yaml: permission(
      "{ Action: lambda:InvokeFunction, FunctionName: MyFunction, Principal: '123456' }",
    ),
    policy: 'ResourceA/permission',
    expected: invoke(FUNCTION, { AWS: '123456' }),
  },
  {
    peer: 'lambda_aws::source_account_is_included',
    yaml: permission(
      "{ Action: lambda:InvokeFunction, FunctionName: MyFunction, Principal: MyPrincipal, SourceAccount: '5678910' }",
    ),
    policy: 'ResourceA/permission',
    expected: invoke(
      FUNCTION,
      { AWS: 'MyPrincipal' },
      { StringEquals: { 'AWS:SourceAccount': '5678910' } },
    ),
  },
  {
    peer: 'lambda_aws::source_arn_is_included',
    yaml: permission(
      "{ Action: lambda:InvokeFunction, FunctionName: MyFunction, Principal: MyPrincipal, SourceArn: 'aws:aws:s3:::my-bucket' }",
    ),
    policy: 'ResourceA/permission',
    expected: invoke(
      FUNCTION,
      { AWS: 'MyPrincipal' },
      { ArnLike: { 'AWS:SourceArn': 'aws:aws:s3:::my-bucket' } },
    ),
  },
  {
    peer: 'lambda_aws::source_account_and_source_arn_are_included',
    yaml: permission(
      "{ Action: lambda:InvokeFunction, FunctionName: MyFunction, Principal: MyPrincipal, SourceArn: 'aws:aws:s3:::my-bucket', SourceAccount: '5678910' }",
    ),
    policy: 'ResourceA/permission',
    expected: invoke(
      FUNCTION,
      { AWS: 'MyPrincipal' },
      {
        ArnLike: { 'AWS:SourceArn': 'aws:aws:s3:::my-bucket' },
        StringEquals: { 'AWS:SourceAccount': '5678910' },
      },
    ),
  },
  {
    peer: 'lambda_aws::MultipleLambdaPermissionsPolicies (service principal)',
    yaml: permission(
      "{ Action: lambda:InvokeFunction, FunctionName: 'arn:aws:lambda:us-east-1:123456:function:MyFunction1', Principal: s3.amazonaws.com }",
    ),
    policy: 'ResourceA/permission',
    expected: invoke('arn:aws:lambda:us-east-1:123456:function:MyFunction1', {
      Service: 's3.amazonaws.com',
    }),
  },
  {
    peer: 'lambda_aws::MultipleLambdaPermissionsPolicies (account principal)',
    yaml: permission(
      "{ Action: lambda:InvokeFunction, FunctionName: 'arn:aws:lambda:us-east-1:123456:function:MyFunction2', Principal: '1234567' }",
    ),
    policy: 'ResourceA/permission',
    expected: invoke('arn:aws:lambda:us-east-1:123456:function:MyFunction2', { AWS: '1234567' }),
  },
  {
    peer: 'lambda_aws::ReferencesInEachField',
    yaml: permission(
      '{ Action: !Ref ActionParameter, FunctionName: !GetAtt MyFunction.Arn, Principal: !Ref PrincipalParameter, SourceAccount: !Ref AWS::AccountId, SourceArn: !GetAtt MyS3Bucket.Arn }',
      '  MyS3Bucket: { Type: AWS::S3::Bucket }\n  MyFunction: { Type: AWS::Lambda::Function }\n',
      params('ActionParameter', 'PrincipalParameter'),
    ),
    parameters: { ActionParameter: 'lambda:GetFunction', PrincipalParameter: '1234567' },
    policy: 'ResourceA/permission',
    expected: invoke(
      FUNCTION,
      { AWS: '1234567' },
      {
        ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::mys3bucket' },
        StringEquals: { 'AWS:SourceAccount': A },
      },
      'lambda:GetFunction',
    ),
    against:
      'a bucket without BucketName gets a generated name in lower case (S3 names allow no capitals); the peer keeps the logical id as written',
  },
  {
    peer: 'lambda_aws::LayerVersionPermissionsPolicy.principal_is_layer_arn',
    yaml: layer('123456789123'),
    policy: 'ResourceA/permission',
    expected: invoke(LAYER, { AWS: '123456789123' }, undefined, 'lambda:GetLayerVersion'),
  },
  {
    peer: 'lambda_aws::LayerVersionPermissionsPolicy.principal_is_star',
    yaml: layer('*'),
    policy: 'ResourceA/permission',
    expected: invoke(LAYER, '*', undefined, 'lambda:GetLayerVersion'),
    against:
      'Principal \'*\' in a layer permission is everyone; IAM reads `"Principal": "*"` and `{AWS: "*"}` alike, we keep the plain form',
  },
  {
    peer: 'lambda_aws::LayerVersionPermissionsPolicy.has_organization_id',
    yaml: layer('123456789123', ', OrganizationId: o-12345'),
    policy: 'ResourceA/permission',
    expected: invoke(
      LAYER,
      { AWS: '123456789123' },
      { StringEquals: { 'aws:PrincipalOrgID': 'o-12345' } },
      'lambda:GetLayerVersion',
    ),
  },
  {
    peer: 'lambda_aws::LayerVersionPermissionsPolicy.ReferencesInEachField',
    yaml: `${params('ActionParameter', 'PrincipalParameter', 'OrganizationIdParameter')}Resources:
  MyLayerVersion: { Type: AWS::Lambda::LayerVersion }
  ResourceA:
    Type: AWS::Lambda::LayerVersionPermission
    Properties: { Action: !Ref ActionParameter, LayerVersionArn: !Ref MyLayerVersion, Principal: !Ref PrincipalParameter, OrganizationId: !Ref OrganizationIdParameter }
`,
    parameters: {
      ActionParameter: 'lambda:GetLayerVersion',
      PrincipalParameter: '123456789123',
      OrganizationIdParameter: 'o-12345',
    },
    policy: 'ResourceA/permission',
    expected: invoke(
      `arn:aws:lambda:${R}:${A}:layer:MyLayerVersion:1`,
      { AWS: '123456789123' },
      { StringEquals: { 'aws:PrincipalOrgID': 'o-12345' } },
      'lambda:GetLayerVersion',
    ),
    against:
      'Ref of a layer version is its ARN ending in the version number, 1 for a new layer; the peer repeats the layer name there',
  },
  {
    peer: 'identity_roles::IAMRoleWithAName (trust policy)',
    yaml: `Resources:\n  ResourceA:\n    Type: AWS::IAM::Role\n    Properties: { Path: /custom/path/, RoleName: MyRole, AssumeRolePolicyDocument: ${TRUST} }\n`,
    policy: 'ResourceA/AssumeRolePolicyDocument',
    expected: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    },
  },
  {
    peer: 'identity_roles::IAMPolicyAttachedToARole (inline PolicyA)',
    yaml: `Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties: { AssumeRolePolicyDocument: ${TRUST}, Policies: [{ PolicyName: PolicyA, PolicyDocument: ${SAMPLE_A} }] }\n`,
    policy: 'Role/PolicyA',
    expected: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'ec2:RunInstance', Resource: '*' }],
    },
  },
  {
    peer: 'identity_roles::IAMRoleWithReferencesInEachField (trust policy service)',
    yaml: `${params('ServiceName', 'Resource')}Resources:
  ResourceA:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: Allow, Principal: { Service: !Ref ServiceName }, Action: sts:AssumeRole }] }
      Policies: [{ PolicyName: Policy1, PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: Allow, Action: ec2:RunInstance, Resource: !Ref Resource }] } }]
`,
    parameters: { ServiceName: 'customservice.amazonaws.com', Resource: 'my_resource/*' },
    policy: 'ResourceA/AssumeRolePolicyDocument',
    expected: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'customservice.amazonaws.com' },
          Action: 'sts:AssumeRole',
        },
      ],
    },
  },
  {
    peer: 'identity_roles::IAMRoleWithReferencesInEachField (inline policy resource)',
    yaml: `${params('Resource')}Resources:
  ResourceA:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: ${TRUST}
      Policies: [{ PolicyName: Policy1, PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: Allow, Action: ec2:RunInstance, Resource: !Ref Resource }] } }]
`,
    parameters: { Resource: 'my_resource/*' },
    policy: 'ResourceA/Policy1',
    expected: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'ec2:RunInstance', Resource: 'my_resource/*' }],
    },
  },
];

/** The peer raises an error (a required property is missing): we extract no policy. */
const NO_POLICY = Symbol('no policy');

const doc = (...statements: object[]) => ({ Version: '2012-10-17', Statement: statements });
/** A template of ResourceA (`type`, `properties`) and other resources. */
const withResource = (type: string, properties: string, resources = '', head = '') =>
  `${head}Resources:\n  ResourceA:\n    Type: ${type}\n    Properties: ${properties}\n${resources}`;
const UNUSED_GET_AZS = "UnusedProperty: { 'Fn::GetAZs': !Ref AWS::Region }";
const UNUSED_REF = 'UnusedProperty: !Ref SomeProperty';

const SQS_LITERAL =
  "{ Version: '2012-10-17', Statement: [{ Effect: Allow, Principal: { AWS: ['111122223333'] }, Action: sqs:SendMessage, Resource: 'arn:aws:sqs:us-east-2:444455556666:queue1' }] }";
const SQS_REFERENCE =
  "{ Version: '2012-10-17', Statement: [{ Effect: Allow, Principal: { AWS: ['111122223333'] }, Action: sqs:SendMessage, Resource: !GetAtt TestQueueA.Arn }] }";
const sqsDocument = (resource: string) =>
  doc({
    Effect: 'Allow',
    Principal: { AWS: ['111122223333'] },
    Action: 'sqs:SendMessage',
    Resource: resource,
  });
const QUEUE_URLS =
  "['https://sqs.us-east-1.amazonaws.com/123456/MyTestQueue', 'https://sqs.us-east-1.amazonaws.com/123456/MySecondTestQueue']";
const sqs = (properties: string, resources = '') =>
  withResource('AWS::SQS::QueuePolicy', `{ ${properties} }`, resources);

const SNS_LITERAL =
  "{ Statement: [{ Sid: grant-1234-publish, Effect: Allow, Principal: { AWS: '111122223333' }, Action: [sns:Publish], Resource: 'arn:aws:sns:us-east-2:444455556666:MyTopic' }] }";
const snsDocument = (resource: string) => ({
  Statement: [
    {
      Sid: 'grant-1234-publish',
      Effect: 'Allow',
      Principal: { AWS: '111122223333' },
      Action: ['sns:Publish'],
      Resource: resource,
    },
  ],
});
const TOPIC_ARNS =
  "['arn:aws:sns:us-east-1:123456:MyTopic', 'arn:aws:sns:us-east-1:123456:MyTopic2']";
const sns = (properties: string, resources = '') =>
  withResource('AWS::SNS::TopicPolicy', `{ ${properties} }`, resources);

const ROLE_CONDITION = { 'aws:PrincipalArn': ['arn:aws:iam::971691587463:role/MyTestRoleArn'] };
const S3_LITERAL =
  "{ Version: '2012-10-17', Statement: [{ Effect: Allow, Action: 's3:*', Resource: 'arn:aws:s3:::MyTestBucket', Principal: '*', Condition: { ArnEquals: { 'aws:PrincipalArn': ['arn:aws:iam::971691587463:role/MyTestRoleArn'] } } }] }";
const S3_LITERAL_DOCUMENT = doc({
  Effect: 'Allow',
  Action: 's3:*',
  Resource: 'arn:aws:s3:::MyTestBucket',
  Principal: '*',
  Condition: { ArnEquals: ROLE_CONDITION },
});
const s3 = (properties: string, resources = '') =>
  withResource('AWS::S3::BucketPolicy', `{ ${properties} }`, resources);

const KMS_ACTIONS = ['kms:DescribeKey', 'kms:GetPublicKey', 'kms:Sign', 'kms:Verify'];
const kmsPolicy = (principal: string) =>
  `{ Version: '2012-10-17', Statement: [{ Sid: Allow use of the key, Effect: Allow, Principal: { AWS: ${principal} }, Action: [${KMS_ACTIONS.join(', ')}], Resource: '*' }] }`;
const kmsDocument = (principal: string) =>
  doc({
    Sid: 'Allow use of the key',
    Effect: 'Allow',
    Principal: { AWS: principal },
    Action: KMS_ACTIONS,
    Resource: '*',
  });

const SECRET_ARN = 'arn:aws:secretsmanager:us-west-2:111122223333:secret:aes128-1a2b3c';
const secretsPolicy = (resource: string) =>
  `{ Statement: [{ Sid: grant-1234-delete, Effect: Allow, Principal: { AWS: '111122223333' }, Action: [secretsmanager:DeleteSecret], Resource: ${resource} }] }`;
const secretsDocument = (resource: string) => ({
  Statement: [
    {
      Sid: 'grant-1234-delete',
      Effect: 'Allow',
      Principal: { AWS: '111122223333' },
      Action: ['secretsmanager:DeleteSecret'],
      Resource: resource,
    },
  ],
});
const secrets = (properties: string, resources = '') =>
  withResource('AWS::SecretsManager::ResourcePolicy', `{ ${properties} }`, resources);

const RUN_INSTANCE = doc({ Effect: 'Allow', Action: 'ec2:RunInstance', Resource: '*' });
const SAMPLE_B =
  "{ Version: '2012-10-17', Statement: [{ Effect: Allow, Action: [iam:CreateRole, iam:UpdateRole], Resource: '*' }] }";
const CREATE_ROLE = doc({
  Effect: 'Allow',
  Action: ['iam:CreateRole', 'iam:UpdateRole'],
  Resource: '*',
});
const RUN_ON_PARAMETER =
  "{ Version: '2012-10-17', Statement: [{ Effect: Allow, Action: ec2:RunInstance, Resource: !Ref Resource }] }";
const RUN_ON_MY_RESOURCE = doc({
  Effect: 'Allow',
  Action: 'ec2:RunInstance',
  Resource: 'my_resource/*',
});

/**
 * The peer's resource and identity parser tests (parsers_tests/resource_tests/test_sqs.py,
 * test_sns.py, test_s3_bucket_policy.py, test_kms.py, test_secrets_manager.py;
 * parsers_tests/test_identity_group_policy.py, test_identity_users.py,
 * test_identity_permission_sets.py): which policy a resource holds and what it resolves to. The
 * peer reports one resource per queue or topic named; we check the one document once.
 */
const PARSER_CASES: PolicyCase[] = [
  {
    peer: 'sqs::WhenParsingAnSqsQueuePolicy',
    yaml: sqs(`Queues: ${QUEUE_URLS}, PolicyDocument: ${SQS_LITERAL}`),
    policy: 'ResourceA/PolicyDocument',
    expected: sqsDocument('arn:aws:sqs:us-east-2:444455556666:queue1'),
  },
  {
    peer: 'sqs::WhenParsingAnSqsQueuePolicyWithReferencesInEachField',
    yaml: sqs(
      'Queues: [!Ref TestQueueA, !Ref TestQueueB], PolicyDocument: ' + SQS_REFERENCE,
      '  TestQueueA: { Type: AWS::SQS::Queue }\n  TestQueueB: { Type: AWS::SQS::Queue, Properties: { QueueName: MyTestQueueB } }\n',
    ),
    policy: 'ResourceA/PolicyDocument',
    expected: sqsDocument(`arn:aws:sqs:${R}:${A}:TestQueueA`),
  },
  {
    peer: 'sqs::WhenParsingAnSqsQueuePolicyWithQueueThatHasExplicitName',
    yaml: sqs(
      'Queues: [!Ref TestQueueA], PolicyDocument: ' + SQS_REFERENCE,
      '  TestQueueA: { Type: AWS::SQS::Queue, Properties: { QueueName: CustomQueueName } }\n',
    ),
    policy: 'ResourceA/PolicyDocument',
    expected: sqsDocument(`arn:aws:sqs:${R}:${A}:CustomQueueName`),
  },
  {
    peer: 'sqs::test_with_unsupported_function_in_unused_property',
    yaml: sqs(`Queues: ${QUEUE_URLS}, PolicyDocument: ${SQS_LITERAL}, ${UNUSED_GET_AZS}`),
    policy: 'ResourceA/PolicyDocument',
    expected: sqsDocument('arn:aws:sqs:us-east-2:444455556666:queue1'),
  },
  {
    peer: 'sqs::test_with_ref_to_parameter_in_unused_property',
    yaml: sqs(`Queues: ${QUEUE_URLS}, PolicyDocument: ${SQS_LITERAL}, ${UNUSED_REF}`),
    policy: 'ResourceA/PolicyDocument',
    expected: sqsDocument('arn:aws:sqs:us-east-2:444455556666:queue1'),
  },
  {
    peer: 'sqs::test_with_no_policy_document',
    yaml: sqs(`Queues: ${QUEUE_URLS}`),
    policy: 'ResourceA/PolicyDocument',
    expected: NO_POLICY,
  },
  {
    peer: 'sns::WhenParsingAnSnsTopicPolicy',
    yaml: sns(`Topics: ${TOPIC_ARNS}, PolicyDocument: ${SNS_LITERAL}`),
    policy: 'ResourceA/PolicyDocument',
    expected: snsDocument('arn:aws:sns:us-east-2:444455556666:MyTopic'),
  },
  {
    peer: 'sns::WhenParsingAnSnsTopicPolicyWithReferencesInEachField',
    yaml: sns(
      `Topics: [!Ref TestTopicA, !Ref TestTopicB], PolicyDocument: ${SNS_LITERAL.replace("'arn:aws:sns:us-east-2:444455556666:MyTopic'", '!Ref TestTopicA')}`,
      '  TestTopicA: { Type: AWS::SNS::Topic }\n  TestTopicB: { Type: AWS::SNS::Topic, Properties: { TopicName: MyTestTopicB } }\n',
    ),
    policy: 'ResourceA/PolicyDocument',
    expected: snsDocument(`arn:aws:sns:${R}:${A}:TestTopicA`),
  },
  {
    peer: 'sns::test_with_unsupported_function_in_unused_property',
    yaml: sns(`Topics: ${TOPIC_ARNS}, PolicyDocument: ${SNS_LITERAL}, ${UNUSED_GET_AZS}`),
    policy: 'ResourceA/PolicyDocument',
    expected: snsDocument('arn:aws:sns:us-east-2:444455556666:MyTopic'),
  },
  {
    peer: 'sns::test_with_no_policy_document',
    yaml: sns(`Topics: ${TOPIC_ARNS}`),
    policy: 'ResourceA/PolicyDocument',
    expected: NO_POLICY,
  },
  {
    peer: 'sns::test_with_no_properties',
    yaml: `Resources:\n  ResourceA: { Type: AWS::SNS::TopicPolicy }\n`,
    policy: 'ResourceA/PolicyDocument',
    expected: NO_POLICY,
  },
  {
    peer: 's3_bucket_policy::WhenParsingAnS3BucketPolicy',
    yaml: s3(
      `Bucket: MyBucket, PolicyDocument: ${S3_LITERAL}`,
      '  TestBucket: { Type: AWS::S3::Bucket }\n',
    ),
    policy: 'ResourceA/PolicyDocument',
    expected: S3_LITERAL_DOCUMENT,
  },
  {
    peer: 's3_bucket_policy::WhenParsingAnS3BucketPolicyWithReferencesInEachField',
    yaml: s3(
      "Bucket: !Ref MyBucket, PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: Deny, Action: 's3:*', Resource: [!GetAtt MyBucket.Arn, !Sub 'arn:aws:s3:::${MyBucket}/*'], Principal: '*', Condition: { ArnNotEquals: { 'aws:PrincipalArn': ['arn:aws:iam::971691587463:role/MyTestRoleArn'] } } }] }",
      '  MyBucket: { Type: AWS::S3::Bucket, Properties: { BucketName: MyCustomBucketName } }\n',
    ),
    policy: 'ResourceA/PolicyDocument',
    expected: doc({
      Effect: 'Deny',
      Action: 's3:*',
      Resource: ['arn:aws:s3:::MyCustomBucketName', 'arn:aws:s3:::MyCustomBucketName/*'],
      Principal: '*',
      Condition: { ArnNotEquals: ROLE_CONDITION },
    }),
  },
  {
    peer: 's3_bucket_policy::test_with_unsupported_function_in_unused_property',
    yaml: s3(`Bucket: MyBucket, PolicyDocument: ${S3_LITERAL}, ${UNUSED_GET_AZS}`),
    policy: 'ResourceA/PolicyDocument',
    expected: S3_LITERAL_DOCUMENT,
  },
  {
    peer: 's3_bucket_policy::test_with_ref_to_parameter_in_unused_property',
    yaml: s3(`Bucket: MyBucket, PolicyDocument: ${S3_LITERAL}, ${UNUSED_REF}`),
    policy: 'ResourceA/PolicyDocument',
    expected: S3_LITERAL_DOCUMENT,
  },
  {
    peer: 's3_bucket_policy::test_with_no_policy_document',
    yaml: s3('Bucket: MyBucket'),
    policy: 'ResourceA/PolicyDocument',
    expected: NO_POLICY,
  },
  {
    peer: 'kms::WhenParsingAKmsKeyPolicy',
    yaml: withResource(
      'AWS::KMS::Key',
      `{ KeyPolicy: ${kmsPolicy("'arn:aws:iam::111122223333:user/CMKUser'")} }`,
    ),
    policy: 'ResourceA/KeyPolicy',
    expected: kmsDocument('arn:aws:iam::111122223333:user/CMKUser'),
  },
  {
    peer: 'kms::WhenParsingAKmsKeyPolicyWithReferencesInEachField',
    yaml: withResource(
      'AWS::KMS::Key',
      `{ KeyPolicy: ${kmsPolicy('!GetAtt SomeUser.Arn')} }`,
      '  SomeUser: { Type: AWS::IAM::User }\n',
    ),
    policy: 'ResourceA/KeyPolicy',
    expected: kmsDocument(`arn:aws:iam::${A}:user/SomeUser`),
  },
  {
    peer: 'kms::test_with_unsupported_function_in_unused_property',
    yaml: withResource(
      'AWS::KMS::Key',
      `{ ${UNUSED_GET_AZS}, KeyPolicy: ${kmsPolicy("'arn:aws:iam::111122223333:user/CMKUser'")} }`,
    ),
    policy: 'ResourceA/KeyPolicy',
    expected: kmsDocument('arn:aws:iam::111122223333:user/CMKUser'),
  },
  {
    peer: 'kms::test_with_no_key_policy',
    yaml: withResource('AWS::KMS::Key', '{}'),
    policy: 'ResourceA/KeyPolicy',
    expected: NO_POLICY,
  },
  {
    peer: 'secrets_manager::WhenParsingASecretsManagerResourcePolicy',
    yaml: secrets(`SecretId: '${SECRET_ARN}', ResourcePolicy: ${secretsPolicy("'*'")}`),
    policy: 'ResourceA/ResourcePolicy',
    expected: secretsDocument('*'),
  },
  {
    peer: 'secrets_manager::WhenParsingASecretsManagerPolicyWithReferencesInEachField',
    yaml: secrets(
      `SecretId: !Ref SecretA, ResourcePolicy: ${secretsPolicy('!Ref SecretA')}`,
      '  SecretA: { Type: AWS::SecretsManager::Secret, Properties: { SecretString: secret } }\n',
    ),
    policy: 'ResourceA/ResourcePolicy',
    expected: secretsDocument(
      `arn:aws:secretsmanager:${R}:${A}:secret:SecretA-{{unresolved:suffix}}`,
    ),
    against:
      "Secrets Manager ends a secret's ARN with a hyphen and six random characters (the Secrets Manager user guide, What's in a secret); the peer leaves them out, we mark them as assigned at creation",
  },
  {
    peer: 'secrets_manager::test_with_ref_to_parameter_in_unused_property',
    yaml: secrets(
      `SecretId: '${SECRET_ARN}', ResourcePolicy: ${secretsPolicy("'*'")}, ${UNUSED_REF}`,
    ),
    policy: 'ResourceA/ResourcePolicy',
    expected: secretsDocument('*'),
  },
  {
    peer: 'secrets_manager::test_with_no_resource_policy',
    yaml: secrets(`SecretId: '${SECRET_ARN}'`),
    policy: 'ResourceA/ResourcePolicy',
    expected: NO_POLICY,
  },
  {
    peer: 'identity_group_policy::WhenParsingAGroupPolicyWithReferencesInEachField',
    yaml: `${params('Name', 'Resource')}Resources:
  GroupPolicy:
    Type: AWS::IAM::GroupPolicy
    Properties: { PolicyDocument: ${RUN_ON_PARAMETER}, PolicyName: !Ref Name, GroupName: !Ref Group }
  Group: { Type: AWS::IAM::Group }
`,
    parameters: { Name: 'PolicyName', Resource: 'my_resource/*' },
    policy: 'GroupPolicy/PolicyName',
    expected: RUN_ON_MY_RESOURCE,
  },
  {
    peer: 'identity_group_policy::WhenParsingAGroupPolicyAttachedToGroup',
    yaml: `Resources:
  GroupPolicy:
    Type: AWS::IAM::GroupPolicy
    Properties: { PolicyName: GroupPolicy, PolicyDocument: ${SAMPLE_A}, GroupName: !Ref GroupA }
  GroupA: { Type: AWS::IAM::Group }
`,
    policy: 'GroupPolicy/GroupPolicy',
    expected: RUN_INSTANCE,
  },
  {
    peer: 'identity_group_policy::WhenParsingAPolicyThatIsAttachedToAnExternalGroup',
    yaml: `${params('GroupA')}Resources:
  Policy:
    Type: AWS::IAM::GroupPolicy
    Properties: { PolicyName: MyPolicy, PolicyDocument: ${SAMPLE_A}, GroupName: !Ref GroupA }
`,
    parameters: { GroupA: 'MyGroupA' },
    policy: 'Policy/MyPolicy',
    expected: RUN_INSTANCE,
  },
  ...(['A', 'B'] as const).map((which): PolicyCase => ({
    peer: `identity_group_policy::WhenParsingMultipleGroupPoliciesWithTheSameName (${which})`,
    yaml: `Resources:
  GroupPolicyA:
    Type: AWS::IAM::GroupPolicy
    Properties: { PolicyDocument: ${SAMPLE_A}, PolicyName: Policy, GroupName: MyExternalGroup }
  GroupPolicyB:
    Type: AWS::IAM::GroupPolicy
    Properties: { PolicyDocument: ${SAMPLE_B}, PolicyName: Policy, GroupName: MyExternalGroup }
`,
    policy: `GroupPolicy${which}/Policy`,
    expected: which === 'A' ? RUN_INSTANCE : CREATE_ROLE,
  })),
  {
    peer: 'identity_group_policy::test_with_no_policy_document',
    yaml: `Resources:\n  GroupPolicy:\n    Type: AWS::IAM::GroupPolicy\n    Properties: { PolicyName: MyPolicy, GroupName: MyGroup }\n`,
    policy: 'GroupPolicy/MyPolicy',
    expected: NO_POLICY,
  },
  ...(['A', 'B'] as const).map((which): PolicyCase => ({
    peer: `identity_users::WhenParsingAnIAMPolicyAttachedToAUser (Policy${which})`,
    yaml: `Resources:
  User:
    Type: AWS::IAM::User
    Properties: { Policies: [{ PolicyName: PolicyA, PolicyDocument: ${SAMPLE_A} }, { PolicyName: PolicyB, PolicyDocument: ${SAMPLE_B} }] }
`,
    policy: `User/Policy${which}`,
    expected: which === 'A' ? RUN_INSTANCE : CREATE_ROLE,
  })),
  {
    peer: 'identity_users::WhenParsingAnIAMUserWithReferencesInEachField',
    yaml: `${params('UserPath', 'UserName', 'Resource')}Resources:
  ManagedPolicy: { Type: AWS::IAM::ManagedPolicy, Properties: { PolicyDocument: ${SAMPLE_A} } }
  ResourceA:
    Type: AWS::IAM::User
    Properties: { Path: !Ref UserPath, UserName: !Ref UserName, Policies: [{ PolicyName: Policy1, PolicyDocument: ${RUN_ON_PARAMETER} }], ManagedPolicyArns: [!Ref ManagedPolicy] }
`,
    parameters: {
      UserPath: '/custom/user/path',
      UserName: 'CustomUserName',
      Resource: 'my_resource/*',
    },
    policy: 'ResourceA/Policy1',
    expected: RUN_ON_MY_RESOURCE,
  },
  {
    peer: 'identity_permission_sets::WhenParsingAnInlinePolicyAttachedToAPermissionSet',
    yaml: withResource(
      'AWS::SSO::PermissionSet',
      `{ Name: MyPermissionSet, InlinePolicy: ${SAMPLE_A} }`,
    ),
    policy: 'ResourceA/MyPermissionSet',
    expected: RUN_INSTANCE,
  },
  {
    peer: 'identity_permission_sets::WhenParsingAPermissionSetWithReferencesInEachField',
    yaml: withResource(
      'AWS::SSO::PermissionSet',
      `{ Name: !Ref Name, InlinePolicy: ${RUN_ON_PARAMETER}, ManagedPolicies: [!Ref ManagedPolicy] }`,
      `  ManagedPolicy: { Type: AWS::IAM::ManagedPolicy, Properties: { PolicyDocument: ${SAMPLE_A} } }\n`,
      params('Name', 'ServiceName', 'Resource'),
    ),
    parameters: { Name: 'CustomName', Resource: 'my_resource/*' },
    policy: 'ResourceA/CustomName',
    expected: RUN_ON_MY_RESOURCE,
  },
  {
    peer: 'identity_permission_sets::WhenParsingAPermissionSetWithAName (no policies)',
    yaml: withResource('AWS::SSO::PermissionSet', '{ Name: MyPermissionSet }'),
    policy: 'ResourceA/MyPermissionSet',
    expected: NO_POLICY,
  },
];

/** Managed policies a principal is given, by ARN: which, and whether the template defines it. */
interface AttachedCase {
  peer: string;
  yaml: string;
  expected: { arn: string; ownPolicy: boolean }[];
}
const two = (type: string, property: string, extra = '') =>
  `Resources:
  ManagedPolicyA: { Type: AWS::IAM::ManagedPolicy, Properties: { PolicyDocument: ${SAMPLE_A} } }
  ManagedPolicyB: { Type: AWS::IAM::ManagedPolicy, Properties: { PolicyDocument: ${SAMPLE_B} } }
  Principal: { Type: ${type}, Properties: { ${extra}${property}: [!Ref ManagedPolicyA, !Ref ManagedPolicyB] } }
`;
const byArn = (type: string, property: string, extra = '') =>
  `Resources:
  Principal:
    Type: ${type}
    Properties: { ${extra}${property}: ['arn:aws:iam::${A}:policy/MyManagedPolicy'] }
    DependsOn: ManagedPolicyA
  ManagedPolicyA: { Type: AWS::IAM::ManagedPolicy, Properties: { ManagedPolicyName: MyManagedPolicy, PolicyDocument: ${SAMPLE_A} } }
`;
const awsManaged = (type: string, property: string, extra = '') =>
  `Resources:
  Principal:
    Type: ${type}
    Properties: { ${extra}${property}: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole', 'arn:aws:iam::aws:policy/AWSLambdaExecute'] }
`;
const OWN_TWO = [
  { arn: `arn:aws:iam::${A}:policy/ManagedPolicyA`, ownPolicy: true },
  { arn: `arn:aws:iam::${A}:policy/ManagedPolicyB`, ownPolicy: true },
];
const OWN_BY_ARN = [{ arn: `arn:aws:iam::${A}:policy/MyManagedPolicy`, ownPolicy: true }];
const AWS_MANAGED = [
  { arn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole', ownPolicy: false },
  { arn: 'arn:aws:iam::aws:policy/AWSLambdaExecute', ownPolicy: false },
];
const ATTACHED_CASES: AttachedCase[] = [
  {
    peer: 'identity_users::WhenParsingManagedPoliciesAttachedToAUserFromTheUser',
    yaml: two('AWS::IAM::User', 'ManagedPolicyArns'),
    expected: OWN_TWO,
  },
  {
    peer: 'identity_users::WhenParsingManagedPoliciesAttachedToAUserFromTheUserAndArnIsNotRef',
    yaml: byArn('AWS::IAM::User', 'ManagedPolicyArns'),
    expected: OWN_BY_ARN,
  },
  {
    peer: 'identity_users::WhenParsingManagedPolicyAttachedToAUserAndThePolicyIsAWSManaged',
    yaml: awsManaged('AWS::IAM::User', 'ManagedPolicyArns'),
    expected: AWS_MANAGED,
  },
  {
    peer: 'identity_permission_sets::WhenParsingManagedPoliciesAttachedToAPermissionSet',
    yaml: two('AWS::SSO::PermissionSet', 'ManagedPolicies', 'Name: MyPermissionSet, '),
    expected: OWN_TWO,
  },
  {
    peer: 'identity_permission_sets::WhenParsingManagedPoliciesAttachedToAPermissionSetAndArnIsNotRef',
    yaml: byArn('AWS::SSO::PermissionSet', 'ManagedPolicies', 'Name: MyPermissionSet, '),
    expected: OWN_BY_ARN,
  },
  {
    peer: 'identity_permission_sets::WhenParsingManagedPolicyAttachedToAPermissionSetAndThePolicyIsAWSManaged',
    yaml: awsManaged('AWS::SSO::PermissionSet', 'ManagedPolicies', 'Name: MyPermissionSet, '),
    expected: AWS_MANAGED,
  },
];

function resolveCase(c: Case) {
  const parsed = template(c.yaml);
  const resolver = new TemplateResolver(parsed.root, { ...scope, parameters: c.parameters ?? {} });
  return resolver.document(at(parsed.root, 'Resources', 'Subject', 'Properties', 'Value')!);
}

describe('extraction cases restated from the peer validator', () => {
  it('counts 150 or more cases', () => {
    expect(
      ALL.flatMap(([, cases]) => cases).length +
        POLICY_CASES.length +
        PARSER_CASES.length +
        ATTACHED_CASES.length,
    ).toBeGreaterThanOrEqual(150);
  });

  describe('policies built or read from resources', () => {
    it.each([...POLICY_CASES, ...PARSER_CASES].map((c) => [c.peer, c] as const))(
      '%s',
      (_name, c) => {
        const parsed = template(c.yaml);
        const resolver = new TemplateResolver(parsed.root, {
          ...scope,
          parameters: c.parameters ?? {},
        });
        const policy = extractPolicies(parsed, resolver).find(
          (p) => `${p.logicalId}/${p.policyName}` === c.policy,
        );
        if (c.expected === NO_POLICY) return expect(policy, c.policy).toBeUndefined();
        expect(policy, c.policy).toBeDefined();
        const { document } = resolver.document(policy!.node);
        expect(policy!.finish ? policy!.finish(document, scope) : document).toEqual(c.expected);
      },
    );
  });

  describe('managed policies attached to principals', () => {
    it.each(ATTACHED_CASES.map((c) => [c.peer, c] as const))('%s', (_name, c) => {
      const parsed = template(c.yaml);
      const resolver = new TemplateResolver(parsed.root, scope);
      const attached = attachedPolicies(parsed, resolver, scope.partition);
      expect(attached.map(({ arn, ownPolicy }) => ({ arn, ownPolicy }))).toEqual(c.expected);
    });
  });

  for (const [group, cases] of ALL)
    describe(group, () => {
      it.each(cases.map((c) => [c.peer, c] as const))('%s', (_name, c) => {
        const resolved = resolveCase(c);
        if (c.expected === UNKNOWN) {
          expect(isPlaceholder(resolved.document)).toBe(true);
          expect(resolved.notes.length).toBeGreaterThan(0);
        } else {
          expect(resolved.document).toEqual(c.expected);
        }
      });
    });
});
