import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/model/errors.js';
import { silentLogger } from '../../src/model/logger.js';
import type { InputName } from '../../src/model/settings.js';
import { createAccessAnalyzer } from '../../src/policies/access-analyzer.js';
import { createPolicyChecker } from '../../src/policies/index.js';
import {
  startFakeAnalyzer,
  type FakeAnalyzer,
  type FakeAnalyzerOptions,
} from '../helpers/access-analyzer-server.js';
import { settingsFor, template } from './helpers.js';

const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Stage: { Type: String, Default: dev }
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: { Service: lambda.amazonaws.com }
            Action: sts:AssumeRole
      Policies:
        - PolicyName: !Sub 'read-\${Stage}'
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action:
                  - s3:GetObject
                  - s3:PutObjectAcl
                Resource: !Sub '\${Bucket.Arn}/*'
  BucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: '*'
            Action: s3:GetObject
            Resource: !Sub '\${Bucket.Arn}/*'
`;

let server: FakeAnalyzer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function run(
  fake: FakeAnalyzerOptions,
  inputs: Partial<Record<InputName, string>> = {},
  text = TEMPLATE,
) {
  server = await startFakeAnalyzer(fake);
  const settings = settingsFor({
    'policy-validation': 'access-analyzer',
    'endpoint-url': server.endpoint,
    'aws-region': 'eu-west-1',
    ...inputs,
  });
  const endpointUrl = server.endpoint;
  const checker = createPolicyChecker({
    settings,
    log: silentLogger,
    // The real SDK client, with dummy credentials, against the local server; few retries keep it quick.
    analyzer: () =>
      createAccessAnalyzer({
        region: 'eu-west-1',
        endpointUrl,
        credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
        maxAttempts: 3,
      }),
  });
  return checker([{ template: template(text), resolutions: [{ parameters: {} }] }]);
}

/** Line of the first template line containing `text`. */
const lineOf = (text: string, source = TEMPLATE) =>
  source.split('\n').findIndex((l) => l.includes(text)) + 1;

describe('Access Analyzer validation', () => {
  it('sends each policy with its type and resource type, and maps finding spans to template lines', async () => {
    const outcome = await run({
      findings: (doc, req) =>
        req.policyType === 'IDENTITY_POLICY'
          ? [
              {
                findingType: 'SECURITY_WARNING',
                issueCode: 'PASS_ROLE_WITH_STAR_IN_RESOURCE',
                findingDetails: 'Using iam:PassRole with a wildcard...',
                at: ['Statement', 0, 'Action', 1],
              },
              {
                findingType: 'SUGGESTION',
                issueCode: 'EMPTY_ARRAY_RESOURCE',
                findingDetails: 'Suggestion',
                at: ['Statement', 0, 'Resource'],
              },
            ]
          : [],
    });
    expect(
      server!.requests.map((r) => [r.policyType, r.validatePolicyResourceType ?? null]),
    ).toEqual(
      expect.arrayContaining([
        ['RESOURCE_POLICY', 'AWS::IAM::AssumeRolePolicyDocument'],
        ['IDENTITY_POLICY', null],
        ['RESOURCE_POLICY', 'AWS::S3::Bucket'],
      ]),
    );
    const sent = server!.requests.find((r) => r.policyType === 'IDENTITY_POLICY')!;
    expect(JSON.parse(sent.policyDocument).Statement[0].Resource).toBe('arn:aws:s3:::bucket/*');
    expect(outcome.findings.map((f) => [f.source, f.ruleId, f.severity, f.line, f.column])).toEqual(
      [
        [
          'access-analyzer',
          'PASS_ROLE_WITH_STAR_IN_RESOURCE',
          'error',
          lineOf('s3:PutObjectAcl'),
          21,
        ],
        // Short forms are positioned at their value (after `!Sub `) by the parser.
        [
          'access-analyzer',
          'EMPTY_ARRAY_RESOURCE',
          'info',
          lineOf("Resource: !Sub '${Bucket.Arn}/*'"),
          32,
        ],
      ],
    );
    expect(outcome.findings[0]).toMatchObject({
      file: 'templates/t.yaml',
      logicalId: 'Role',
      helpUrl: expect.stringContaining('docs.aws.amazon.com'),
    });
    expect(outcome.findings[0]!.message).toContain('(read-dev)');
    expect(outcome.policies.map((p) => [p.logicalId, p.policyName, p.line])).toEqual([
      ['Role', 'AssumeRolePolicyDocument', 11],
      ['Role', 'read-dev', 19],
      ['BucketPolicy', 'PolicyDocument', 31],
    ]);
  });

  it('maps finding types onto severities with blocking-finding-types', async () => {
    const findings = () => [
      { findingType: 'ERROR' as const, issueCode: 'A', findingDetails: 'a', at: ['Version'] },
      {
        findingType: 'SECURITY_WARNING' as const,
        issueCode: 'B',
        findingDetails: 'b',
        at: ['Version'],
      },
      { findingType: 'WARNING' as const, issueCode: 'C', findingDetails: 'c', at: ['Version'] },
      { findingType: 'SUGGESTION' as const, issueCode: 'D', findingDetails: 'd', at: ['Version'] },
    ];
    const text = TEMPLATE.split('  BucketPolicy:')[0]!.replace(/ {6}Policies:[\s\S]*/, '');
    const outcome = await run({ findings }, { 'blocking-finding-types': 'ERROR' }, text);
    expect(outcome.findings.map((f) => `${f.ruleId}:${f.severity}`)).toEqual([
      'A:error',
      'B:warning',
      'C:warning',
      'D:info',
    ]);
  });

  it('reads every page of findings', async () => {
    const outcome = await run({
      pageSize: 2,
      findings: (_doc, req) =>
        req.policyType === 'IDENTITY_POLICY'
          ? Array.from({ length: 5 }, (_, i) => ({
              findingType: 'WARNING' as const,
              issueCode: `W${i}`,
              findingDetails: `w${i}`,
              at: ['Version'],
            }))
          : [],
    });
    expect(outcome.findings.map((f) => f.ruleId).sort()).toEqual(['W0', 'W1', 'W2', 'W3', 'W4']);
    // The SDK's paginator sends its page size; the server honours it.
    const identity = server!.requests.filter((r) => r.policyType === 'IDENTITY_POLICY');
    expect(identity.map((r) => r.nextToken ?? null)).toEqual([null]);
    expect(identity[0]!.maxResults).toBe(100);
  });

  it('follows nextToken when a page is cut short', async () => {
    const outcome = await run({
      findings: (_doc, req) =>
        req.policyType === 'IDENTITY_POLICY'
          ? Array.from({ length: 250 }, (_, i) => ({
              findingType: 'WARNING' as const,
              issueCode: `W${i}`,
              findingDetails: 'w',
            }))
          : [],
    });
    expect(outcome.findings.length).toBe(250);
    expect(
      server!.requests
        .filter((r) => r.policyType === 'IDENTITY_POLICY')
        .map((r) => r.nextToken ?? null),
    ).toEqual([null, '100', '200']);
  });

  it('retries after 429 ThrottlingException and then succeeds', async () => {
    const outcome = await run({
      throttleFirst: 2,
      findings: () => [
        { findingType: 'WARNING', issueCode: 'W', findingDetails: 'w', at: ['Version'] },
      ],
    });
    expect(outcome.findings.filter((f) => f.ruleId === 'W')).toHaveLength(3);
    expect(server!.requests.length).toBe(5);
  });

  it('validates identical documents once', async () => {
    const twice =
      TEMPLATE +
      TEMPLATE.split('Resources:\n')[1]!
        .replace(/^ {2}(\w+):/gm, '  $1Copy:')
        .replace(/\$\{Bucket/g, '${Bucket');
    const outcome = await run({}, {}, twice);
    expect(outcome.policies.length).toBe(6);
    expect(server!.requests.length).toBe(3);
  });

  it('runs at most policy-concurrency calls at a time', async () => {
    const many = `Resources:\n${Array.from({ length: 12 }, (_, i) => `  P${i}:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: Allow, Action: s3:GetObject, Resource: 'arn:aws:s3:::b${i}/*' }] }\n`).join('')}`;
    await run({ latencyMs: 30 }, { 'policy-concurrency': '3' }, many);
    expect(server!.requests.length).toBe(12);
    expect(server!.maxInFlight).toBe(3);
  });

  it('a hard failure gives one error naming the policy, and the rest are checked offline', async () => {
    const outcome = await run(
      {
        fail: (req) =>
          req.policyType === 'IDENTITY_POLICY'
            ? { status: 500, type: 'InternalServerException', message: 'Internal failure' }
            : undefined,
      },
      { 'policy-concurrency': '1' },
    );
    const failures = outcome.findings.filter((f) => f.ruleId === 'ACCESS_ANALYZER_FAILED');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ severity: 'error', logicalId: 'Role', line: 19 });
    expect(failures[0]!.message).toMatch(/InternalServerException: HTTP 500: Internal failure/);
    expect(failures[0]!.message).not.toMatch(/\n\s+at /);
    expect(outcome.notices.join()).toMatch(/checked offline instead/);
    // The bucket policy (after the failure) was checked offline: its public principal is found.
    expect(outcome.findings.map((f) => `${f.source}:${f.ruleId}`)).toContain(
      'policy-check:PUBLIC_PRINCIPAL',
    );
  });

  it('403 becomes one UserError naming the policy and the permission to grant', async () => {
    const error = await run({
      fail: () => ({ status: 403, type: 'AccessDeniedException', message: 'not authorized' }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/templates\/t\.yaml:\d+ Role \(\w+\)/);
    expect((error as UserError).hint).toMatch(/access-analyzer:ValidatePolicy/);
  });

  it('runs CheckNoPublicAccess for resource policies when asked, and reports a FAIL at the statement', async () => {
    const outcome = await run(
      {
        publicAccess: (_doc, type) =>
          type === 'AWS::S3::Bucket'
            ? {
                result: 'FAIL',
                message: 'The resource policy grants public access for the access type.',
                reasons: [{ description: 'Public access granted.', statementIndex: 0 }],
              }
            : { result: 'PASS', message: 'ok' },
      },
      { 'check-no-public-access': 'true' },
    );
    expect(server!.publicAccessRequests.map((r) => r.resourceType).sort()).toEqual([
      'AWS::IAM::AssumeRolePolicyDocument',
      'AWS::S3::Bucket',
    ]);
    const fail = outcome.findings.find((f) => f.ruleId === 'CHECK_NO_PUBLIC_ACCESS');
    expect(fail).toMatchObject({
      logicalId: 'BucketPolicy',
      severity: 'error',
      line: lineOf("Principal: '*'") - 1,
    });
  });

  it('does not call CheckNoPublicAccess unless asked', async () => {
    await run({});
    expect(server!.publicAccessRequests).toEqual([]);
  });

  it('drops findings named in ignore-findings or the resource Metadata, and says how many', async () => {
    const findings = () => [
      { findingType: 'WARNING' as const, issueCode: 'KEEP', findingDetails: 'k', at: ['Version'] },
      {
        findingType: 'WARNING' as const,
        issueCode: 'GLOBAL',
        findingDetails: 'g',
        at: ['Version'],
      },
      { findingType: 'WARNING' as const, issueCode: 'LOCAL', findingDetails: 'l', at: ['Version'] },
    ];
    const text = TEMPLATE.replace(
      '    Type: AWS::S3::BucketPolicy\n',
      '    Type: AWS::S3::BucketPolicy\n    Metadata:\n      iac-action:\n        ignore-policy-findings: [KEEP]\n',
    );
    const outcome = await run({ findings }, { 'ignore-findings': 'GLOBAL, Role.LOCAL' }, text);
    expect(outcome.findings.map((f) => `${f.logicalId}.${f.ruleId}`).sort()).toEqual([
      'BucketPolicy.LOCAL',
      'Role.KEEP',
      'Role.KEEP',
    ]);
    expect(outcome.notices.join()).toMatch(/6 policy findings were ignored/);
  });

  it('leaves out findings that point at placeholders, with a notice', async () => {
    const text = TEMPLATE.replace(
      "Resource: !Sub '${Bucket.Arn}/*'\n  BucketPolicy",
      'Resource: !ImportValue shared-arn\n  BucketPolicy',
    );
    const outcome = await run(
      {
        findings: (_d, req) =>
          req.policyType === 'IDENTITY_POLICY'
            ? [
                {
                  findingType: 'ERROR',
                  issueCode: 'INVALID_ARN_RESOURCE',
                  findingDetails: 'bad arn',
                  at: ['Statement', 0, 'Resource'],
                },
              ]
            : [],
      },
      {},
      text,
    );
    expect(outcome.findings).toEqual([]);
    expect(outcome.notices.join()).toMatch(
      /1 Access Analyzer finding points at values known only at deploy time/,
    );
  });
});
