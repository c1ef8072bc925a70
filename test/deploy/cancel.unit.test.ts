import {
  CancelUpdateStackCommand,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  SetStackPolicyCommand,
} from '@aws-sdk/client-cloudformation';
import { afterEach, describe, expect, it } from 'vitest';
import { formatPlanText } from '../../src/report/text.js';
import { workspace } from '../helpers/paths.js';
import { cfn, modify, readyChangeSet, recordedAws as aws, stackAt } from '../helpers/recorded.js';
import { runStage } from '../helpers/stage.js';

/**
 * Recorded answers (moto finishes every update at once, so nothing is ever in flight there):
 * timeouts, a cancelled job and stack policies.
 */
afterEach(() => cfn.reset());

const template = `Resources:
  Queue:
    Type: AWS::SQS::Queue
`;
const policy = {
  Statement: [{ Effect: 'Deny', Action: 'Update:Replace', Principal: '*', Resource: '*' }],
};
const files = {
  'iac-stacks.yaml': `stacks:
  first:
    template: templates/queue.yaml
    stack-name: app-first
    stack-policy: ${JSON.stringify(policy)}
  second:
    template: templates/queue.yaml
    stack-name: app-second
    stack-policy: policies/allow.json
`,
  'templates/queue.yaml': template,
  'policies/allow.json':
    '{"Statement":[{"Effect":"Allow","Action":"Update:*","Principal":"*","Resource":"*"}]}',
};

/** Both stacks exist; once executed they stay UPDATE_IN_PROGRESS until cancelled. */
function updatesThatHang() {
  const executed = new Set<string>();
  const cancelled = new Set<string>();
  cfn.on(DescribeStacksCommand).callsFake((input: { StackName: string }) => {
    const name = input.StackName;
    if (cancelled.has(name)) return stackAt(name, 'UPDATE_ROLLBACK_IN_PROGRESS');
    return stackAt(name, executed.has(name) ? 'UPDATE_IN_PROGRESS' : 'UPDATE_COMPLETE');
  });
  cfn.on(CreateChangeSetCommand).resolves({ Id: 'cs' });
  cfn.on(DescribeChangeSetCommand).resolves(readyChangeSet([modify('Queue', 'AWS::SQS::Queue')]));
  cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
  cfn.on(SetStackPolicyCommand).resolves({});
  cfn.on(ExecuteChangeSetCommand).callsFake((input: { StackName: string }) => {
    executed.add(input.StackName);
    return {};
  });
  cfn.on(CancelUpdateStackCommand).callsFake((input: { StackName: string }) => {
    cancelled.add(input.StackName);
    return {};
  });
  cfn.on(DeleteChangeSetCommand).resolves({});
  return { executed };
}

describe('time limits', () => {
  it('cancels an update still running at timeout-minutes, so CloudFormation rolls it back', async () => {
    updatesThatHang();
    const dir = await workspace(files);
    const run = await runStage(dir, { mode: 'deploy', stacks: 'first' }, aws, { timeoutMs: 80 });
    expect(cfn.commandCalls(CancelUpdateStackCommand).map((c) => c.args[0].input)).toEqual([
      { StackName: 'app-first' },
    ]);
    expect(run.deployments![0]).toMatchObject({
      status: 'timed-out',
      rollingBack: true,
      stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS',
    });
    expect(run.deployments![0]!.message).toMatch(
      /timeout-minutes.*cancelled \(CancelUpdateStack\)/,
    );
    expect(run.findings[0]).toMatchObject({ ruleId: 'D2002', severity: 'error' });
    expect(formatPlanText(run.plan, run.deployments)).toMatch(
      /left rolling back in AWS: app-first/,
    );
  });

  it('leaves the update running with cancel-on-timeout: false, and still fails', async () => {
    updatesThatHang();
    const dir = await workspace(files);
    const run = await runStage(
      dir,
      { mode: 'deploy', stacks: 'first', 'cancel-on-timeout': 'false' },
      aws,
      { timeoutMs: 80 },
    );
    expect(cfn.commandCalls(CancelUpdateStackCommand)).toHaveLength(0);
    expect(run.deployments![0]!.status).toBe('timed-out');
    expect(run.deployments![0]!.rollingBack).toBeUndefined();
    expect(run.deployments![0]!.message).toMatch(/cancel-on-timeout is false/);
  });
});

