import { describe, expect, it } from 'vitest';
import {
  attachedPolicies,
  extractPolicies,
  lambdaFunctionArn,
  POLICY_RESOURCE_TYPES,
} from '../../src/policies/extract.js';
import { TemplateResolver } from '../../src/policies/resolve.js';
import { fixture, withResources } from './helpers.js';

const scope = { region: 'eu-west-1', accountId: '111122223333', partition: 'aws', parameters: {} };

describe('extractPolicies', () => {
  it('finds every policy in the fixture at the line its document starts', () => {
    const parsed = fixture('all-types.yaml');
    const policies = extractPolicies(parsed, new TemplateResolver(parsed.root, scope));
    const expected = parsed.text
      .split('\n')
      .flatMap((line, index) => {
        const mark = /# doc:(\S+)\/(\S+)/.exec(line);
        return mark ? [{ id: `${mark[1]}/${mark[2]}`, line: index + 1 }] : [];
      })
      .sort((a, b) => a.id.localeCompare(b.id));
    const found = policies
      .map((p) => ({ id: `${p.logicalId}/${p.policyName}`, line: p.start.line }))
      .sort((a, b) => a.id.localeCompare(b.id));
    expect(found).toEqual(expected);
    // Including ProdManaged, whose Condition is false with the defaults.
    expect(expected.length).toBe(35);
  });

  it('covers every resource type of the fixture, and the fixture covers every type we read', () => {
    const parsed = fixture('all-types.yaml');
    const policies = extractPolicies(parsed, new TemplateResolver(parsed.root, scope));
    const types = new Set(policies.map((p) => p.resourceType));
    const notInFixture = POLICY_RESOURCE_TYPES.filter((t) => !types.has(t));
    // Types read but kept out of the fixture to keep it short; each has its own test below.
    expect(notInFixture).toEqual([
      'AWS::CodeArtifact::Repository',
      'AWS::DynamoDB::GlobalTable',
      'AWS::Events::EventBus',
      'AWS::Kinesis::ResourcePolicy',
      'AWS::Organizations::Policy',
      'AWS::S3Express::BucketPolicy',
      'AWS::Serverless::Function',
      'AWS::Serverless::StateMachine',
    ]);
  });

  it('gives trust and bucket policies the policy and resource types Access Analyzer expects', () => {
    const parsed = fixture('all-types.yaml');
    const policies = extractPolicies(parsed, new TemplateResolver(parsed.root, scope));
    const byId = (id: string) => policies.find((p) => `${p.logicalId}/${p.policyName}` === id)!;
    expect(byId('Role/AssumeRolePolicyDocument')).toMatchObject({
      policyType: 'RESOURCE_POLICY',
      validatePolicyResourceType: 'AWS::IAM::AssumeRolePolicyDocument',
    });
    expect(byId('Role/inline-read').policyType).toBe('IDENTITY_POLICY');
    expect(byId('Role/inline-read').validatePolicyResourceType).toBeUndefined();
    expect(byId('BucketPolicy/PolicyDocument')).toMatchObject({
      policyType: 'RESOURCE_POLICY',
      validatePolicyResourceType: 'AWS::S3::Bucket',
      publicAccessResourceType: 'AWS::S3::Bucket',
    });
    expect(byId('Table/ResourcePolicy.PolicyDocument').validatePolicyResourceType).toBe(
      'AWS::DynamoDB::Table',
    );
  });

  it('labels resources whose Condition is false, and skips list items switched off with Fn::If', () => {
    const parsed = fixture('all-types.yaml');
    const found = extractPolicies(parsed, new TemplateResolver(parsed.root, scope));
    const ids = found.map((p) => `${p.logicalId}/${p.policyName}`);
    expect(ids).not.toContain('Role/prod-only');
    expect(found.find((p) => p.logicalId === 'ProdManaged')?.inactiveCondition).toBe('IsProd');
    expect(found.filter((p) => p.inactiveCondition).map((p) => p.logicalId)).toEqual([
      'ProdManaged',
    ]);
    const prod = new TemplateResolver(parsed.root, { ...scope, parameters: { Stage: 'prod' } });
    const prodPolicies = extractPolicies(parsed, prod);
    const prodIds = prodPolicies.map((p) => `${p.logicalId}/${p.policyName}`);
    expect(prodIds).toContain('ProdManaged/PolicyDocument');
    expect(prodIds).toContain('Role/prod-only');
    expect(prodPolicies.some((p) => p.inactiveCondition)).toBe(false);
  });

  it('builds the statement of a Lambda permission from its properties', () => {
    const parsed = withResources(`  Fn:
    Type: AWS::Lambda::Function
    Properties: { FunctionName: worker, Runtime: nodejs20.x, Handler: i.h, Role: r, Code: { ZipFile: x } }
  Invoke:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Fn
      Principal: events.amazonaws.com
      SourceArn: arn:aws:events:eu-west-1:111122223333:rule/nightly
      SourceAccount: '111122223333'
`);
    const resolver = new TemplateResolver(parsed.root, scope);
    const [policy] = extractPolicies(parsed, resolver);
    const resolved = resolver.document(policy!.node);
    expect(policy!.finish!(resolved.document, scope)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'lambda:InvokeFunction',
          Resource: 'arn:aws:lambda:eu-west-1:111122223333:function:worker',
          Condition: {
            ArnLike: { 'AWS:SourceArn': 'arn:aws:events:eu-west-1:111122223333:rule/nightly' },
            StringEquals: { 'AWS:SourceAccount': '111122223333' },
          },
        },
      ],
    });
    // The Principal of the built statement points at the Principal property's line.
    expect(resolved.positions.get(JSON.stringify(['Statement', 0, 'Principal']))?.line).toBe(11);
  });

  it('reads the types kept out of the fixture', () => {
    const parsed = withResources(`  Repo:
    Type: AWS::CodeArtifact::Repository
    Properties: { RepositoryName: r, DomainName: d, PermissionsPolicyDocument: { Version: '2012-10-17', Statement: [] } }
  Global:
    Type: AWS::DynamoDB::GlobalTable
    Properties:
      Replicas:
        - Region: eu-west-1
          ResourcePolicy: { PolicyDocument: { Version: '2012-10-17', Statement: [] } }
        - Region: us-east-1
  Bus:
    Type: AWS::EventBus::Nothing
  EventBus:
    Type: AWS::Events::EventBus
    Properties: { Name: bus, Policy: { Version: '2012-10-17', Statement: [] } }
  Stream:
    Type: AWS::Kinesis::ResourcePolicy
    Properties: { ResourceArn: a, ResourcePolicy: { Version: '2012-10-17', Statement: [] } }
  Scp:
    Type: AWS::Organizations::Policy
    Properties: { Name: deny-regions, Type: SERVICE_CONTROL_POLICY, Content: { Version: '2012-10-17', Statement: [] } }
  Tags:
    Type: AWS::Organizations::Policy
    Properties: { Name: tags, Type: TAG_POLICY, Content: { tags: {} } }
  Express:
    Type: AWS::S3Express::BucketPolicy
    Properties: { Bucket: b, PolicyDocument: { Version: '2012-10-17', Statement: [] } }
`);
    const found = extractPolicies(parsed, new TemplateResolver(parsed.root, scope)).map(
      (p) => `${p.logicalId}/${p.policyName}/${p.policyType}`,
    );
    expect(found).toEqual([
      'Repo/PermissionsPolicyDocument/RESOURCE_POLICY',
      'Global/Replicas[0].ResourcePolicy.PolicyDocument/RESOURCE_POLICY',
      'EventBus/Policy/RESOURCE_POLICY',
      'Stream/ResourcePolicy/RESOURCE_POLICY',
      'Scp/deny-regions/SERVICE_CONTROL_POLICY',
      'Express/PolicyDocument/RESOURCE_POLICY',
    ]);
  });

  it('reads the inline documents and the expanded policy templates of SAM functions and state machines', () => {
    const parsed = withResources(
      `  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Policies:
        - AWSLambdaBasicExecutionRole
        - S3ReadPolicy: { BucketName: data }
        - Version: '2012-10-17'
          Statement:
            - { Effect: Allow, Action: sqs:SendMessage, Resource: '*' }
        - !If [IsProd, { Statement: [{ Effect: Allow, Action: 's3:*', Resource: '*' }] }, !Ref AWS::NoValue]
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Policies:
        Version: '2012-10-17'
        Statement:
          - { Effect: Allow, Action: lambda:InvokeFunction, Resource: '*' }
`,
      'Conditions:\n  IsProd: !Equals [a, b]\n',
    );
    const found = extractPolicies(parsed, new TemplateResolver(parsed.root, scope)).map(
      (p) => `${p.logicalId}/${p.policyName}/${p.policyType}:${p.start.line}`,
    );
    expect(found).toEqual([
      'Fn/S3ReadPolicy/IDENTITY_POLICY:11',
      'Fn/Policies[2]/IDENTITY_POLICY:12',
      'Machine/Policies/IDENTITY_POLICY:20',
    ]);
  });

  it('expands a SAM policy template with its values, as SAM does', () => {
    const parsed = withResources(`  Table: { Type: AWS::DynamoDB::Table }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - DynamoDBCrudPolicy: { TableName: !Ref Table }
        - VPCAccessPolicy: {}
`);
    const resolver = new TemplateResolver(parsed.root, scope);
    const [crud, vpc] = extractPolicies(parsed, resolver);
    expect(crud!.start.line).toBe(8);
    const document = resolver.document(crud!.node).document as {
      Version: string;
      Statement: { Action: string[]; Resource: string[] }[];
    };
    expect(document.Version).toBe('2012-10-17');
    expect(document.Statement[0]!.Action).toContain('dynamodb:PutItem');
    expect(document.Statement[0]!.Resource).toEqual([
      'arn:aws:dynamodb:eu-west-1:111122223333:table/Table',
      'arn:aws:dynamodb:eu-west-1:111122223333:table/Table/index/*',
    ]);
    expect(resolver.document(vpc!.node).document).toMatchObject({
      Statement: [
        { Action: expect.arrayContaining(['ec2:CreateNetworkInterface']), Resource: '*' },
      ],
    });
  });

  it('lists the managed policies principals are given, SAM names as AWS managed ARNs', () => {
    const parsed = withResources(`  Own:
    Type: AWS::IAM::ManagedPolicy
    Properties: { PolicyDocument: { Statement: [] } }
  Named:
    Type: AWS::IAM::ManagedPolicy
    Properties: { ManagedPolicyName: MyManagedPolicy, PolicyDocument: { Statement: [] } }
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: { Statement: [] }
      ManagedPolicyArns:
        - !Sub arn:\${AWS::Partition}:iam::aws:policy/AdministratorAccess
        - !Ref Own
        - arn:aws:iam::111122223333:policy/MyManagedPolicy
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies: [AmazonS3FullAccess, { S3ReadPolicy: { BucketName: b } }]
`);
    const found = attachedPolicies(parsed, new TemplateResolver(parsed.root, scope), 'aws');
    expect(found.map((a) => [a.logicalId, a.arn, a.ownPolicy, a.start.line])).toEqual([
      ['Role', 'arn:aws:iam::aws:policy/AdministratorAccess', false, 14],
      ['Role', 'arn:aws:iam::111122223333:policy/Own', true, 15],
      // Named by its ARN, as the peer's identity_roles test attaches it: still the template's own.
      ['Role', 'arn:aws:iam::111122223333:policy/MyManagedPolicy', true, 16],
      ['Fn', 'arn:aws:iam::aws:policy/AmazonS3FullAccess', false, 20],
    ]);
  });

  it('reads per-resource suppressions from Metadata', () => {
    const parsed = withResources(`  Role:
    Type: AWS::IAM::Role
    Metadata:
      iac-action:
        ignore-policy-findings: [MISSING_VERSION, 'PASS_ROLE_WITH_STAR_IN_RESOURCE']
    Properties:
      AssumeRolePolicyDocument: { Statement: [] }
`);
    const [policy] = extractPolicies(parsed, new TemplateResolver(parsed.root, scope));
    expect(policy!.suppressed).toEqual(['MISSING_VERSION', 'PASS_ROLE_WITH_STAR_IN_RESOURCE']);
  });

  it('does not crash on odd resources', () => {
    const parsed = withResources(`  A: 3
  B: { Type: AWS::IAM::Role }
  C: { Type: AWS::IAM::Role, Properties: { Policies: !Ref Nothing } }
  D: { Type: AWS::IAM::Role, Properties: { Policies: [3, { PolicyName: x }] } }
  E: { Type: [list], Properties: {} }
`);
    expect(extractPolicies(parsed, new TemplateResolver(parsed.root, scope))).toEqual([]);
  });

  it('marks VPC endpoint policies as limiting, not granting', () => {
    const parsed = withResources(`  Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: vpc-1
      ServiceName: com.amazonaws.eu-west-1.s3
      PolicyDocument: { Statement: [{ Effect: Allow, Principal: '*', Action: '*', Resource: '*' }] }
  Bucket:
    Type: AWS::S3::BucketPolicy
    Properties: { Bucket: b, PolicyDocument: { Statement: [] } }
`);
    const found = extractPolicies(parsed, new TemplateResolver(parsed.root, scope));
    expect(found.map((p) => [p.logicalId, p.limitsOnly === true])).toEqual([
      ['Endpoint', true],
      ['Bucket', false],
    ]);
  });

  it('turns every documented form of a Lambda FunctionName into its ARN', () => {
    const arn = 'arn:aws:lambda:eu-west-1:111122223333:function:f';
    expect(lambdaFunctionArn('f', scope)).toBe(arn);
    expect(lambdaFunctionArn('function:f', scope)).toBe(arn);
    expect(lambdaFunctionArn('444455556666:function:f', scope)).toBe(
      'arn:aws:lambda:eu-west-1:444455556666:function:f',
    );
    expect(lambdaFunctionArn('f:live', scope)).toBe(`${arn}:live`);
    expect(lambdaFunctionArn('444455556666:function:f:3', scope)).toBe(
      'arn:aws:lambda:eu-west-1:444455556666:function:f:3',
    );
    expect(lambdaFunctionArn(`${arn}:live`, scope)).toBe(`${arn}:live`);
  });
});
