import {
  CancelUpdateStackCommand,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/model/logger.js';
import { readSettings, type InputName } from '../../src/model/settings.js';
import { realEdges } from '../../src/pipeline/edges.js';
import { runPipeline } from '../../src/pipeline/pipeline.js';
import { renderComment } from '../../src/report/comment.js';
import { RUN } from '../helpers/report.js';
import { cfn, modify, readyChangeSet, stackAt } from '../helpers/recorded.js';
import { workspace } from '../helpers/paths.js';
import { fastPoller, TEST_ENV } from '../helpers/stage.js';

/** Recorded answers: an update that runs until it is cancelled, which moto cannot do. */
afterEach(() => cfn.reset());

describe('SIGTERM while a stack deploys', () => {
  it('cancels the update, writes the report anyway, and names the stack left rolling back', async () => {
    let state = 'UPDATE_COMPLETE';
    cfn.on(DescribeStacksCommand).callsFake(() => stackAt('app-queue', state));
    cfn.on(CreateChangeSetCommand).resolves({ Id: 'cs' });
    cfn.on(DescribeChangeSetCommand).resolves(readyChangeSet([modify('Queue', 'AWS::SQS::Queue')]));
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfn.on(DeleteChangeSetCommand).resolves({});
    cfn.on(ExecuteChangeSetCommand).callsFake(() => {
      state = 'UPDATE_IN_PROGRESS';
      // The runner cancels the job: the signal reaches our own process.
      setTimeout(() => process.emit('SIGTERM'), 30);
      return {};
    });
    cfn.on(CancelUpdateStackCommand).callsFake(() => {
      state = 'UPDATE_ROLLBACK_IN_PROGRESS';
      return {};
    });
    const dir = await workspace({
      'iac-stacks.yaml':
        'stacks:\n  queue:\n    template: templates/queue.yaml\n    stack-name: app-queue\n',
      'templates/queue.yaml': 'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n',
    });
    const env = { ...process.env, ...TEST_ENV };
    const inputs: Partial<Record<InputName, string>> = {
      mode: 'deploy',
      'policy-validation': 'offline',
      'endpoint-url': 'http://127.0.0.1:9',
    };
    const settings = readSettings((name) => inputs[name], { env, workspace: dir });
    const before = process.listenerCount('SIGTERM');
    const { report } = await runPipeline(settings, {
      ...realEdges(settings, { log: silentLogger, env }),
      poller: fastPoller,
    });
    expect(process.listenerCount('SIGTERM')).toBe(before);
    expect(cfn.commandCalls(CancelUpdateStackCommand)).toHaveLength(1);
    expect(report.deployments![0]).toMatchObject({ status: 'cancelled', rollingBack: true });
    expect(report.notices.join('\n')).toMatch(
      /cancelled \(SIGTERM\) during the deploy: left rolling back in AWS: app-queue \(us-east-1\)/,
    );
    const comment = renderComment(report, RUN, 'the job summary');
    expect(comment).toMatch(/Left rolling back in AWS: <code>app-queue<\/code>/);
  });
});
