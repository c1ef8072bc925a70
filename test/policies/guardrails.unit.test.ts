// denied-actions / denied-resources and check-no-new-access, offline and with Access Analyzer.
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/model/errors.js';
import { silentLogger } from '../../src/model/logger.js';
import type { InputName } from '../../src/model/settings.js';
import { matchesWildcard } from '../../src/model/wildcard.js';
import { createAccessAnalyzer } from '../../src/policies/access-analyzer.js';
import { packageCatalogue } from '../../src/policies/catalogue.js';
import { createPolicyChecker } from '../../src/policies/index.js';
import {
  startFakeAnalyzer,
  type FakeAnalyzer,
  type FakeAnalyzerOptions,
} from '../helpers/access-analyzer-server.js';
import { settingsFor, template } from './helpers.js';

const HEAD = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Admin:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Action: iam:*
            Resource: '*'
  Keeper:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Action: s3:*
            Resource: '*'
          - Effect: Deny
            Action: [s3:DeleteBucket, 'iam:*']
            Resource: '*'
  Reader:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Sid: Logs
            Effect: Allow
            Action: logs:PutLogEvents
            Resource: '*'
          - Sid: Data
            Effect: Allow
            Action: s3:GetObject
            Resource: arn:aws:s3:::prod-data/reports/*
`;

const lineOf = (text: string, source = HEAD, nth = 1) => {
  const lines = source.split('\n');
  let seen = 0;
  return lines.findIndex((l) => l.includes(text) && ++seen === nth) + 1;
};

let server: FakeAnalyzer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Run {
  inputs: Partial<Record<InputName, string>>;
  head?: string;
  base?: string;
  fake?: FakeAnalyzerOptions;
}

async function run({ inputs, head = HEAD, base, fake }: Run) {
  if (fake) server = await startFakeAnalyzer(fake);
  const endpointUrl = server?.endpoint;
  const checker = createPolicyChecker({
    settings: settingsFor({
      'policy-validation': endpointUrl ? 'access-analyzer' : 'offline',
      ...(endpointUrl ? { 'endpoint-url': endpointUrl } : {}),
      'aws-region': 'eu-west-1',
      ...inputs,
    }),
    log: silentLogger,
    catalogue: async () => packageCatalogue(),
    ...(endpointUrl
      ? {
          analyzer: () =>
            createAccessAnalyzer({
              region: 'eu-west-1',
              endpointUrl,
              credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
              maxAttempts: 2,
            }),
        }
      : {}),
  });
  return checker([
    {
      template: template(head),
      resolutions: [{ parameters: {} }],
      ...(base !== undefined
        ? { base: { name: 'base-ref main', template: template(base, 'templates/t.yaml') } }
        : {}),
    },
  ]);
}

const rows = (outcome: Awaited<ReturnType<typeof run>>, ruleId: string) =>
  outcome.findings
    .filter((f) => f.ruleId === ruleId)
    .sort((a, b) => a.line - b.line || a.message.localeCompare(b.message))
    .map((f) => [f.logicalId, f.line, f.severity, f.message]);

describe('denied-actions and denied-resources offline', () => {
  it('names each denied action or resource a policy grants, at its statement, and honours Deny', async () => {
    const outcome = await run({
      inputs: {
        'denied-actions': 'iam:CreateUser, s3:DeleteBucket\ns3:PutBucketPolicy',
        'denied-resources': 'arn:aws:s3:::prod-data/*',
      },
    });
    expect(rows(outcome, 'CHECK_ACCESS_NOT_GRANTED')).toEqual([
      [
        'Admin',
        lineOf('Action: iam:*') - 1,
        'error',
        'Grants the denied action iam:CreateUser (input denied-actions). (PolicyDocument)',
      ],
      // Keeper's Deny takes s3:DeleteBucket away, not s3:PutBucketPolicy.
      [
        'Keeper',
        lineOf('Action: s3:*') - 1,
        'error',
        'Grants the denied action s3:PutBucketPolicy (input denied-actions). (PolicyDocument)',
      ],
      // Resource "*" reaches every resource, so s3:* reaches prod-data too (iam:* and logs do not).
      [
        'Keeper',
        lineOf('Action: s3:*') - 1,
        'error',
        'Grants the denied resource arn:aws:s3:::prod-data/* (input denied-resources). (PolicyDocument)',
      ],
      [
        'Reader',
        lineOf('Sid: Data'),
        'error',
        'Grants the denied resource arn:aws:s3:::prod-data/* (input denied-resources). (PolicyDocument)',
      ],
    ]);
  });

  it('a wildcard in denied-actions matches the actions it covers', async () => {
    const outcome = await run({ inputs: { 'denied-actions': 's3:Delete*' } });
    expect(rows(outcome, 'CHECK_ACCESS_NOT_GRANTED').map((r) => [r[0], r[3]])).toEqual([
      ['Keeper', 'Grants the denied action s3:Delete* (input denied-actions). (PolicyDocument)'],
    ]);
  });

  it('refuses entries that are not actions or ARNs, naming the input', () => {
    expect(() => settingsFor({ 'denied-actions': 'DeleteBucket' })).toThrow(
      /Input "denied-actions" holds "DeleteBucket"/,
    );
    expect(() => settingsFor({ 'denied-resources': 'prod-data' })).toThrow(
      /Input "denied-resources" holds "prod-data"/,
    );
  });
});

/** The fake's idea of CheckAccessNotGranted: FAIL at the first Allow naming a listed action. */
function grantsListed(document: unknown, access: { actions?: string[]; resources?: string[] }) {
  const statements = (document as { Statement: Record<string, unknown>[] }).Statement;
  const index = statements.findIndex(
    (s) =>
      s.Effect === 'Allow' &&
      [s.Action]
        .flat()
        .some((a) => (access.actions ?? []).some((d) => matchesWildcard(String(a), d))),
  );
  return index < 0
    ? { result: 'PASS' as const, message: 'The policy document does not grant access.' }
    : {
        result: 'FAIL' as const,
        message: 'The policy document grants access to perform one or more of the listed actions.',
        reasons: [
          {
            description: 'One or more of the listed actions in the statement.',
            statementIndex: index,
          },
        ],
      };
}

