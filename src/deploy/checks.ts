import type { CloudFormationClient, OperationEvent } from '@aws-sdk/client-cloudformation';
import type { Finding } from '../model/findings.js';
import { findingOf, type RuleDefinition } from '../model/rules.js';
import {
  child,
  entry,
  isMap,
  isSeq,
  type ParsedTemplate,
  type Position,
} from '../model/template.js';
import { cloudFormationSdk } from './aws.js';
import { oneLine } from './events.js';
import { DEPLOY_RULES } from './rules.js';

/** Pages of events or hooks read at most per change set (a change set has few of either). */
const MAX_PAGES = 10;

/** Where a check's finding goes: the stack, its template file, the change set. */
export interface CheckTarget {
  stackName: string;
  changeSet: string;
  template: ParsedTemplate;
  file: string;
}

/**
 * CloudFormation's own checks of a change set as findings at the template line: its
 * pre-deployment validation (FAIL and WARN, with the property path) and the Hooks it ran, from
 * DescribeEvents; and the Hooks that will check each resource when it runs, from
 * DescribeChangeSetHooks.
 */
export async function cloudFormationChecks(
  client: CloudFormationClient,
  target: CheckTarget,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const event of await changeSetEvents(client, target)) {
    const finding = eventFinding(event, target);
    if (finding) findings.push(finding);
  }
  findings.push(...(await plannedHooks(client, target)));
  return findings;
}

async function changeSetEvents(
  client: CloudFormationClient,
  target: CheckTarget,
): Promise<OperationEvent[]> {
  const sdk = await cloudFormationSdk();
  const events: OperationEvent[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await client.send(
      new sdk.DescribeEventsCommand({
        ChangeSetName: target.changeSet,
        // A change set named, not given by ARN, needs its stack.
        ...(target.changeSet.startsWith('arn:') ? {} : { StackName: target.stackName }),
        NextToken: token,
      }),
    );
    for (const event of answer.OperationEvents ?? []) {
      if (event.EventId && seen.has(event.EventId)) continue;
      if (event.EventId) seen.add(event.EventId);
      events.push(event);
    }
    token = answer.NextToken;
    if (!token) break;
  }
  return events;
}

function eventFinding(event: OperationEvent, target: CheckTarget): Finding | undefined {
  const logicalId = event.LogicalResourceId;
  const warns = (mode: string | undefined) => mode === 'WARN';
  if (event.EventType === 'VALIDATION_ERROR' && event.ValidationStatus === 'FAILED') {
    const path = event.ValidationPath ?? '';
    const rule = warns(event.ValidationFailureMode)
      ? DEPLOY_RULES.validationWarning
      : DEPLOY_RULES.validationFailed;
    const where = path ? ` at ${path}` : '';
    return placed(rule, target, logicalId, path, {
      message: `Stack ${target.stackName}: CloudFormation's pre-deployment validation ${event.ValidationName ?? ''}${where}${logicalId ? ` (${logicalId})` : ''}: ${oneLine(event.ValidationStatusReason ?? 'no reason given')}`,
    });
  }
  if (
    event.EventType === 'HOOK_INVOCATION_ERROR' ||
    event.HookStatus === 'HOOK_COMPLETE_FAILED' ||
    event.HookStatus === 'HOOK_FAILED'
  ) {
    const rule = warns(event.HookFailureMode) ? DEPLOY_RULES.hookWarning : DEPLOY_RULES.hookFailed;
    return placed(rule, target, logicalId, '', {
      message: `Stack ${target.stackName}: CloudFormation Hook ${event.HookType ?? '(unnamed)'} ${event.HookStatus === 'HOOK_FAILED' ? 'could not run' : 'failed'}${logicalId ? ` on ${logicalId}` : ''}: ${oneLine(event.HookStatusReason ?? 'no reason given')}`,
    });
  }
  return undefined;
}

/** The hooks that will check resources when the change set runs, one finding per resource. */
async function plannedHooks(client: CloudFormationClient, target: CheckTarget): Promise<Finding[]> {
  const sdk = await cloudFormationSdk();
  const byResource = new Map<string, string[]>();
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await client.send(
      new sdk.DescribeChangeSetHooksCommand({
        ChangeSetName: target.changeSet,
        StackName: target.stackName,
        NextToken: token,
      }),
    );
    for (const hook of answer.Hooks ?? []) {
      const logicalId = hook.TargetDetails?.ResourceTargetDetails?.LogicalResourceId ?? '';
      const names = byResource.get(logicalId) ?? [];
      names.push(`${hook.TypeName ?? '(unnamed)'} (${hook.FailureMode ?? 'FAIL'})`);
      byResource.set(logicalId, names);
    }
    token = answer.NextToken;
    if (!token) break;
  }
  return [...byResource].map(([logicalId, hooks]) =>
    placed(DEPLOY_RULES.hookPlanned, target, logicalId || undefined, '', {
      message: `Stack ${target.stackName}: CloudFormation Hook${hooks.length === 1 ? '' : 's'} ${hooks.join(', ')} will check ${logicalId || 'the stack'} when the change set runs.`,
    }),
  );
}

function placed(
  rule: RuleDefinition,
  target: CheckTarget,
  logicalId: string | undefined,
  path: string,
  at: { message: string },
): Finding {
  const position = positionOf(target.template, logicalId, path);
  return findingOf(rule, {
    file: target.file,
    line: position?.line ?? 0,
    column: position?.column ?? 0,
    ...(logicalId ? { logicalId } : {}),
    ...at,
  });
}

/**
 * The deepest template node a validation path reaches: `/Resources/Bucket/Properties/Name` or,
 * relative to the resource, `/Properties/Name`; the resource itself when the path leads nowhere.
 */
export function positionOf(
  template: ParsedTemplate,
  logicalId: string | undefined,
  path: string,
): Position | undefined {
  const steps = path.split('/').filter(Boolean);
  if (steps[0] === 'Resources') {
    logicalId ??= steps[1];
    steps.splice(0, 2);
  }
  if (!logicalId) return undefined;
  const resource = entry(child(template.root, 'Resources'), logicalId);
  if (!resource) return undefined;
  let position: Position = resource.keyStart;
  let node = resource.value;
  for (const step of steps) {
    if (isMap(node)) {
      const next = entry(node, step);
      if (!next) break;
      position = next.keyStart;
      node = next.value;
    } else if (isSeq(node) && /^\d+$/.test(step) && node.items[Number(step)]) {
      node = node.items[Number(step)]!;
      position = node.start;
    } else break;
  }
  return position;
}
