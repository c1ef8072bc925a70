// What Ref and Fn::GetAtt resolve to for types outside the hand table, from the schema digest
// (src/policies/resource-schemas.json, written by scripts/resource-schemas.ts).
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { at } from '../../src/model/template.js';
import schemas from '../../src/policies/resource-schemas.json' with { type: 'json' };
import { isPlaceholder, TemplateResolver } from '../../src/policies/resolve.js';
import { template } from './helpers.js';

const R = 'eu-west-1';
const A = '111122223333';

interface Case {
  type: string;
  properties?: string;
  /** Ref or Fn::GetAtt of the resource `Res`. */
  expression: string;
  /** The value, or `placeholder` with the part AWS assigns (the whole value when alone). */
  expected: string;
}

// ARN formats are the CDK service spec's (taken from the Service Authorization Reference). Looked
// up besides: Glue job `arn:aws:glue:region:account-id:job/job-name` (AWS re:Post answer citing the
// Glue developer guide), CloudWatch alarm `arn:aws:cloudwatch:region:account-id:alarm:alarm-name`
// (the AlarmArn field as the CloudWatch API describes it), EC2 `vpc/vpc-…` and `instance/i-…`.
const CASES: Case[] = [
  // The template names the resource: Ref and the ARN carry that name.
  {
    type: 'AWS::AccessAnalyzer::Analyzer',
    properties: '{ AnalyzerName: audit, Type: ACCOUNT }',
    expression: '!Ref Res',
    expected: `arn:aws:access-analyzer:${R}:${A}:analyzer/audit`,
  },
  {
    type: 'AWS::Batch::JobQueue',
    properties: '{ JobQueueName: jobs }',
    expression: '!Ref Res',
    expected: `arn:aws:batch:${R}:${A}:job-queue/jobs`,
  },
  {
    type: 'AWS::SageMaker::NotebookInstance',
    properties: '{ NotebookInstanceName: lab }',
    expression: '!Ref Res',
    expected: `arn:aws:sagemaker:${R}:${A}:notebook-instance/lab`,
  },
  {
    type: 'AWS::StepFunctions::Activity',
    properties: '{ Name: approve }',
    expression: '!Ref Res',
    expected: `arn:aws:states:${R}:${A}:activity:approve`,
  },
  {
    type: 'AWS::CodeBuild::Project',
    properties: '{ Name: build }',
    expression: '!GetAtt Res.Arn',
    expected: `arn:aws:codebuild:${R}:${A}:project/build`,
  },
  {
    type: 'AWS::CodeBuild::Project',
    properties: '{ Name: build }',
    expression: '!Ref Res',
    expected: 'build',
  },
  {
    type: 'AWS::ECS::Cluster',
    properties: '{ ClusterName: apps }',
    expression: '!GetAtt Res.Arn',
    expected: `arn:aws:ecs:${R}:${A}:cluster/apps`,
  },
  {
    type: 'AWS::CloudWatch::Alarm',
    properties: '{ AlarmName: lag }',
    expression: '!GetAtt Res.Arn',
    expected: `arn:aws:cloudwatch:${R}:${A}:alarm:lag`,
  },
  {
    type: 'AWS::EKS::Cluster',
    properties: '{ Name: kube }',
    expression: '!GetAtt Res.Arn',
    expected: `arn:aws:eks:${R}:${A}:cluster/kube`,
  },
  {
    type: 'AWS::KinesisFirehose::DeliveryStream',
    properties: '{ DeliveryStreamName: events }',
    expression: '!GetAtt Res.Arn',
    expected: `arn:aws:firehose:${R}:${A}:deliverystream/events`,
  },
  {
    type: 'AWS::MWAA::Environment',
    properties: '{ Name: airflow }',
    expression: '!GetAtt Res.Arn',
    expected: `arn:aws:airflow:${R}:${A}:environment/airflow`,
  },
  {
    type: 'AWS::IoT::Thing',
    properties: '{ ThingName: sensor }',
    expression: '!GetAtt Res.Arn',
    expected: `arn:aws:iot:${R}:${A}:thing/sensor`,
  },
  {
    type: 'AWS::CodeCommit::Repository',
    properties: '{ RepositoryName: infra }',
    expression: '!GetAtt Res.Arn',
    expected: `arn:aws:codecommit:${R}:${A}:infra`,
  },
  {
    type: 'AWS::AppMesh::Mesh',
    properties: '{ MeshName: mesh }',
    expression: '!Ref Res',
    expected: `arn:aws:appmesh:${R}:${A}:mesh/mesh`,
  },
  {
    type: 'AWS::EventSchemas::Registry',
    properties: '{ RegistryName: orders }',
    expression: '!Ref Res',
    expected: `arn:aws:schemas:${R}:${A}:registry/orders`,
  },
  // `${Name}` in the template is the firewall's FirewallName.
  {
    type: 'AWS::NetworkFirewall::TLSInspectionConfiguration',
    properties: '{ TLSInspectionConfigurationName: tls }',
    expression: '!GetAtt Res.TLSInspectionConfigurationArn',
    expected: `arn:aws:network-firewall:${R}:${A}:tls-configuration/tls`,
  },
  {
    type: 'AWS::Glue::Job',
    properties: '{ Name: nightly }',
    expression: '!Ref Res',
    expected: 'nightly',
  },
  // Without a name in the template the logical id stands for the one AWS generates.
  {
    type: 'AWS::ECS::Cluster',
    expression: '!GetAtt Res.Arn',
    expected: `arn:aws:ecs:${R}:${A}:cluster/Res`,
  },
  // Ref returns a property the template sets (a parent's identifier): its value.
  {
    type: 'AWS::SecretsManager::ResourcePolicy',
    properties: `{ SecretId: 'arn:aws:secretsmanager:${R}:${A}:secret:db-AbCdEf', ResourcePolicy: {} }`,
    expression: '!Ref Res',
    expected: `arn:aws:secretsmanager:${R}:${A}:secret:db-AbCdEf`,
  },
  {
    type: 'AWS::Logs::SubscriptionFilter',
    properties: '{ FilterName: ship, LogGroupName: app }',
    expression: '!Ref Res',
    expected: 'ship',
  },
  // Ids AWS assigns: a placeholder, inside the ARN where the format is known.
  {
    type: 'AWS::AppSync::GraphQLApi',
    properties: '{ Name: api }',
    expression: '!Ref Res',
    expected: `arn:aws:appsync:${R}:${A}:apis/{{unresolved:GraphQLAPIId}}`,
  },
  {
    type: 'AWS::Cognito::UserPool',
    expression: '!GetAtt Res.Arn',
    expected: `arn:aws:cognito-idp:${R}:${A}:userpool/{{unresolved:UserPoolId}}`,
  },
  {
    type: 'AWS::Transfer::Server',
    expression: '!Ref Res',
    expected: `arn:aws:transfer:${R}:${A}:server/{{unresolved:ServerId}}`,
  },
  {
    type: 'AWS::Config::ConfigRule',
    properties: '{ ConfigRuleName: tagged }',
    expression: '!GetAtt Res.Arn',
    expected: `arn:aws:config:${R}:${A}:config-rule/{{unresolved:ConfigRuleId}}`,
  },
  {
    type: 'AWS::Config::ConfigRule',
    properties: '{ ConfigRuleName: tagged }',
    expression: '!Ref Res',
    expected: 'tagged',
  },
  // More than one segment after `schedule/` in cfn-lint's pattern (group and name): not the name.
  {
    type: 'AWS::Scheduler::Schedule',
    properties: '{ Name: nightly }',
    expression: '!GetAtt Res.Arn',
    expected: `arn:aws:scheduler:${R}:${A}:schedule/{{unresolved:id}}`,
  },
  { type: 'AWS::EC2::VPC', expression: '!Ref Res', expected: 'placeholder' },
  { type: 'AWS::EC2::VPC', expression: '!GetAtt Res.VpcId', expected: 'placeholder' },
  { type: 'AWS::EC2::Instance', expression: '!Ref Res', expected: 'placeholder' },
  { type: 'AWS::CloudFront::Distribution', expression: '!Ref Res', expected: 'placeholder' },
  // An ARN no source gives the format of: unknown, not guessed from the type's name.
  { type: 'AWS::ECS::TaskDefinition', expression: '!Ref Res', expected: 'placeholder' },
  { type: 'AWS::Kinesis::StreamConsumer', expression: '!Ref Res', expected: 'placeholder' },
  { type: 'AWS::SNS::Subscription', expression: '!Ref Res', expected: 'placeholder' },
  // A compound identifier.
  {
    type: 'AWS::ApplicationAutoScaling::ScalableTarget',
    expression: '!Ref Res',
    expected: 'placeholder',
  },
  { type: 'AWS::WAFv2::IPSet', expression: '!Ref Res', expected: 'placeholder' },
];

