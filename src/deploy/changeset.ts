import type {
  Change,
  CloudFormationClient,
  DescribeChangeSetOutput,
  Parameter,
  Stack,
} from '@aws-sdk/client-cloudformation';
import { cloudFormationSdk } from './aws.js';
import { isMissingStack, oneLine } from './events.js';
import { pollUntil, type Poller } from './wait.js';

/** The messages CloudFormation gives a change set that would change nothing. */
export const NO_CHANGES = /didn't contain changes|No updates are to be performed/i;

export interface ChangeSetRequest {
  stackName: string;
  changeSetName: string;
  type: 'CREATE' | 'UPDATE';
  template: { body: string } | { url: string };
  parameters: Record<string, string>;
  tags: Record<string, string>;
  capabilities: string[];
  roleArn: string;
  /** A drift-aware change set that puts drifted resources back as the template says. */
  revertDrift: boolean;
}

/** The changes of a nested stack's change set, under the logical-id path of its stack resource. */
export interface NestedChanges {
  /** e.g. `Storage` or `Storage/Logs` for a stack nested two deep. */
  path: string;
  changes: Change[];
}

export type ChangeSetOutcome =
  | { status: 'ready'; changes: Change[]; nested: NestedChanges[] }
  | { status: 'empty' }
  | { status: 'failed'; reason: string };

/** The stack by name, or undefined when it does not exist. */
export async function describeStack(
  client: CloudFormationClient,
  stackName: string,
): Promise<Stack | undefined> {
  const sdk = await cloudFormationSdk();
  try {
    const answer = await client.send(new sdk.DescribeStacksCommand({ StackName: stackName }));
    const stack = answer.Stacks?.[0];
    return stack?.StackStatus === 'DELETE_COMPLETE' ? undefined : stack;
  } catch (error) {
    if (isMissingStack(error)) return undefined;
    throw error;
  }
}

/** Returns the change set's ARN: later calls use it, so same-named sets of other stacks never match. */
export async function createChangeSet(
  client: CloudFormationClient,
  request: ChangeSetRequest,
): Promise<string> {
  const sdk = await cloudFormationSdk();
  const parameters: Parameter[] = Object.entries(request.parameters).map(([key, value]) => ({
    ParameterKey: key,
    ParameterValue: value,
  }));
  const answer = await client.send(
    new sdk.CreateChangeSetCommand({
      StackName: request.stackName,
      ChangeSetName: request.changeSetName,
      ChangeSetType: request.type,
      ...('body' in request.template
        ? { TemplateBody: request.template.body }
        : { TemplateURL: request.template.url }),
      Parameters: parameters,
      Tags: Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value })),
      Capabilities: request.capabilities as never,
      ...(request.roleArn ? { RoleARN: request.roleArn } : {}),
      IncludeNestedStacks: true,
      ...(request.revertDrift ? { DeploymentMode: 'REVERT_DRIFT' as const } : {}),
      Description: 'Created by iac-action',
    }),
  );
  return answer.Id ?? request.changeSetName;
}

/** The ARN of a stack's change set by name (mode execute), or undefined when there is none. */
export async function findChangeSet(
  client: CloudFormationClient,
  stackName: string,
  changeSetName: string,
): Promise<string | undefined> {
  const sdk = await cloudFormationSdk();
  let token: string | undefined;
  do {
    const page = await client.send(
      new sdk.ListChangeSetsCommand({ StackName: stackName, NextToken: token }),
    );
    const found = page.Summaries?.find(
      (s) => s.ChangeSetName === changeSetName && s.StackName === stackName,
    );
    if (found) return found.ChangeSetId ?? changeSetName;
    token = page.NextToken;
  } while (token);
  return undefined;
}

/**
 * Wait for the change set to be computed, then read every page of its changes with property
 * values. An empty change set is reported as such, not as a failure.
 */
