import { describe, expect, it } from 'vitest';
import { packageCatalogue } from '../../src/policies/catalogue.js';
import type { PolicyType } from '../../src/policies/extract.js';
import { checkPolicyOffline } from '../../src/policies/offline.js';
import { POLICY_RULES } from '../../src/policies/rules.js';
import { didYouMean } from '../../src/policies/statement.js';

const catalogue = packageCatalogue();

async function codes(
  statement: Record<string, unknown>,
  type: PolicyType = 'IDENTITY_POLICY',
  version: unknown = '2012-10-17',
) {
  const document = { ...(version === null ? {} : { Version: version }), Statement: [statement] };
  return (await checkPolicyOffline(document, type, catalogue)).map((i) => i.ruleId);
}

const allow = (extra: Record<string, unknown>) => ({ Effect: 'Allow', ...extra });

describe('offline policy checks', () => {
  it('passes a tight policy', async () => {
    expect(
      await codes(allow({ Action: ['s3:GetObject', 's3:List*'], Resource: 'arn:aws:s3:::b/*' })),
    ).toEqual([]);
  });

  it('MALFORMED_POLICY: fires on non-policies, not on a statement object', async () => {
    expect(
      (await checkPolicyOffline('text', 'IDENTITY_POLICY', catalogue)).map((i) => i.ruleId),
    ).toEqual(['MALFORMED_POLICY']);
    expect(
      (await checkPolicyOffline({ Version: '2012-10-17' }, 'IDENTITY_POLICY', catalogue)).map(
        (i) => i.ruleId,
      ),
    ).toEqual(['MALFORMED_POLICY']);
    expect(
      (
        await checkPolicyOffline(
          { Version: '2012-10-17', Statement: [3] },
          'IDENTITY_POLICY',
          catalogue,
        )
      ).map((i) => i.ruleId),
    ).toEqual(['MALFORMED_POLICY']);
    const single = {
      Version: '2012-10-17',
      Statement: allow({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }),
    };
    expect(await checkPolicyOffline(single, 'IDENTITY_POLICY', catalogue)).toEqual([]);
  });

  it('MISSING_VERSION and OLD_VERSION', async () => {
    const ok = allow({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' });
    expect(await codes(ok, 'IDENTITY_POLICY', null)).toEqual(['MISSING_VERSION']);
    expect(await codes(ok, 'IDENTITY_POLICY', '2008-10-17')).toEqual(['OLD_VERSION']);
    expect(await codes(ok, 'IDENTITY_POLICY', '2012-10-17')).toEqual([]);
  });

  it('UNKNOWN_SERVICE and UNKNOWN_ACTION with a did-you-mean, INVALID_ACTION', async () => {
    const issues = await checkPolicyOffline(
      {
        Version: '2012-10-17',
        Statement: [
          allow({
            Action: ['s4:GetObject', 's3:GetObjekt', 'GetObject'],
            Resource: 'arn:aws:s3:::b/*',
          }),
        ],
      },
      'IDENTITY_POLICY',
      catalogue,
    );
    expect(issues.map((i) => [i.ruleId, i.path])).toEqual([
      ['UNKNOWN_SERVICE', ['Statement', 0, 'Action', 0]],
      ['UNKNOWN_ACTION', ['Statement', 0, 'Action', 1]],
      ['INVALID_ACTION', ['Statement', 0, 'Action', 2]],
    ]);
    expect(issues[0]!.message).toMatch(/Did you mean "s3"\?/);
    expect(issues[1]!.message).toMatch(/Did you mean "s3:GetObject"\?/);
    expect(await codes(allow({ Action: 'S3:getobject', Resource: 'arn:aws:s3:::b/*' }))).toEqual(
      [],
    );
  });

  it('WILDCARD_MATCHES_NOTHING', async () => {
    expect(await codes(allow({ Action: 's3:Gett*', Resource: 'arn:aws:s3:::b' }))).toEqual([
      'WILDCARD_MATCHES_NOTHING',
    ]);
    expect(await codes(allow({ Action: 's3:Get?bject', Resource: 'arn:aws:s3:::b' }))).toEqual([]);
  });

  it('ALLOW_ALL_ACTIONS and ALLOW_SERVICE_WILDCARD fire on Allow, not on Deny', async () => {
    expect(await codes(allow({ Action: '*', Resource: 'arn:aws:s3:::b' }))).toEqual([
      'ALLOW_ALL_ACTIONS',
    ]);
    expect(await codes(allow({ Action: 's3:*', Resource: 'arn:aws:s3:::b' }))).toEqual([
      'ALLOW_SERVICE_WILDCARD',
    ]);
    expect(await codes({ Effect: 'Deny', Action: ['*', 's3:*'], Resource: '*' })).toEqual([]);
  });

  it('WRITE_ON_ALL_RESOURCES fires for write actions on *, not for reads or wildcard-only actions', async () => {
    expect(await codes(allow({ Action: 's3:PutObject', Resource: '*' }))).toEqual([
      'WRITE_ON_ALL_RESOURCES',
    ]);
    expect(await codes(allow({ Action: 'iam:AttachRolePolicy', Resource: '*' }))).toEqual([
      'WRITE_ON_ALL_RESOURCES',
    ]);
    expect(await codes(allow({ Action: 's3:GetObject', Resource: '*' }))).toEqual([]);
    // s3:ListAllMyBuckets takes only "*".
    expect(
      await codes(allow({ Action: ['s3:ListAllMyBuckets', 's3:CreateBucket'], Resource: '*' })),
    ).toEqual(['WRITE_ON_ALL_RESOURCES']);
    expect(await codes(allow({ Action: 's3:ListAllMyBuckets', Resource: '*' }))).toEqual([]);
    // Resource policies name their own resource with "*" (KMS key policies).
    expect(
      await codes(
        allow({
          Principal: { AWS: 'arn:aws:iam::111122223333:root' },
          Action: 'kms:Encrypt',
          Resource: '*',
        }),
        'RESOURCE_POLICY',
      ),
    ).toEqual([]);
  });

  it('PASSROLE_ON_ALL_RESOURCES fires on *, not on named roles', async () => {
    expect(await codes(allow({ Action: 'iam:PassRole', Resource: '*' }))).toEqual([
      'PASSROLE_ON_ALL_RESOURCES',
    ]);
    expect(await codes(allow({ Action: 'iam:Pass*', Resource: '*' }))).toEqual([
      'PASSROLE_ON_ALL_RESOURCES',
    ]);
    expect(
      await codes(
        allow({ Action: 'iam:PassRole', Resource: 'arn:aws:iam::111122223333:role/app' }),
      ),
    ).toEqual([]);
  });

  it('ALLOW_WITH_NOT_ACTION and ALLOW_WITH_NOT_RESOURCE fire on Allow only', async () => {
    expect(await codes(allow({ NotAction: 'iam:*', Resource: 'arn:aws:s3:::b' }))).toEqual([
      'ALLOW_WITH_NOT_ACTION',
    ]);
    expect(await codes(allow({ Action: 's3:GetObject', NotResource: 'arn:aws:s3:::b' }))).toEqual([
      'ALLOW_WITH_NOT_RESOURCE',
    ]);
    expect(
      await codes({ Effect: 'Deny', NotAction: 'iam:*', NotResource: 'arn:aws:s3:::b' }),
    ).toEqual([]);
  });

  it('PUBLIC_PRINCIPAL fires in resource policies without a restricting condition', async () => {
    const open = allow({ Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' });
    expect(await codes(open, 'RESOURCE_POLICY')).toEqual(['PUBLIC_PRINCIPAL']);
    expect(await codes({ ...open, Principal: { AWS: ['*'] } }, 'RESOURCE_POLICY')).toEqual([
      'PUBLIC_PRINCIPAL',
    ]);
    expect(
      await codes(
        { ...open, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } } },
        'RESOURCE_POLICY',
      ),
    ).toEqual([]);
    expect(
      await codes(
        { ...open, Principal: { AWS: 'arn:aws:iam::111122223333:root' } },
        'RESOURCE_POLICY',
      ),
    ).toEqual([]);
    expect(await codes({ ...open, Effect: 'Deny' }, 'RESOURCE_POLICY')).toEqual([]);
  });

  it('UNKNOWN_CONDITION_KEY and CONDITION_KEY_NOT_SUPPORTED', async () => {
    const statement = (condition: Record<string, unknown>) =>
      allow({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*', Condition: condition });
    expect(
      await codes(
        statement({
          StringEquals: {
            'aws:PrincipalTag/team': 'data',
            's3:ExistingObjectTag/class': 'x',
            'aws:SourceVpce': 'vpce-1',
          },
        }),
      ),
    ).toEqual([]);
    expect(await codes(statement({ StringEquals: { 'aws:PrincipalTagg': 'x' } }))).toEqual([
      'UNKNOWN_CONDITION_KEY',
    ]);
    expect(await codes(statement({ StringEquals: { 's3:NoSuchKey': 'x' } }))).toEqual([
      'UNKNOWN_CONDITION_KEY',
    ]);
    expect(await codes(statement({ StringEquals: { 'kms:ViaService': 'x' } }))).toEqual([
      'CONDITION_KEY_NOT_SUPPORTED',
    ]);
    // A key of a prefix that is not a service (web identity federation) is known through its services.
    const trust = allow({
      Principal: { Federated: 'x' },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { 'token.actions.githubusercontent.com:sub': 'repo:o/r:*' } },
    });
    expect(await codes(trust, 'RESOURCE_POLICY')).toEqual([]);
    const eks = {
      ...trust,
      Condition: {
        StringEquals: { 'oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud': 'sts.amazonaws.com' },
      },
    };
    expect(await codes(eks, 'RESOURCE_POLICY')).toEqual([]);
  });

  it('skips placeholders instead of reporting them', async () => {
    expect(
      await codes(
        allow({
          Action: '{{unresolved:Ref Actions}}',
          Resource: '{{unresolved:Fn::ImportValue x}}',
        }),
      ),
    ).toEqual([]);
  });

  it('every check has a severity and a one-line explanation', () => {
    for (const { id, severity, description, title } of Object.values(POLICY_RULES)) {
      expect(['error', 'warning', 'info']).toContain(severity);
      expect(description.length, id).toBeGreaterThan(20);
      expect(description).not.toContain('\n');
      expect(title).not.toContain('\n');
    }
  });

  it('didYouMean proposes only close words', () => {
    expect(didYouMean('dynamodbb', ['dynamodb', 's3'])).toBe(' Did you mean "dynamodb"?');
    expect(didYouMean('zzzzzz', ['dynamodb', 's3'])).toBe('');
  });
});