describe('denied-actions with Access Analyzer CheckAccessNotGranted', () => {
  it('sends the list in batches of 100 and names the granted action from the catalogue', async () => {
    const filler = Array.from({ length: 149 }, (_, i) => `ec2:Fake${i}`);
    const outcome = await run({
      inputs: { 'denied-actions': [...filler, 'iam:CreateUser'].join(',') },
      fake: { accessNotGranted: grantsListed },
    });
    const sizes = server!.accessNotGrantedRequests.map((r) => r.access[0]!.actions!.length);
    // Three policies, two batches each (100 and 50); the bucket has no policy.
    expect(sizes.sort()).toEqual([100, 100, 100, 50, 50, 50].sort());
    expect(rows(outcome, 'CHECK_ACCESS_NOT_GRANTED')).toEqual([
      [
        'Admin',
        lineOf('Action: iam:*') - 1,
        'error',
        'Grants the denied action iam:CreateUser (input denied-actions). (PolicyDocument)',
      ],
    ]);
    expect(outcome.findings.find((f) => f.ruleId === 'CHECK_ACCESS_NOT_GRANTED')!.source).toBe(
      'access-analyzer',
    );
  });

  it('trusts a PASS over the catalogue', async () => {
    const outcome = await run({ inputs: { 'denied-actions': 'iam:CreateUser' }, fake: {} });
    expect(server!.accessNotGrantedRequests).toHaveLength(3);
    expect(rows(outcome, 'CHECK_ACCESS_NOT_GRANTED')).toEqual([]);
  });

  it('checks offline, with a notice, when the call fails', async () => {
    const outcome = await run({
      inputs: { 'denied-actions': 'iam:CreateUser' },
      fake: {
        failChecks: { status: 500, type: 'InternalServerException', message: 'try again' },
      },
    });
    expect(rows(outcome, 'CHECK_ACCESS_NOT_GRANTED').map((r) => r[0])).toEqual(['Admin']);
    expect(outcome.notices).toContainEqual(
      expect.stringMatching(
        /^IAM Access Analyzer CheckAccessNotGranted failed \(InternalServerException: HTTP 500: try again\)/,
      ),
    );
  });

  it('a refused call stops the run with the permission to grant', async () => {
    const error = await run({
      inputs: { 'denied-actions': 'iam:CreateUser' },
      fake: { failChecks: { status: 403, type: 'AccessDeniedException', message: 'no' } },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/refused CheckAccessNotGranted/);
    expect((error as UserError).hint).toContain('access-analyzer:CheckAccessNotGranted');
  });
});

const TRUST = `  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: { Service: lambda.amazonaws.com }
            Action: sts:AssumeRole
      Policies:
        - PolicyName: data
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: [s3:GetObject]
                Resource: arn:aws:s3:::lake/*
                Condition: { Bool: { aws:SecureTransport: 'true' } }
  QueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [q]
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: { AWS: arn:aws:iam::111122223333:root }
            Action: sqs:SendMessage
            Resource: arn:aws:sqs:eu-west-1:123456789012:q
`;
const BASE = `AWSTemplateFormatVersion: '2010-09-09'\nResources:\n${TRUST}`;

describe('check-no-new-access offline', () => {
  const noNew = { 'check-no-new-access': 'true' } as const;

  it('reports nothing when the policies are unchanged or narrowed', async () => {
    expect(
      rows(await run({ inputs: noNew, head: BASE, base: BASE }), 'CHECK_NO_NEW_ACCESS'),
    ).toEqual([]);
    const narrowed = BASE.replace('arn:aws:s3:::lake/*', 'arn:aws:s3:::lake/reports/*').replace(
      "{ Bool: { aws:SecureTransport: 'true' } }",
      "{ Bool: { aws:SecureTransport: 'true' }, StringEquals: { aws:PrincipalAccount: '123456789012' } }",
    );
    expect(
      rows(await run({ inputs: noNew, head: narrowed, base: BASE }), 'CHECK_NO_NEW_ACCESS'),
    ).toEqual([]);
  });

  it('says what a broadened policy newly allows, at the policy', async () => {
    const head = BASE.replace('Action: [s3:GetObject]', 'Action: [s3:GetObject, s3:PutObject]')
      .replace('Principal: { AWS: arn:aws:iam::111122223333:root }', "Principal: '*'")
      .replace(
        'Principal: { Service: lambda.amazonaws.com }',
        'Principal: { Service: [lambda.amazonaws.com, ec2.amazonaws.com] }',
      );
    const outcome = await run({ inputs: noNew, head, base: BASE });
    expect(rows(outcome, 'CHECK_NO_NEW_ACCESS')).toEqual([
      [
        'Role',
        lineOf("Version: '2012-10-17'", head, 1),
        'error',
        'Newly allows sts:AssumeRole to Service:ec2.amazonaws.com, compared with base-ref main. (AssumeRolePolicyDocument)',
      ],
      [
        'Role',
        lineOf("Version: '2012-10-17'", head, 2),
        'error',
        'Newly allows s3:PutObject on arn:aws:s3:::lake/* (with a condition), compared with base-ref main. (data)',
      ],
      [
        'QueuePolicy',
        lineOf("Version: '2012-10-17'", head, 3),
        'error',
        'Newly allows sqs:SendMessage on arn:aws:sqs:eu-west-1:123456789012:q to *, compared with base-ref main. (PolicyDocument)',
      ],
    ]);
  });

  it('a dropped condition or Deny is new access; a policy new in the head is not compared', async () => {
    const base = BASE.replace(
      "                Condition: { Bool: { aws:SecureTransport: 'true' } }\n",
      "                Condition: { Bool: { aws:SecureTransport: 'true' } }\n              - Effect: Deny\n                Action: s3:GetObject\n                Resource: arn:aws:s3:::lake/secret/*\n",
    );
    const head =
      BASE.replace("                Condition: { Bool: { aws:SecureTransport: 'true' } }\n", '') +
      `  Extra:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: '2012-10-17'
        Statement: [{ Effect: Allow, Action: 's3:*', Resource: '*' }]
`;
    const outcome = await run({ inputs: noNew, head, base });
    expect(rows(outcome, 'CHECK_NO_NEW_ACCESS').map((r) => [r[0], r[3]])).toEqual([
      [
        'Role',
        'Newly allows s3:GetObject on arn:aws:s3:::lake/*, compared with base-ref main. (data)',
      ],
    ]);
  });
});

describe('check-no-new-access with Access Analyzer CheckNoNewAccess', () => {
  it('asks only about changed policies and says what is newly allowed', async () => {
    const head = BASE.replace('Action: [s3:GetObject]', 'Action: [s3:GetObject, s3:PutObject]');
    const outcome = await run({
      inputs: { 'check-no-new-access': 'true' },
      head,
      base: BASE,
      fake: {
        noNewAccess: (next, existing) =>
          JSON.stringify(next) === JSON.stringify(existing)
            ? { result: 'PASS', message: 'no new access' }
            : {
                result: 'FAIL',
                message:
                  'The modified permissions grant new access compared to your existing policy.',
                reasons: [
                  { description: 'New access in the statement with index: 0.', statementIndex: 0 },
                ],
              },
      },
    });
    expect(server!.noNewAccessRequests.map((r) => r.policyType)).toEqual(['IDENTITY_POLICY']);
    expect(
      JSON.parse(server!.noNewAccessRequests[0]!.existingPolicyDocument).Statement[0].Action,
    ).toEqual(['s3:GetObject']);
    expect(rows(outcome, 'CHECK_NO_NEW_ACCESS').map((r) => r[3])).toEqual([
      'Newly allows s3:PutObject on arn:aws:s3:::lake/* (with a condition), compared with base-ref main (CheckNoNewAccess). (data)',
    ]);
  });

  it('an unchanged policy is not sent', async () => {
    await run({ inputs: { 'check-no-new-access': 'true' }, head: BASE, base: BASE, fake: {} });
    expect(server!.noNewAccessRequests).toEqual([]);
  });
});
