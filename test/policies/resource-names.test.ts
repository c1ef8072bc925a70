// What Ref and Fn::GetAtt resolve to, from the shapes and the resource schema digest.
import { describe, expect, it } from 'vitest';
import { at } from '../../src/model/template.js';
import { TemplateResolver } from '../../src/policies/resolve.js';
import { template } from './helpers.js';

const RESOURCES = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Kafka: { Type: AWS::MSK::Cluster }
  GitHub:
    Type: AWS::IAM::OIDCProvider
    Properties: { Url: https://token.actions.githubusercontent.com }
  Okta: { Type: AWS::IAM::SAMLProvider, Properties: { Name: okta } }
  Runner: { Type: AWS::IAM::Role, Properties: { RoleName: runner, Path: /ci/ } }
  Plain: { Type: AWS::IAM::Role, Properties: { RoleName: plain } }
  Boundary: { Type: AWS::IAM::ManagedPolicy, Properties: { ManagedPolicyName: b, Path: /guard/ } }
  Profile: { Type: AWS::IAM::InstanceProfile, Properties: { Path: /ec2/ } }
  Db: { Type: AWS::RDS::DBCluster, Properties: { DBClusterIdentifier: lake } }
  Vpc: { Type: AWS::EC2::VPC }
  Lookup: { Type: Custom::Lookup }
  Agent: { Type: AWS::Bedrock::Agent, Properties: { AgentName: helper } }
  Task: { Type: AWS::DataSync::Task }
  Secret: { Type: AWS::SecretsManager::Secret, Properties: { Name: db } }
  Key: { Type: AWS::KMS::Key }
  Files: { Type: AWS::EFS::FileSystem }
  Subject:
    Type: AWS::Custom::Thing
    Properties:
      Value:
`;

function resolve(yaml: string) {
  const parsed = template(RESOURCES + yaml.replace(/^/gm, '        '));
  const resolver = new TemplateResolver(parsed.root, {
    region: 'eu-west-1',
    accountId: '111122223333',
    partition: 'aws',
    parameters: {},
  });
  return resolver.document(at(parsed.root, 'Resources', 'Subject', 'Properties', 'Value')!);
}
const value = (yaml: string) => resolve(yaml).document;

describe('resource names', () => {
  it('Ref returns an ARN for types whose schema identifier is one', () => {
    expect(value('!Ref Kafka')).toBe(
      'arn:aws:kafka:eu-west-1:111122223333:cluster/Kafka/{{unresolved:uuid}}',
    );
    expect(value('!GetAtt Kafka.Arn')).toBe(
      'arn:aws:kafka:eu-west-1:111122223333:cluster/Kafka/{{unresolved:uuid}}',
    );
  });

  it('takes ARN formats from the service spec, else from the pattern in the schema', () => {
    // The agent id is AWS's: a placeholder, never the logical id.
    expect(value('!GetAtt Agent.AgentArn')).toBe(
      'arn:aws:bedrock:eu-west-1:111122223333:agent/{{unresolved:AgentId}}',
    );
    // No template in the service spec: service, region and prefix from cfn-lint's pattern.
    expect(value('!Ref Task')).toBe(
      'arn:aws:datasync:eu-west-1:111122223333:task/task-{{unresolved:id}}',
    );
  });

  it('OIDC and SAML providers get their real ARN formats', () => {
    expect(value('!Ref GitHub')).toBe(
      'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com',
    );
    expect(value('!Ref Okta')).toBe('arn:aws:iam::111122223333:saml-provider/okta');
  });

  it('keeps IAM paths in role, managed policy and instance profile ARNs', () => {
    expect(value('!GetAtt Runner.Arn')).toBe('arn:aws:iam::111122223333:role/ci/runner');
    expect(value('!GetAtt Plain.Arn')).toBe('arn:aws:iam::111122223333:role/plain');
    expect(value('!Ref Boundary')).toBe('arn:aws:iam::111122223333:policy/guard/b');
    expect(value('!GetAtt Profile.Arn')).toBe(
      'arn:aws:iam::111122223333:instance-profile/ec2/Profile',
    );
  });

  it('attributes that cannot be known become placeholders with a note, not invented values', () => {
    const cases = [
      '!GetAtt Db.MasterUserSecret.SecretArn',
      '!GetAtt Vpc.DefaultSecurityGroup',
      '!GetAtt Lookup.Arn',
      '!Ref Lookup',
    ];
    for (const yaml of cases) {
      const resolved = resolve(yaml);
      expect(String(resolved.document), yaml).toMatch(/^\{\{unresolved:/);
      expect(resolved.notes.length, yaml).toBeGreaterThan(0);
    }
    expect(value('!GetAtt Db.DBClusterArn')).toBe(
      'arn:aws:rds:eu-west-1:111122223333:cluster:lake',
    );
  });

  it('parts of an ARN AWS assigns are placeholders in the hand table too', () => {
    // Secrets Manager appends a hyphen and six random characters to the name.
    expect(value('!Ref Secret')).toBe(
      'arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-{{unresolved:suffix}}',
    );
    expect(value('!Ref Key')).toBe('{{unresolved:KeyId}}');
    expect(value('!GetAtt Files.Arn')).toBe(
      'arn:aws:elasticfilesystem:eu-west-1:111122223333:file-system/{{unresolved:FileSystemId}}',
    );
    expect(resolve('!GetAtt Files.FileSystemId').notes).toHaveLength(1);
  });
});
