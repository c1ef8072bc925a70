// The policy stage offline, from templates to findings.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/findings.js';
import { silentLogger } from '../../src/model/logger.js';
import { packageCatalogue } from '../../src/policies/catalogue.js';
import { createPolicyChecker, withoutRepeatedLintFindings } from '../../src/policies/index.js';
import { settingsFor, withResources } from './helpers.js';

async function check(resources: string, extra = '') {
  const checker = createPolicyChecker({
    settings: settingsFor({ 'policy-validation': 'offline', 'aws-region': 'eu-west-1' }),
    log: silentLogger,
    catalogue: async () => packageCatalogue(),
  });
  return checker([
    { template: withResources(resources, extra), resolutions: [{ parameters: {} }] },
  ]);
}

describe('policy stage (offline)', () => {
  it('checks the policies of resources whose Condition is false, labelled with it', async () => {
    const outcome = await check(
      `    Admin:
      Type: AWS::IAM::ManagedPolicy
      Condition: IsProd
      Properties:
        PolicyDocument:
          Version: '2012-10-17'
          Statement: [{ Effect: Allow, Action: 's3:PutObject', Resource: '*' }]
`,
      `Parameters:\n  Stage: { Type: String, Default: dev }\nConditions:\n  IsProd: !Equals [!Ref Stage, prod]\n`,
    );
    expect(outcome.findings.map((f) => [f.ruleId, f.message])).toEqual([
      [
        'WRITE_ON_ALL_RESOURCES',
        'PutObject on "Resource": "*" can change every resource of its kind; name the resources. (PolicyDocument) [only where condition IsProd holds: false with these values]',
      ],
    ]);
  });
});

describe('withoutRepeatedLintFindings', () => {
  const at = (ruleId: string, source: Finding['source'], message: string, line = 15): Finding => ({
    source,
    ruleId,
    severity: 'warning',
    file: 'templates/t.yaml',
    line,
    column: 17,
    message,
  });
  it('drops cfn-lint W3037 where our action checks reported the same action on that line', () => {
    // Messages as cfn-lint 1.51 writes them for [s4:GetObject, s3:GetObjekt, GetObject, s3:Gett].
    const lint = [
      at('W3037', 'cfn-lint', "'s4' is not one of ['a2c', 'a4b', 'access-analyzer']"),
      at('W3037', 'cfn-lint', "'getobjekt' is not one of ['abortmultipartupload']"),
      at(
        'W3037',
        'cfn-lint',
        "'GetObject' is not a valid action. Must be of the form service:action",
      ),
      at('W3037', 'cfn-lint', "'gett' is not one of ['abortmultipartupload']"),
      at('W3037', 'cfn-lint', "'getobjekt' is not one of ['abortmultipartupload']", 30),
      at('E3002', 'cfn-lint', "'s4' is not valid"),
    ];
    const ours = [
      at('UNKNOWN_SERVICE', 'policy-check', '"s4" in "s4:GetObject" is not an AWS service prefix.'),
      at(
        'UNKNOWN_ACTION',
        'policy-check',
        's3 has no action "GetObjekt". Did you mean "s3:GetObject"?',
      ),
      at(
        'INVALID_ACTION',
        'policy-check',
        '"GetObject" is not an action: write service:ActionName.',
      ),
    ];
    expect(
      withoutRepeatedLintFindings(lint, ours).map((f) => [f.ruleId, f.line, f.message.slice(0, 6)]),
    ).toEqual([
      ['W3037', 15, "'gett'"],
      ['W3037', 30, "'getob"],
      ['E3002', 15, "'s4' i"],
    ]);
  });
});

describe('policy stage limits', () => {
  it('reports intrinsics that amplify as a finding naming the policy and resource, within limits', async () => {
    // Each topic's name is its predecessor's twice: 2^40 characters if resolved in full; and a
    // list repeating a 50 KB parameter 3,000 times: 150 MB.
    const doubling = Array.from(
      { length: 40 },
      (_, i) =>
        `    T${i + 1}: { Type: AWS::SNS::Topic, Properties: { TopicName: !Sub '\${T${i}.TopicName}\${T${i}.TopicName}' } }\n`,
    ).join('');
    const policy = (name: string, resource: string) => `    ${name}:
      Type: AWS::IAM::ManagedPolicy
      Properties:
        PolicyDocument:
          Version: '2012-10-17'
          Statement: [{ Effect: Allow, Action: 'sns:Publish', Resource: ${resource} }]
`;
    const started = Date.now();
    const outcome = await check(
      `    T0: { Type: AWS::SNS::Topic, Properties: { TopicName: abcdefghij } }\n${doubling}` +
        policy('Doubled', '!Ref T40') +
        policy('Repeated', `[${Array(3000).fill('!Ref Big').join(', ')}]`),
      `Parameters:\n  Big: { Type: String, Default: ${'x'.repeat(50_000)} }\n`,
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    const limits = outcome.findings.filter((f) => f.ruleId === 'RESOLUTION_LIMIT');
    expect(limits.map((f) => [f.logicalId, f.severity])).toEqual([
      ['Doubled', 'error'],
      ['Repeated', 'error'],
    ]);
    expect(limits[0]!.message).toMatch(/through resource T2\d\).*more than 16 MiB/);
    expect(limits[1]!.message).toMatch(/^PolicyDocument of Repeated was not resolved in full/);
  });
});