export async function awaitChangeSet(
  client: CloudFormationClient,
  stackName: string,
  changeSetName: string,
  poller: Poller,
  deadline: number,
): Promise<ChangeSetOutcome> {
  const sdk = await cloudFormationSdk();
  const first = await pollUntil(
    poller,
    deadline,
    `change set ${changeSetName} of stack ${stackName}`,
    async () => {
      const answer = await client.send(
        new sdk.DescribeChangeSetCommand({
          StackName: stackName,
          ChangeSetName: changeSetName,
          IncludePropertyValues: true,
        }),
      );
      return /PENDING|IN_PROGRESS/.test(answer.Status ?? '') ? undefined : answer;
    },
  );
  if (first.Status === 'FAILED') {
    const reason = oneLine(first.StatusReason ?? 'no reason given');
    return NO_CHANGES.test(reason) ? { status: 'empty' } : { status: 'failed', reason };
  }
  const changes = await allChanges(
    client,
    { StackName: stackName, ChangeSetName: changeSetName },
    first,
  );
  if (first.ExecutionStatus && first.ExecutionStatus !== 'AVAILABLE' && changes.length) {
    return {
      status: 'failed',
      reason: `change set is ${first.ExecutionStatus}, not AVAILABLE for execution`,
    };
  }
  if (!changes.length) return { status: 'empty' };
  return { status: 'ready', changes, nested: await nestedChanges(client, changes, '') };
}

/** Nested stacks followed at most this deep, and this many nested change sets read per stack. */
const MAX_NESTING = 5;
const MAX_NESTED_CHANGE_SETS = 50;

/** Every page of a change set's changes, the first one already read. */
async function allChanges(
  client: CloudFormationClient,
  which: { StackName?: string; ChangeSetName: string },
  first: DescribeChangeSetOutput,
): Promise<Change[]> {
  const sdk = await cloudFormationSdk();
  const changes = [...(first.Changes ?? [])];
  for (let token = first.NextToken; token;) {
    const page = await client.send(
      new sdk.DescribeChangeSetCommand({ ...which, IncludePropertyValues: true, NextToken: token }),
    );
    changes.push(...(page.Changes ?? []));
    token = page.NextToken;
  }
  return changes;
}

/**
 * The change sets CloudFormation made for nested stacks (IncludeNestedStacks), by the ARN their
 * stack resource's change names, each under its logical-id path, depth first.
 */
async function nestedChanges(
  client: CloudFormationClient,
  changes: readonly Change[],
  parent: string,
  found: NestedChanges[] = [],
): Promise<NestedChanges[]> {
  const sdk = await cloudFormationSdk();
  for (const change of changes) {
    const rc = change.ResourceChange;
    if (rc?.ResourceType !== 'AWS::CloudFormation::Stack' || !rc.ChangeSetId) continue;
    if (found.length >= MAX_NESTED_CHANGE_SETS || parent.split('/').length >= MAX_NESTING) break;
    const path = parent ? `${parent}/${rc.LogicalResourceId}` : (rc.LogicalResourceId ?? '?');
    const first = await client.send(
      new sdk.DescribeChangeSetCommand({
        ChangeSetName: rc.ChangeSetId,
        IncludePropertyValues: true,
      }),
    );
    const own = await allChanges(client, { ChangeSetName: rc.ChangeSetId }, first);
    found.push({ path, changes: own });
    await nestedChanges(client, own, path, found);
  }
  return found;
}

export async function deleteChangeSet(
  client: CloudFormationClient,
  stackName: string,
  changeSetName: string,
): Promise<void> {
  const sdk = await cloudFormationSdk();
  await client.send(
    new sdk.DeleteChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName }),
  );
}

/** A change-set name unique to this run and attempt, so leftovers never collide. */
export function changeSetNameFor(env: NodeJS.ProcessEnv, now: number): string {
  const run = env.GITHUB_RUN_ID
    ? `${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? '1'}`
    : `${now}`;
  return `iac-action-${run}`.replace(/[^-A-Za-z0-9]/g, '-').slice(0, 128);
}
