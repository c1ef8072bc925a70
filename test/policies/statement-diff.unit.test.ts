import { describe, expect, it } from 'vitest';
import { broadens } from '../../src/model/findings.js';
import { statementChanges } from '../../src/policies/statement-diff.js';
import { withResources } from './helpers.js';

const scope = { region: 'eu-west-1', accountId: '111122223333', partition: 'aws', parameters: {} };

const queuePolicy = (principal: string, extra = '') =>
  withResources(`  Queue: { Type: AWS::SQS::Queue }
  QueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Queue]
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: ${principal}
            Action: sqs:SendMessage
            Resource: !GetAtt Queue.Arn
${extra}`);

describe('IAM statement changes', () => {
  it('shows a changed statement as removed and added, resolved, with its principal', () => {
    const changes = statementChanges(
      queuePolicy('{ AWS: arn:aws:iam::222233334444:root }'),
      queuePolicy("'*'"),
      scope,
    );
    expect(changes.map((c) => [c.change, c.logicalId, c.principals, c.resources])).toEqual([
      [
        'removed',
        'QueuePolicy',
        ['AWS:arn:aws:iam::222233334444:root'],
        ['arn:aws:sqs:eu-west-1:111122223333:Queue'],
      ],
      ['added', 'QueuePolicy', ['*'], ['arn:aws:sqs:eu-west-1:111122223333:Queue']],
    ]);
    expect(broadens(changes)).toBe(true);
  });

  it('an added Deny or a removed statement narrows; an unchanged template has no changes', () => {
    const base = queuePolicy("'*'");
    const withDeny = queuePolicy(
      "'*'",
      `          - { Effect: Deny, Principal: '*', Action: sqs:*, Resource: '*', Condition: { Bool: { aws:SecureTransport: 'false' } } }\n`,
    );
    expect(statementChanges(base, base, scope)).toEqual([]);
    const added = statementChanges(base, withDeny, scope);
    expect(added.map((c) => [c.change, c.effect, c.actions, c.condition])).toEqual([
      ['added', 'Deny', ['sqs:*'], '{"Bool":{"aws:SecureTransport":"false"}}'],
    ]);
    expect(broadens(added)).toBe(false);
    expect(broadens(statementChanges(withDeny, base, scope))).toBe(false);
  });

  it('a new template adds every statement', () => {
    expect(statementChanges(undefined, queuePolicy("'*'"), scope).map((c) => c.change)).toEqual([
      'added',
    ]);
  });
});
