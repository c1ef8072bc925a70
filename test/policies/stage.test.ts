// The policy stage offline, from templates to findings.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/model/logger.js';
import { packageCatalogue } from '../../src/policies/catalogue.js';
import { createPolicyChecker } from '../../src/policies/index.js';
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
        'PutObject on "Resource": "*" can change every resource of its kind; name the resources. (Admin, PolicyDocument) [only where condition IsProd holds: false with these values]',
      ],
    ]);
  });
});
