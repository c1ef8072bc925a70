import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { renderComment } from '../../src/report/comment.js';
import { finding, makeReport, policyFinding, RUN } from '../helpers/report.js';

/**
 * README.md shows the exact comment this report renders. `UPDATE_DOCS=1 npx vitest run
 * test/report/sample.test.ts` rewrites the sample after a deliberate change to the comment.
 */
const docs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../README.md');
const START = '<!-- sample:start -->\n```markdown\n';
const END = '```\n<!-- sample:end -->';

const SAMPLE_REPORT = makeReport(
  [
    finding({ line: 14, column: 9 }),
    policyFinding(),
    finding({
      severity: 'warning',
      ruleId: 'W3005',
      line: 30,
      column: 5,
      logicalId: 'Topic',
      message: 'DependsOn should not reference Bucket as it is already implied by a Ref',
      helpUrl: 'https://github.com/aws-cloudformation/cfn-lint/blob/main/docs/rules.md#w3005',
    }),
  ],
  ['templates/bucket.yaml', 'templates/iam.yaml', 'templates/network.yaml', 'templates/queue.yaml'],
  {
    policies: [
      {
        file: 'templates/iam.yaml',
        logicalId: 'DeployRole',
        policyName: 'deploy',
        policyType: 'IDENTITY_POLICY',
        line: 18,
      },
    ],
    plan: [
      {
        stackId: 'data',
        stackName: 'data-lake',
        region: 'eu-west-1',
        changeSetName: 'iac-action-7-c0ffee0',
        changeSetType: 'UPDATE',
        status: 'blocked',
        changes: [
          {
            logicalId: 'CuratedBucket',
            resourceType: 'AWS::S3::Bucket',
            action: 'add',
            replacementCauses: [],
            stateful: true,
            blocked: false,
          },
          {
            logicalId: 'Warehouse',
            resourceType: 'AWS::Redshift::Cluster',
            action: 'replace',
            replacementCauses: ['NodeType', 'ClusterIdentifier'],
            stateful: true,
            blocked: true,
          },
          {
            logicalId: 'Crawler',
            resourceType: 'AWS::Glue::Crawler',
            action: 'modify',
            replacementCauses: [],
            stateful: false,
            blocked: false,
          },
        ],
        iamChanges: ['GlueRole: + s3:GetObject on arn:aws:s3:::curated-bucket/*'],
      },
      {
        stackId: 'network',
        stackName: 'network',
        region: 'eu-west-1',
        status: 'no-changes',
        changes: [],
        iamChanges: [],
      },
    ],
  },
);

it('README.md shows the exact comment of the sample report', async () => {
  const sample = renderComment(SAMPLE_REPORT, RUN, 'checks/cloudformation');
  const text = await fs.readFile(docs, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  expect(start).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  if (process.env.UPDATE_DOCS === '1') {
    await fs.writeFile(docs, `${text.slice(0, start + START.length)}${sample}${text.slice(end)}`);
    return;
  }
  expect(text.slice(start + START.length, end)).toBe(sample);
});
