// Managed policies attached by ARN and SAM policy templates, through the policy stage offline.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/model/logger.js';
import { packageCatalogue } from '../../src/policies/catalogue.js';
import { createPolicyChecker } from '../../src/policies/index.js';
import { privilegedPolicy } from '../../src/policies/managed.js';
import { settingsFor, withResources } from './helpers.js';

async function check(resources: string, inputs: Record<string, string> = {}) {
  const checker = createPolicyChecker({
    settings: settingsFor({ 'policy-validation': 'offline', ...inputs }),
    log: silentLogger,
    catalogue: async () => packageCatalogue(),
  });
  return checker([{ template: withResources(resources), resolutions: [{ parameters: {} }] }]);
}

const RESOURCES = `  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement: [{ Effect: Allow, Principal: { Service: glue.amazonaws.com }, Action: sts:AssumeRole }]
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/AdministratorAccess
        - arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole
        - arn:aws:iam::111122223333:policy/team-boundary
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - AmazonDynamoDBFullAccess
        - S3CrudPolicy: { BucketName: lake }
        - KMSDecryptPolicy: { KeyId: '*' }
`;

describe('managed policies and SAM policy templates offline', () => {
  it('flags privileged AWS managed policies where they are attached', async () => {
    const outcome = await check(RESOURCES);
    const privileged = outcome.findings.filter((f) => f.ruleId === 'PRIVILEGED_MANAGED_POLICY');
    expect(privileged.map((f) => [f.logicalId, f.line, f.severity, f.message])).toEqual([
      [
        'Role',
        10,
        'warning',
        'Role is given AdministratorAccess: every action on every resource; attach a policy with the actions it needs.',
      ],
      [
        'Fn',
        17,
        'warning',
        'Fn is given AmazonDynamoDBFullAccess: every DynamoDB action on every table; attach a policy with the actions it needs.',
      ],
    ]);
    expect(outcome.notices).toContainEqual(
      '4 managed policies are attached by ARN and not checked, since their documents are not in the templates: arn:aws:iam::aws:policy/AdministratorAccess, arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole, arn:aws:iam::111122223333:policy/team-boundary and 1 more.',
    );
  });

  it('checks SAM policy templates as the documents SAM makes of them', async () => {
    const outcome = await check(RESOURCES, { 'denied-actions': 's3:DeleteObject' });
    expect(outcome.policies.map((p) => [p.logicalId, p.policyName, p.line])).toContainEqual([
      'Fn',
      'S3CrudPolicy',
      18,
    ]);
    // KMSDecryptPolicy puts the KeyId into the key's ARN; S3CrudPolicy grants DeleteObject.
    expect(
      outcome.findings
        .filter((f) => f.logicalId === 'Fn' && f.ruleId !== 'PRIVILEGED_MANAGED_POLICY')
        .map((f) => [f.ruleId, f.line]),
    ).toEqual([['CHECK_ACCESS_NOT_GRANTED', 18]]);
  });

  it('ignore-findings and Metadata suppress the privileged-policy warning', async () => {
    const outcome = await check(RESOURCES, { 'ignore-findings': 'Role.PRIVILEGED_MANAGED_POLICY' });
    expect(
      outcome.findings
        .filter((f) => f.ruleId === 'PRIVILEGED_MANAGED_POLICY')
        .map((f) => f.logicalId),
    ).toEqual(['Fn']);
  });

  it('knows the privileged policies by name under any path and partition, and no others', () => {
    expect(privilegedPolicy('arn:aws-us-gov:iam::aws:policy/IAMFullAccess')?.name).toBe(
      'IAMFullAccess',
    );
    expect(privilegedPolicy('arn:aws:iam::aws:policy/job-function/PowerUserAccess')?.name).toBe(
      'PowerUserAccess',
    );
    expect(
      privilegedPolicy('arn:aws:iam::111122223333:policy/AdministratorAccess'),
    ).toBeUndefined();
    expect(privilegedPolicy('arn:aws:iam::aws:policy/ReadOnlyAccess')).toBeUndefined();
  });
});