describe('a cancelled job', () => {
  it('cancels the update in flight, starts nothing more, and says what is rolling back', async () => {
    const { executed } = updatesThatHang();
    const stop = new AbortController();
    // The job is cancelled while the first stack updates.
    cfn.on(ExecuteChangeSetCommand).callsFake((input: { StackName: string }) => {
      executed.add(input.StackName);
      setTimeout(() => stop.abort('SIGTERM'), 30);
      return {};
    });
    const dir = await workspace(files);
    const run = await runStage(dir, { mode: 'deploy', 'max-parallel-stacks': '1' }, aws, {
      stop: stop.signal,
    });
    expect(run.deployments!.map((d) => [d.stackName, d.status, d.rollingBack])).toEqual([
      ['app-first', 'cancelled', true],
      ['app-second', 'cancelled', undefined],
    ]);
    expect(run.deployments![0]!.message).toMatch(/cancelled \(SIGTERM\).*rolling the stack back/);
    expect(run.deployments![1]!.message).toBe('Not started: the run was cancelled (SIGTERM).');
    expect(cfn.commandCalls(CancelUpdateStackCommand)).toHaveLength(1);
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(1);
    expect(run.findings.map((f) => f.ruleId)).toEqual(['D2003', 'D2003']);
  });
});

describe('stack policies', () => {
  it('sets the manifest’s policy before an update runs, inline or from a file', async () => {
    updatesThatHang();
    cfn
      .on(DescribeStacksCommand)
      .callsFake((input: { StackName: string }) => stackAt(input.StackName, 'UPDATE_COMPLETE'));
    const dir = await workspace(files);
    const run = await runStage(dir, { mode: 'deploy' }, aws);
    expect(run.deployments!.map((d) => d.status)).toEqual(['succeeded', 'succeeded']);
    const calls = cfn.commandCalls(SetStackPolicyCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      { StackName: 'app-first', StackPolicyBody: JSON.stringify(policy) },
      { StackName: 'app-second', StackPolicyBody: files['policies/allow.json'] },
    ]);
    // Before the update, so the update is held to it.
    const order = cfn.calls().map((c) => c.args[0].constructor.name);
    expect(order.indexOf('SetStackPolicyCommand')).toBeLessThan(
      order.indexOf('ExecuteChangeSetCommand'),
    );
  });

  it('sets it on a new stack once the create has finished', async () => {
    updatesThatHang();
    let created = false;
    cfn.on(DescribeStacksCommand).callsFake((input: { StackName: string }) => {
      if (created) return stackAt(input.StackName, 'CREATE_COMPLETE');
      throw Object.assign(new Error(`Stack with id ${input.StackName} does not exist`), {
        name: 'ValidationError',
      });
    });
    cfn.on(ExecuteChangeSetCommand).callsFake(() => {
      created = true;
      return {};
    });
    const dir = await workspace(files);
    const run = await runStage(dir, { mode: 'deploy', stacks: 'first' }, aws);
    expect(run.deployments![0]!.status).toBe('succeeded');
    const order = cfn.calls().map((c) => c.args[0].constructor.name);
    expect(order.indexOf('SetStackPolicyCommand')).toBeGreaterThan(
      order.indexOf('ExecuteChangeSetCommand'),
    );
  });

  it('refuses a policy file that is not a stack policy, naming the file', async () => {
    const dir = await workspace({ ...files, 'policies/allow.json': '{"Version": 1}' });
    await expect(runStage(dir, { mode: 'plan' }, aws)).rejects.toThrow(
      /policies\/allow\.json: not a stack policy/,
    );
  });
});
