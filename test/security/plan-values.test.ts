import fs from 'node:fs/promises';
import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { afterEach, describe, expect, it } from 'vitest';
import { realEdges } from '../../src/pipeline/edges.js';
import { runActionInProcess } from '../helpers/action.js';
import { workspace } from '../helpers/paths.js';
import { cfn, readyChangeSet, stackAt } from '../helpers/recorded.js';
import { fastPoller } from '../helpers/stage.js';

/** Recorded property values (moto ignores IncludePropertyValues and echoes NoEcho values). */
afterEach(() => cfn.reset());

const MANIFEST_PASSWORD = 'manifest-Pa55word-9f3k';
const DEFAULT_PASSWORD = 'default-Pa55word-7q2x';
// Longer than the 200 characters a value is shortened to: a cut must not leave its start behind.
const TOKEN = `tok-${'a1b2c3d4e5'.repeat(30)}`;

describe('secret values in the plan’s property values', () => {
  it('are masked in the log, the comment and summary, the JSON report and SARIF', async () => {
    cfn.on(DescribeStacksCommand).resolves(stackAt('app-db', 'UPDATE_COMPLETE'));
    cfn.on(CreateChangeSetCommand).resolves({ Id: 'cs' });
    cfn.on(DeleteChangeSetCommand).resolves({});
    const property = (name: string, before: string, after: string) => ({
      Target: {
        Attribute: 'Properties' as const,
        Name: name,
        RequiresRecreation: 'Never' as const,
        Path: `/Properties/${name}`,
        BeforeValue: before,
        AfterValue: after,
        AttributeChangeType: 'Modify' as const,
      },
      Evaluation: 'Static' as const,
      ChangeSource: 'DirectModification' as const,
    });
    cfn.on(DescribeChangeSetCommand).resolves(
      readyChangeSet([
        {
          Type: 'Resource',
          ResourceChange: {
            Action: 'Modify',
            LogicalResourceId: 'Database',
            ResourceType: 'AWS::RDS::DBInstance',
            Replacement: 'False',
            Scope: ['Properties'],
            Details: [
              property('MasterUserPassword', DEFAULT_PASSWORD, MANIFEST_PASSWORD),
              property('Tags', '[]', JSON.stringify([{ Key: 'token', Value: TOKEN }])),
            ],
          },
        },
      ]),
    );
    const dir = await workspace({
      'iac-stacks.yaml': `stacks:\n  db:\n    template: templates/db.yaml\n    stack-name: app-db\n    parameters: { DbPassword: ${MANIFEST_PASSWORD}, ApiToken: ${TOKEN} }\n`,
      'templates/db.yaml': `Parameters:
  DbPassword:
    Type: String
    NoEcho: true
    Default: ${DEFAULT_PASSWORD}
  ApiToken:
    Type: String
Resources:
  Database:
    Type: AWS::RDS::DBInstance
    DeletionPolicy: Snapshot
    UpdateReplacePolicy: Snapshot
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      AllocatedStorage: '20'
      MasterUsername: app
      MasterUserPassword: !Ref DbPassword
      Tags: [{ Key: token, Value: !Ref ApiToken }]
`,
    });
    const run = await runActionInProcess(
      dir,
      {
        mode: 'plan',
        'policy-validation': 'off',
        'endpoint-url': 'http://127.0.0.1:9',
        'secret-parameters': 'ApiToken',
        'sarif-file': 'report.sarif',
      },
      {
        env: {
          AWS_ACCESS_KEY_ID: 'testing',
          AWS_SECRET_ACCESS_KEY: 'testing',
          AWS_REGION: 'us-east-1',
        },
        pipeline: (settings, options) => ({ ...realEdges(settings, options), poller: fastPoller }),
      },
    );
    const json = await fs.readFile(run.outputs['report-json']!, 'utf8');
    const sarif = await fs.readFile(`${dir}/report.sarif`, 'utf8');
    const channels = {
      log: run.log.join('\n'),
      summary: run.summary,
      json,
      sarif,
      outputs: JSON.stringify(run.outputs),
      annotations: JSON.stringify(run.annotations),
    };
    // The values were shown, masked.
    expect(channels.log).toMatch(/MasterUserPassword: \*\*\*\* → \*\*\*\*/);
    expect(channels.summary).toMatch(/<code>MasterUserPassword<\/code>: <code>(\\\*){4}<\/code>/);
    expect(JSON.parse(json).plan[0].changes[0].properties[1].after).toMatch(/"Value":"\*\*\*\*"/);
    for (const [channel, text] of Object.entries(channels)) {
      for (const secret of [
        MANIFEST_PASSWORD,
        DEFAULT_PASSWORD,
        TOKEN.slice(0, 24),
        TOKEN.slice(-24),
      ])
        expect(text.includes(secret), `${channel} shows ${secret.slice(0, 12)}…`).toBe(false);
    }
  });
});
