// Each statement check alone, on the facts statementFacts reads from one statement.
import { describe, expect, it } from 'vitest';
import { ruleById } from '../../src/pipeline/rules.js';
import { packageCatalogue } from '../../src/policies/catalogue.js';
import {
  actionNames,
  allowWithNot,
  allResources,
  conditionKeys,
  publicPrincipal,
  STATEMENT_CHECKS,
  type StatementCheck,
} from '../../src/policies/checks.js';
import type { PolicyType } from '../../src/policies/extract.js';
import { GUARDRAIL_RULES } from '../../src/policies/guardrails.js';
import { POLICY_RULES } from '../../src/policies/rules.js';
import { statementFacts } from '../../src/policies/statement.js';

const catalogue = packageCatalogue();

/** The rule ids one check reports for one statement; fails if it reports a rule it does not declare. */
async function run(
  check: StatementCheck,
  statement: Record<string, unknown>,
  type: PolicyType = 'IDENTITY_POLICY',
  limitsOnly = false,
): Promise<string[]> {
  const facts = await statementFacts(statement, ['Statement', 0], type, catalogue, limitsOnly);
  const ids: string[] = [];
  await check.check(facts, (rule) => ids.push(rule.id), catalogue);
  for (const id of ids) expect(check.rules.map((r) => r.id)).toContain(id);
  return ids;
}

const allow = (extra: Record<string, unknown>) => ({ Effect: 'Allow', ...extra });

describe('statement checks', () => {
  it('actionNames reports each listed action in order', async () => {
    expect(
      await run(
        actionNames,
        allow({ Action: ['*', 'x', 's4:Get', 's3:*', 's3:Gett*', 's3:GetObjekt', 's3:GetObject'] }),
      ),
    ).toEqual([
      'ALLOW_ALL_ACTIONS',
      'INVALID_ACTION',
      'UNKNOWN_SERVICE',
      'ALLOW_SERVICE_WILDCARD',
      'WILDCARD_MATCHES_NOTHING',
      'UNKNOWN_ACTION',
    ]);
    expect(await run(actionNames, { Effect: 'Deny', Action: ['*', 's3:*'] })).toEqual([]);
  });

  it('allowWithNot reports NotAction and NotResource on Allow only', async () => {
    expect(await run(allowWithNot, allow({ NotAction: 's3:*', NotResource: 'x' }))).toEqual([
      'ALLOW_WITH_NOT_ACTION',
      'ALLOW_WITH_NOT_RESOURCE',
    ]);
    expect(await run(allowWithNot, { Effect: 'Deny', NotAction: 's3:*' })).toEqual([]);
  });

  it('allResources reports PassRole and writes on "*" in identity policies only', async () => {
    const passAndWrite = allow({ Action: ['iam:PassRole', 's3:PutObject'], Resource: '*' });
    expect(await run(allResources, passAndWrite)).toEqual([
      'PASSROLE_ON_ALL_RESOURCES',
      'WRITE_ON_ALL_RESOURCES',
    ]);
    expect(await run(allResources, passAndWrite, 'RESOURCE_POLICY')).toEqual([]);
    expect(
      await run(allResources, {
        ...passAndWrite,
        Condition: { StringEquals: { 'aws:ResourceTag/team': 'data' } },
      }),
    ).toEqual(['PASSROLE_ON_ALL_RESOURCES']);
    expect(
      await run(allResources, allow({ Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/*' })),
    ).toEqual([]);
  });

  it('publicPrincipal reports "*" without a restricting condition in resource policies', async () => {
    const open = allow({ Principal: { AWS: '*' }, Action: 's3:GetObject' });
    expect(await run(publicPrincipal, open, 'RESOURCE_POLICY')).toEqual(['PUBLIC_PRINCIPAL']);
    expect(await run(publicPrincipal, open, 'IDENTITY_POLICY')).toEqual([]);
    expect(
      await run(
        publicPrincipal,
        { ...open, Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } } },
        'RESOURCE_POLICY',
      ),
    ).toEqual([]);
  });

  it('conditionKeys reports unknown keys and keys the actions do not support', async () => {
    const statement = (key: string) =>
      allow({ Action: 's3:GetObject', Condition: { StringEquals: { [key]: 'x' } } });
    expect(await run(conditionKeys, statement('s3:NoSuchKey'))).toEqual(['UNKNOWN_CONDITION_KEY']);
    expect(await run(conditionKeys, statement('kms:ViaService'))).toEqual([
      'CONDITION_KEY_NOT_SUPPORTED',
    ]);
    expect(await run(conditionKeys, statement('s3:ExistingObjectTag/class'))).toEqual([]);
    expect(await run(conditionKeys, statement('{{unresolved:Ref Key}}'))).toEqual([]);
  });

  it('a policy that only limits (a VPC endpoint policy) is not read as granting', async () => {
    const endpointDefault = allow({ Principal: '*', Action: '*', Resource: '*' });
    for (const check of STATEMENT_CHECKS)
      expect(await run(check, endpointDefault, 'RESOURCE_POLICY', true)).toEqual([]);
    expect(await run(publicPrincipal, endpointDefault, 'RESOURCE_POLICY')).toEqual([
      'PUBLIC_PRINCIPAL',
    ]);
    expect(
      await run(actionNames, allow({ Principal: '*', Action: 's3:Gett' }), 'RESOURCE_POLICY', true),
    ).toEqual(['UNKNOWN_ACTION']);
  });

  it('the default key policy statement (kms:* for the account root) is not a service wildcard', async () => {
    const root = (principal: unknown) =>
      allow({ Principal: { AWS: principal }, Action: 'kms:*', Resource: '*' });
    expect(
      await run(actionNames, root('arn:aws:iam::111122223333:root'), 'RESOURCE_POLICY'),
    ).toEqual([]);
    expect(await run(actionNames, root('111122223333'), 'RESOURCE_POLICY')).toEqual([]);
    expect(
      await run(actionNames, root('arn:aws:iam::111122223333:role/admin'), 'RESOURCE_POLICY'),
    ).toEqual(['ALLOW_SERVICE_WILDCARD']);
  });

  it('a service:* does not hide the writes of the statement’s other actions on "*"', async () => {
    const facts = await statementFacts(
      allow({ Action: ['s3:*', 'sqs:SendMessage'], Resource: '*' }),
      ['Statement', 0],
      'IDENTITY_POLICY',
      catalogue,
    );
    const messages: string[] = [];
    await allResources.check(facts, (_rule, _path, message) => messages.push(message), catalogue);
    expect(messages).toEqual([
      'SendMessage on "Resource": "*" can change every resource of its kind; name the resources.',
    ]);
    expect(await run(allResources, allow({ Action: 's3:*', Resource: '*' }))).toEqual([]);
  });

  it('every offline rule has a check or is a document check, and is in the registry', () => {
    const checked = new Set(STATEMENT_CHECKS.flatMap((c) => c.rules.map((r) => r.id)));
    const documentRules = [
      'MALFORMED_POLICY',
      'MISSING_VERSION',
      'OLD_VERSION',
      'RESOLUTION_LIMIT',
      ...GUARDRAIL_RULES.map((r) => r.id),
      // Of the managed policies a resource attaches, not of a document.
      'PRIVILEGED_MANAGED_POLICY',
    ];
    for (const rule of Object.values(POLICY_RULES)) {
      expect(ruleById(rule.id), rule.id).toBe(rule);
      if (rule.source === 'policy-check')
        expect(checked.has(rule.id) || documentRules.includes(rule.id), rule.id).toBe(true);
    }
  });
});
