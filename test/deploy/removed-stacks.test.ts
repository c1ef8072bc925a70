import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/model/logger.js';
import { readSettings, type InputName } from '../../src/model/settings.js';
import { realEdges } from '../../src/pipeline/edges.js';
import { runPipeline } from '../../src/pipeline/pipeline.js';
import { repository } from '../helpers/git.js';
import { cfn, stackAt } from '../helpers/recorded.js';
import { fastPoller, TEST_ENV } from '../helpers/stage.js';

/** Recorded CloudFormation answers; the manifest's history is a git repository made here. */
afterEach(() => cfn.reset());

const manifest = (stacks: string[]) =>
  `stacks:\n${stacks.map((id) => `  ${id}:\n    template: templates/queue.yaml\n    stack-name: app-${id}\n`).join('')}`;

describe('a stack removed from the manifest since the base commit', () => {
  it('is planned as no longer managed, read from the manifest at base-ref', async () => {
    cfn
      .on(DescribeStacksCommand)
      .callsFake((input: { StackName: string }) => stackAt(input.StackName, 'UPDATE_COMPLETE'));
    cfn.on(CreateChangeSetCommand).resolves({ Id: 'cs' });
    cfn
      .on(DescribeChangeSetCommand)
      .resolves({ Status: 'FAILED', StatusReason: 'No updates are to be performed.' });
    cfn.on(DeleteChangeSetCommand).resolves({});
    cfn.on(ListStackResourcesCommand).resolves({
      StackResourceSummaries: [
        {
          LogicalResourceId: 'Queue',
          ResourceType: 'AWS::SQS::Queue',
          ResourceStatus: 'CREATE_COMPLETE',
          LastUpdatedTimestamp: new Date(),
        },
      ],
    });
    cfn
      .on(GetTemplateCommand)
      .resolves({ TemplateBody: '{"Resources":{"Queue":{"Type":"AWS::SQS::Queue"}}}' });
    const queue = { 'templates/queue.yaml': 'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n' };
    const dir = await repository(
      { 'iac-stacks.yaml': manifest(['app', 'old']), ...queue },
      { 'iac-stacks.yaml': manifest(['app']) },
    );
    const env = { ...process.env, ...TEST_ENV };
    const inputs: Partial<Record<InputName, string>> = {
      mode: 'plan',
      'base-ref': 'main',
      'policy-validation': 'off',
      'endpoint-url': 'http://127.0.0.1:9',
    };
    const settings = readSettings((name) => inputs[name], { env, workspace: dir });
    const { report } = await runPipeline(settings, {
      ...realEdges(settings, { log: silentLogger, env }),
      poller: fastPoller,
    });
    expect(report.plan!.map((p) => [p.stackName, p.unmanaged ?? false])).toEqual([
      ['app-app', false],
      ['app-old', true],
    ]);
    expect(report.plan![1]!.message).toMatch(
      /stack old is in iac-stacks.yaml at base-ref main but not any more/,
    );
    expect(cfn.commandCalls(CreateChangeSetCommand).map((c) => c.args[0].input.StackName)).toEqual([
      'app-app',
    ]);
  });
});
