import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { parse } from 'yaml';
import type { ResourceChangeEntry, StackPlanEntry } from '../model/findings.js';
import type { StackSpec } from '../model/stacks.js';
import { STATEFUL_TYPES } from '../model/stateful.js';
import { cloudFormationSdk } from './aws.js';
import { describeStack } from './changeset.js';
import {
  deleteStack,
  deploymentOf,
  messageOf,
  regionOf,
  type StackContext,
  type StackResult,
} from './deploy.js';

/** Pages of a removed stack's resources read at most (100 each). */
const MAX_RESOURCE_PAGES = 20;

/**
 * A deployed stack that was in the manifest at the base commit and is not any more: shown as no
 * longer managed, its resources as removals guarded like a change set's. Mode deploy deletes it
 * only with delete-removed-stacks, never past termination protection or the stateful guard.
 */
export async function removedStack(
  stack: StackSpec,
  ctx: StackContext,
  options: {
    mode: 'plan' | 'deploy' | 'execute';
    deleteRemoved: boolean;
    manifestFile: string;
    base: string;
  },
): Promise<StackResult | undefined> {
  const region = regionOf(stack, ctx);
  const client = await ctx.aws.cloudFormation(region);
  const existing = await describeStack(client, stack.stackName);
  if (!existing || existing.StackStatus === 'REVIEW_IN_PROGRESS') return undefined;
  const protectedStack = existing.EnableTerminationProtection === true;
  const plan: StackPlanEntry = {
    stackId: stack.id,
    stackName: stack.stackName,
    region,
    status: 'changes',
    changes: await resourcesOf(client, stack.stackName),
    iamChanges: [],
    unmanaged: true,
    message: `No longer managed: stack ${stack.id} is in ${options.manifestFile} at ${options.base} but not any more. ${
      protectedStack
        ? 'Termination protection is on, so it is never deleted: turn it off first.'
        : options.deleteRemoved
          ? 'Mode deploy deletes it (delete-removed-stacks: true).'
          : 'It is left as it is; set delete-removed-stacks: true to delete it in mode deploy.'
    }`,
  };
  // Guarded only where it would be deleted: a stack left alone loses nothing.
  const findings =
    options.deleteRemoved && !protectedStack
      ? ctx.guard(plan, ctx.allowReplacement, undefined, options.manifestFile)
      : [];
  if (options.mode !== 'deploy' || !options.deleteRemoved) return { plan, findings };
  const deployment = (status: 'succeeded' | 'failed', message: string, stackStatus?: string) =>
    deploymentOf(stack, region, status, message, stackStatus ? { stackStatus } : {});
  if (protectedStack)
    return {
      plan,
      findings,
      deployment: deployment('failed', 'Not deleted: termination protection is on.'),
    };
  if (findings.length)
    return {
      plan,
      findings,
      deployment: deployment(
        'failed',
        'Not deleted: it holds stateful resources that allow-replacement does not name.',
      ),
    };
  ctx.log.info(`${stack.stackName}: deleting it, as it left the manifest (delete-removed-stacks).`);
  try {
    await deleteStack(client, stack.stackName, ctx.poller, ctx.poller.now() + ctx.timeoutMs);
  } catch (error) {
    return {
      plan,
      findings,
      deployment: deployment('failed', `Deleting it failed: ${messageOf(error)}`),
    };
  }
  return {
    plan,
    findings,
    deployment: deployment('succeeded', 'Deleted: it left the manifest.', 'DELETE_COMPLETE'),
  };
}

/** Each resource of the stack as a removal; DeletionPolicy Retain/Snapshot from its template. */
async function resourcesOf(
  client: CloudFormationClient,
  stackName: string,
): Promise<ResourceChangeEntry[]> {
  const sdk = await cloudFormationSdk();
  const kept = await retainedResources(client, stackName);
  const changes: ResourceChangeEntry[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_RESOURCE_PAGES; page++) {
    const answer = await client.send(
      new sdk.ListStackResourcesCommand({ StackName: stackName, NextToken: token }),
    );
    for (const resource of answer.StackResourceSummaries ?? []) {
      if (resource.ResourceStatus === 'DELETE_COMPLETE') continue;
      const logicalId = resource.LogicalResourceId ?? '?';
      const type = resource.ResourceType ?? 'unknown';
      changes.push({
        logicalId,
        resourceType: type,
        action: 'remove',
        replacementCauses: [],
        stateful: STATEFUL_TYPES.has(type),
        blocked: false,
        ...(kept.has(logicalId) ? { retained: true } : {}),
      });
    }
    token = answer.NextToken;
    if (!token) break;
  }
  return changes;
}

/**
 * The resources whose DeletionPolicy keeps them (Retain, RetainExceptOnCreate, Snapshot), read from
 * the deployed template. A template that cannot be read keeps none: the guard then blocks more.
 */
async function retainedResources(
  client: CloudFormationClient,
  stackName: string,
): Promise<Set<string>> {
  const sdk = await cloudFormationSdk();
  try {
    const answer = await client.send(
      new sdk.GetTemplateCommand({ StackName: stackName, TemplateStage: 'Processed' }),
    );
    // Short-form tags (!Ref) are unknown to a plain YAML parser: they only cost a warning.
    const template = parse(answer.TemplateBody ?? '{}', {
      logLevel: 'silent',
      maxAliasCount: 50,
    }) as { Resources?: Record<string, { DeletionPolicy?: unknown }> } | null;
    const kept = new Set<string>();
    for (const [id, resource] of Object.entries(template?.Resources ?? {}))
      if (/^(Retain|RetainExceptOnCreate|Snapshot)$/.test(String(resource?.DeletionPolicy)))
        kept.add(id);
    return kept;
  } catch {
    return new Set();
  }
}