function resolve(c: Case) {
  const properties = c.properties ? `, Properties: ${c.properties}` : '';
  const parsed = template(
    `Resources:\n  Res: { Type: ${c.type}${properties} }\n  Subject:\n    Type: AWS::Custom::Thing\n    Properties:\n      Value: ${c.expression}\n`,
  );
  const resolver = new TemplateResolver(parsed.root, {
    region: R,
    accountId: A,
    partition: 'aws',
    parameters: {},
  });
  return resolver.document(at(parsed.root, 'Resources', 'Subject', 'Properties', 'Value')!);
}

describe('Ref and Fn::GetAtt from the schema digest', () => {
  it.each(CASES.map((c) => [`${c.type} ${c.expression}`, c] as const))('%s', (_name, c) => {
    const resolved = resolve(c);
    if (c.expected === 'placeholder') {
      expect(String(resolved.document)).toMatch(/^\{\{unresolved:/);
    } else {
      expect(resolved.document).toBe(c.expected);
    }
    // A placeholder comes with exactly one note saying why.
    expect(resolved.notes).toHaveLength(isPlaceholder(resolved.document) ? 1 : 0);
  });

  it('covers many services outside the hand table', () => {
    const services = new Set(CASES.map((c) => c.type.split('::')[1]));
    expect(services.size).toBeGreaterThanOrEqual(25);
  });
});

describe('the schema digest', () => {
  const types = schemas.types as Record<string, string>;

  it('was written from the installed service spec', () => {
    const installed = JSON.parse(
      fs.readFileSync('node_modules/@aws-cdk/aws-service-spec/package.json', 'utf8'),
    ) as { version: string };
    expect(schemas.serviceSpec).toBe(installed.version);
  });

  it('holds one line per type: ref | name property | attributes | ARN format', () => {
    expect(Object.keys(types).length).toBeGreaterThan(1800);
    for (const [type, line] of Object.entries(types)) {
      const [, name, , arn, ...rest] = line.split('|');
      expect(rest, type).toEqual([]);
      // `{name}` only where a property sets the name; other parts are placeholders.
      if (arn) expect(arn, type).toMatch(/^arn:\{P\}:[a-z0-9-]+:(\{R\})?:(\{A\}|aws)?:/);
      if (arn?.includes('{name}')) expect(name, type).not.toBe('');
      expect(
        arn?.replace(/\{\{unresolved:[A-Za-z0-9]+\}\}|\{[PRA]\}|\{name\}/g, ''),
        type,
      ).not.toMatch(/[{}$]/);
    }
  });
});
