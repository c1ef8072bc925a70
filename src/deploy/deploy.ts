import { createHash } from 'node:crypto';
import type { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import { describeError, UserError } from '../model/errors.js';
import type {
  DeploymentEntry,
  Finding,
  ResourceChangeEntry,
  StackPlanEntry,
} from '../model/findings.js';
import type { Logger } from '../model/logger.js';
import { findingOf } from '../model/rules.js';
import { child, entry, isMap, isScalar } from '../model/template.js';
import type { ParsedTemplate } from '../model/template.js';
import { publishFileAssets } from './assets.js';
import { cloudFormationSdk, s3Sdk, type AwsClients } from './aws.js';
import {
  awaitChangeSet,
  NO_CHANGES,
  createChangeSet,
  deleteChangeSet,
  describeStack,
  findChangeSet,
  type ChangeSetOutcome,
} from './changeset.js';
import { EventStream, firstFailure, formatEvent, isMissingStack } from './events.js';
import type { DriftMode } from '../model/settings.js';
import { STATEFUL_TYPES } from '../model/stateful.js';
import { cloudFormationChecks } from './checks.js';
import { detectDrift, markOverwritten } from './drift.js';
import { DEPLOY_RULES } from './rules.js';
import { stackParameters, type StackSpec } from '../model/stacks.js';
import { previewChanges } from './preview.js';
import { DeadlineError, pollUntil, StoppedError, type Poller } from './wait.js';

/** CloudFormation's limit for TemplateBody; larger templates must come from S3. */
export const MAX_TEMPLATE_BODY = 51_200;

/** Marks the plan's blocked changes and returns a finding for each (the stateful stage's guardPlan). */
export type PlanGuard = (
  plan: StackPlanEntry,
  allowReplacement: readonly string[],
  template: ParsedTemplate | undefined,
  file: string,
) => Finding[];

export interface StackContext {
  log: Logger;
  aws: AwsClients;
  poller: Poller;
  /** The action's region, for stacks that name none. */
  defaultRegion: string;
  changeSetName: string;
  allowReplacement: readonly string[];
  keepChangeSets: boolean;
  recreateFailedStacks: boolean;
  artifactBucket: string;
  timeoutMs: number;
  cancelOnTimeout: boolean;
  drift: DriftMode;
  /** Hides secret values; applied to AWS's values before they are shortened. */
  mask: (text: string) => string;
  templateFor: (stack: StackSpec) => ParsedTemplate;
  /** The stateful guard (its own stage): findings for replacements and removals it blocks. */
  guard: PlanGuard;
  /** Outputs of a stack this one depends on; undefined while it does not exist. */
  outputsOf: (stackId: string) => Promise<Record<string, string> | undefined>;
}

export interface StackResult {
  plan: StackPlanEntry;
  findings: Finding[];
  deployment?: DeploymentEntry;
}

const BUSY = /_IN_PROGRESS$/;
const SUCCEEDED = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE']);

export const regionOf = (stack: StackSpec, ctx: { defaultRegion: string }) =>
  stack.region || ctx.defaultRegion;

/** A stack's deployment outcome. */
export function deploymentOf(
  stack: StackSpec,
  region: string,
  status: DeploymentEntry['status'],
  message?: string,
  extra: Partial<DeploymentEntry> = {},
): DeploymentEntry {
  return {
    stackId: stack.id,
    stackName: stack.stackName,
    region,
    status,
    outputs: {},
    ...(message ? { message } : {}),
    ...extra,
  };
}

/**
 * Plan one stack (and in deploy mode execute it): create the change set for the stack's current
 * state, preview it, guard stateful resources, then delete it or run it to a final state.
 */
export async function processStack(
  stack: StackSpec,
  ctx: StackContext,
  mode: 'plan' | 'deploy' | 'execute',
): Promise<StackResult> {
  const region = regionOf(stack, ctx);
  const deadline = ctx.poller.now() + ctx.timeoutMs;
  const plan: StackPlanEntry = {
    stackId: stack.id,
    stackName: stack.stackName,
    region,
    status: 'changes',
    changes: [],
    iamChanges: [],
  };
  const fail = (message: string, status: DeploymentEntry['status'] = 'failed'): StackResult => {
    plan.status = 'failed';
    plan.message ??= message;
    return {
      plan,
      findings: [],
      ...(mode === 'plan' ? {} : { deployment: deployment(status, message) }),
    };
  };
  const deployment = (
    status: DeploymentEntry['status'],
    message?: string,
    extra: Partial<DeploymentEntry> = {},
  ) => deploymentOf(stack, region, status, message, extra);

  const cdk = stack.cdk;
  const notDone = `Stack ${stack.stackName} is not ${mode === 'plan' ? 'planned' : 'deployed'}`;
  if (cdk?.unsupported.length) {
    const why = `${cdk.unsupported.map((a) => `asset ${a.id} is a ${a.kind} asset`).join('; ')} (${cdk.manifestFile}), which this action does not build or publish. Deploy this stack with \`cdk deploy\`.`;
    if (mode !== 'plan') return fail(`${notDone}: ${why}`);
    plan.message = `Deploy will refuse stack ${stack.stackName}: ${why}`;
  }
  // A CDK stack's CloudFormation calls are made as its deploy role, as cdk deploy makes them.
  let aws = ctx.aws;
  try {
    if (cdk?.deployRole) aws = await ctx.aws.assumeRole(cdk.deployRole, region);
    // CloudFormation reads nested stack templates from S3 already to create the change set.
    if (cdk && mode !== 'execute')
      await publishFileAssets(
        stack.stackName,
        cdk.files.filter((asset) => asset.template),
        ctx.aws,
        ctx.log,
      );
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return fail(`${notDone}: ${describeError(error)}`);
  }
  const client = await aws.cloudFormation(region);

  const template = ctx.templateFor(stack);
  let existing: Stack | undefined;
  let emptyUpFront = false;
  let changeSet: string;
  if (mode === 'execute') {
    existing = await describeStack(client, stack.stackName);
    plan.changeSetName = ctx.changeSetName;
    const found = existing && (await findChangeSet(client, stack.stackName, ctx.changeSetName));
    if (!found) {
      return fail(
        `Stack ${existing ? 'has' : 'does not exist, so it has'} no change set ${ctx.changeSetName}; run mode plan with keep-change-sets: true first, and pass the name from its output change-sets.`,
      );
    }
    changeSet = found;
  } else {
    const started = await startChangeSet(
      stack,
      { ...ctx, aws },
      mode,
      client,
      deadline,
      plan,
      template,
    );
    if ('failed' in started) return fail(started.failed);
    if ('recreated' in started) {
      plan.changes = started.recreated;
      return { plan, findings: [] };
    }
    existing = started.existing;
    changeSet = started.changeSet;
    if (started.empty) emptyUpFront = true;
  }
  let outcome: ChangeSetOutcome = { status: 'empty' };
  try {
    if (!emptyUpFront)
      outcome = await awaitChangeSet(client, stack.stackName, changeSet, ctx.poller, deadline);
  } catch (error) {
    if (error instanceof DeadlineError) return fail(error.message, 'timed-out');
    if (error instanceof StoppedError) return fail(error.message, 'cancelled');
    return fail(`Could not read change set ${ctx.changeSetName}: ${messageOf(error)}`);
  }
  const cleanUp = async () => {
    // A reviewed change set run by mode execute stays, so a blocked one can be run once allowed.
    if (mode === 'execute' || (mode === 'plan' && ctx.keepChangeSets)) return;
    await deleteChangeSet(client, stack.stackName, changeSet).catch((error: unknown) =>
      ctx.log.warning(
        `${stack.stackName}: could not delete change set ${ctx.changeSetName}: ${messageOf(error)}`,
      ),
    );
  };
  // Read before the change set is deleted: a failed one is explained best by these.
  const checks = emptyUpFront ? [] : await readChecks(client, stack, changeSet, template, ctx);
  if (outcome.status === 'failed') {
    await cleanUp();
    return { ...fail(`The change set failed: ${outcome.reason}`), findings: checks };
  }
  if (outcome.status === 'empty') {
    plan.status = 'no-changes';
    if (!emptyUpFront) await cleanUp();
    const drifted = [...checks, ...driftFindings(plan, ctx, template, stack.template)];
    if (mode === 'plan' || blocks(drifted))
      return { plan, findings: drifted, ...blockedDeployment(mode, drifted, deployment) };
    await applyTerminationProtection(client, stack, existing);
    return {
      plan,
      findings: [],
      deployment: deployment('no-op', 'No changes.', {
        stackStatus: existing?.StackStatus ?? '',
        outputs: outputsFrom(existing),
      }),
    };
  }

  const preview = previewChanges(outcome.changes, ctx.mask, outcome.nested);
  plan.changes = preview.changes;
  plan.iamChanges = preview.iamChanges;
  if (plan.drift) markOverwritten(plan.drift, plan.changes);
  const findings = [
    ...checks,
    ...ctx.guard(plan, ctx.allowReplacement, template, stack.template),
    ...driftFindings(plan, ctx, template, stack.template),
  ];
  if (blocks(findings)) plan.status = 'blocked';
  if (mode === 'plan' || blocks(findings)) {
    await cleanUp();
    return { plan, findings, ...blockedDeployment(mode, findings, deployment) };
  }
  // The code the resources point at goes up only once the change set may run.
  const code = cdk?.files.filter((asset) => !asset.template) ?? [];
  if (code.length) {
    try {
      await publishFileAssets(stack.stackName, code, ctx.aws, ctx.log);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      await cleanUp();
      return {
        ...fail(`${notDone}: ${describeError(error)}`),
        findings,
      };
    }
  }
  return {
    plan,
    findings,
    deployment: await executeChangeSet(
      client,
      stack,
      changeSet,
      ctx,
      !existing || existing.StackStatus === 'REVIEW_IN_PROGRESS',
      deadline,
      deployment,
    ),
  };
}

/** With drift: fail, an error per drifted resource at its template line; the plan is blocked. */
function driftFindings(
  plan: StackPlanEntry,
  ctx: StackContext,
  template: ParsedTemplate,
  file: string,
): Finding[] {
  if (ctx.drift !== 'fail' || !plan.drift?.length) return [];
  plan.status = 'blocked';
  return plan.drift.map((d) => {
    const resource = entry(child(template.root, 'Resources'), d.logicalId);
    const what =
      d.status === 'deleted'
        ? 'was deleted'
        : `differs in ${d.differences.map((p) => p.path).join(', ') || 'its properties'}`;
    return findingOf(DEPLOY_RULES.drifted, {
      file,
      line: resource?.keyStart.line ?? 0,
      column: resource?.keyStart.column ?? 0,
      logicalId: d.logicalId,
      message: `Stack ${plan.stackName}: ${d.resourceType} ${d.logicalId} drifted: it ${what} outside CloudFormation (input drift is fail).`,
    });
  });
}

/** Errors stop a deploy: the stateful guard's, drift with drift: fail, CloudFormation's own checks. */
const blocks = (findings: readonly Finding[]) => findings.some((f) => f.severity === 'error');

/**
 * CloudFormation's validation and Hook results for the change set. An account or endpoint that
 * cannot answer (older regions, local test servers, a role without the permission) gets a warning.
 */
async function readChecks(
  client: CloudFormationClient,
  stack: StackSpec,
  changeSet: string,
  template: ParsedTemplate,
  ctx: StackContext,
): Promise<Finding[]> {
  try {
    return await cloudFormationChecks(client, {
      stackName: stack.stackName,
      changeSet,
      template,
      file: stack.template,
    });
  } catch (error) {
    ctx.log.warning(
      `${stack.stackName}: CloudFormation's validation and Hook results could not be read: ${messageOf(error)}`,
    );
    return [];
  }
}

/** In deploy and execute, a plan with blocking findings is not executed. */
function blockedDeployment(
  mode: 'plan' | 'deploy' | 'execute',
  findings: readonly Finding[],
  deployment: (status: DeploymentEntry['status'], message?: string) => DeploymentEntry,
): { deployment?: DeploymentEntry } {
  if (mode === 'plan') return {};
  const why = findings.some((f) => f.source === 'cloudformation' && f.severity === 'error')
    ? "CloudFormation's own checks (pre-deployment validation or Hooks) failed"
    : findings.some((f) => f.ruleId === DEPLOY_RULES.drifted.id)
      ? 'the stack has drifted and input drift is fail'
      : 'the change set would replace or delete stateful resources that allow-replacement does not name';
  return { deployment: deployment('failed', `Blocked: ${why}.`) };
}

/** Run a change set to a final state, streaming events; a timeout fails, never succeeds. */
export async function executeChangeSet(
  client: CloudFormationClient,
  stack: StackSpec,
  changeSet: string,
  ctx: StackContext,
  created: boolean,
  deadline: number,
  deployment: (
    status: DeploymentEntry['status'],
    message?: string,
    extra?: Partial<DeploymentEntry>,
  ) => DeploymentEntry,
): Promise<DeploymentEntry> {
  const sdk = await cloudFormationSdk();
  if (ctx.poller.stop?.aborted)
    return deployment(
      'cancelled',
      `Not executed: the run was cancelled (${String(ctx.poller.stop.reason)}).`,
    );
  const events = new EventStream(client, stack.stackName, (event) =>
    ctx.log.info(`${stack.stackName}: ${formatEvent(event)}`),
  );
  await events.start();
  // An update is checked against the policy it comes with; a new stack gets it once it exists.
  if (!created) await applyStackPolicy(client, stack);
  ctx.log.info(`${stack.stackName}: executing change set ${ctx.changeSetName}.`);
  try {
    await client.send(
      new sdk.ExecuteChangeSetCommand({
        StackName: stack.stackName,
        ChangeSetName: changeSet,
        DisableRollback: stack.disableRollback,
      }),
    );
  } catch (error) {
    await events.poll().catch(() => []);
    const reason = messageOf(error);
    const failure = firstFailure(events.events, stack.stackName);
    return deployment('failed', `ExecuteChangeSet failed: ${reason}`, failure ? { failure } : {});
  }
  let final: Stack;
  try {
    final = await waitForStack(client, stack.stackName, ctx.poller, deadline, events);
  } catch (error) {
    if (error instanceof StoppedError) {
      const left = await cancelUpdate(client, stack.stackName);
      await events.poll().catch(() => []);
      return deployment('cancelled', `${error.message} ${left.note}`, left.extra);
    }
    if (!(error instanceof DeadlineError)) throw error;
    const waited = `Still not finished after ${Math.round(ctx.timeoutMs / 60_000)} minute(s) (input timeout-minutes)`;
    if (!ctx.cancelOnTimeout) {
      return deployment(
        'timed-out',
        `${waited}; cancel-on-timeout is false, so the stack keeps going in AWS, but this run fails.`,
      );
    }
    const left = await cancelUpdate(client, stack.stackName);
    await events.poll().catch(() => []);
    return deployment('timed-out', `${waited}. ${left.note}`, left.extra);
  }
  await events.poll();
  const status = final.StackStatus ?? 'UNKNOWN';
  if (SUCCEEDED.has(status)) {
    await applyTerminationProtection(client, stack, final);
    if (created) await applyStackPolicy(client, stack);
    return deployment('succeeded', undefined, { stackStatus: status, outputs: outputsFrom(final) });
  }
  const failure = firstFailure(events.events, stack.stackName);
  return deployment('failed', rollbackOutcome(status, created), {
    stackStatus: status,
    ...(failure ? { failure } : {}),
  });
}

/**
 * Stop a running update with CancelUpdateStack, so CloudFormation rolls it back to where it was.
 * Only UPDATE_IN_PROGRESS can be cancelled: a create keeps going, and so is said.
 */
async function cancelUpdate(
  client: CloudFormationClient,
  stackName: string,
): Promise<{ note: string; extra: Partial<DeploymentEntry> }> {
  const sdk = await cloudFormationSdk();
  const status = (await describeStack(client, stackName).catch(() => undefined))?.StackStatus;
  if (status !== 'UPDATE_IN_PROGRESS') {
    return {
      note: `It was ${status ?? 'in an unknown state'}, which CancelUpdateStack cannot stop: it keeps going in AWS.`,
      extra: status
        ? {
            stackStatus: status,
            ...(/ROLLBACK_IN_PROGRESS$/.test(status) ? { rollingBack: true } : {}),
          }
        : {},
    };
  }
  try {
    await client.send(new sdk.CancelUpdateStackCommand({ StackName: stackName }));
  } catch (error) {
    return {
      note: `CancelUpdateStack failed (${messageOf(error)}): the update keeps going in AWS.`,
      extra: { stackStatus: status },
    };
  }
  return {
    note: 'The update was cancelled (CancelUpdateStack): CloudFormation is rolling the stack back to its previous state.',
    extra: { stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', rollingBack: true },
  };
}

/** The manifest's stack policy, set with SetStackPolicy (a stack without one keeps its own). */
async function applyStackPolicy(client: CloudFormationClient, stack: StackSpec): Promise<void> {
  if (!stack.stackPolicy) return;
  const sdk = await cloudFormationSdk();
  await client.send(
    new sdk.SetStackPolicyCommand({
      StackName: stack.stackName,
      StackPolicyBody: stack.stackPolicy,
    }),
  );
}

function rollbackOutcome(status: string, created: boolean): string {
  if (status === 'ROLLBACK_COMPLETE')
    return 'Creation failed and was rolled back (ROLLBACK_COMPLETE); the next deploy deletes and recreates the stack.';
  if (status === 'UPDATE_ROLLBACK_COMPLETE')
    return 'Update failed and was rolled back: the stack is as before (UPDATE_ROLLBACK_COMPLETE).';
  if (/ROLLBACK_FAILED$/.test(status))
    return `Rollback failed (${status}): the stack needs attention in the CloudFormation console.`;
  if (status === 'CREATE_FAILED' || status === 'UPDATE_FAILED')
    return `${created ? 'Creation' : 'Update'} failed and was not rolled back (disable-rollback): ${status}.`;
  return `Stack ended in ${status}.`;
}

/** Poll the stack until it leaves every *_IN_PROGRESS state, printing events on the way. */
async function waitForStack(
  client: CloudFormationClient,
  stackName: string,
  poller: Poller,
  deadline: number,
  events: EventStream | undefined,
): Promise<Stack> {
  return pollUntil(poller, deadline, `stack ${stackName}`, async () => {
    await events?.poll();
    const stack = await describeStack(client, stackName);
    if (!stack) throw new UserError(`Stack ${stackName} disappeared while it was deployed.`);
    return BUSY.test(stack.StackStatus ?? '') && stack.StackStatus !== 'REVIEW_IN_PROGRESS'
      ? undefined
      : stack;
  });
}

export async function deleteStack(
  client: CloudFormationClient,
  stackName: string,
  poller: Poller,
  deadline: number,
) {
  const sdk = await cloudFormationSdk();
  await client.send(new sdk.DeleteStackCommand({ StackName: stackName }));
  await pollUntil(poller, deadline, `deletion of stack ${stackName}`, async () => {
    try {
      const stack = await describeStack(client, stackName);
      if (stack?.StackStatus === 'DELETE_FAILED')
        throw new UserError(`Stack ${stackName} could not be deleted (DELETE_FAILED).`);
      return stack ? undefined : true;
    } catch (error) {
      if (isMissingStack(error)) return true;
      throw error;
    }
  });
}

/** Every resource of the template as an addition: what recreating a stack will do. */
function creationPreview(template: ParsedTemplate): ResourceChangeEntry[] {
  const resources = child(template.root, 'Resources');
  if (!isMap(resources)) return [];
  return resources.entries.map((resource) => {
    const type = child(resource.value, 'Type');
    const resourceType = isScalar(type) ? String(type.value) : 'unknown';
    return {
      logicalId: resource.key,
      resourceType,
      action: 'add',
      replacementCauses: [],
      stateful: STATEFUL_TYPES.has(resourceType),
      blocked: false,
    };
  });
}

/** Termination protection is set as the manifest says, after the stack exists. */
async function applyTerminationProtection(
  client: CloudFormationClient,
  stack: StackSpec,
  current: Stack | undefined,
) {
  if (!current && !stack.terminationProtection) return;
  if (current && (current.EnableTerminationProtection ?? false) === stack.terminationProtection)
    return;
  const sdk = await cloudFormationSdk();
  await client.send(
    new sdk.UpdateTerminationProtectionCommand({
      StackName: stack.stackName,
      EnableTerminationProtection: stack.terminationProtection,
    }),
  );
}

export function outputsFrom(stack: Stack | undefined): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const o of stack?.Outputs ?? []) if (o.OutputKey) outputs[o.OutputKey] = o.OutputValue ?? '';
  return outputs;
}

/** The template's declared parameter names. */
function declaredParameters(template: ParsedTemplate): Set<string> {
  const parameters = child(template.root, 'Parameters');
  return new Set(isMap(parameters) ? parameters.entries.map((e) => e.key) : []);
}

/** TemplateBody when it fits, otherwise an upload to the artifact bucket under its sha256. */
async function templateSource(
  template: ParsedTemplate,
  region: string,
  ctx: Pick<StackContext, 'artifactBucket' | 'aws' | 'log'>,
): Promise<{ body: string } | { url: string }> {
  const size = Buffer.byteLength(template.text);
  if (size <= MAX_TEMPLATE_BODY) return { body: template.text };
  if (!ctx.artifactBucket) {
    throw new UserError(
      `${template.file} is ${size} bytes; CloudFormation takes at most ${MAX_TEMPLATE_BODY} bytes inline, so it must be uploaded to S3.`,
      'Set input "artifact-bucket" to a bucket the deploy role may write to (s3:PutObject) and CloudFormation may read.',
    );
  }
  const digest = createHash('sha256').update(template.text).digest('hex');
  const key = `iac-action/templates/${digest}.${template.format === 'json' ? 'json' : 'yaml'}`;
  const sdk = await s3Sdk();
  const s3 = await ctx.aws.s3(region);
  await s3.send(
    new sdk.PutObjectCommand({
      Bucket: ctx.artifactBucket,
      Key: key,
      Body: template.text,
      ContentType: 'text/plain',
    }),
  );
  ctx.log.info(`${template.file}: ${size} bytes, uploaded to s3://${ctx.artifactBucket}/${key}.`);
  const host = `s3.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
  return { url: `https://${host}/${ctx.artifactBucket}/${key}` };
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.replace(/\s+/g, ' ').trim() : String(error);
}

/**
 * Detect the stack's drift into the plan. A detection that fails or runs out of time is a note,
 * except with drift: fail, where it fails the plan (the returned message).
 */
async function readDrift(
  client: CloudFormationClient,
  stack: StackSpec,
  ctx: StackContext,
  deadline: number,
  plan: StackPlanEntry,
): Promise<string | undefined> {
  let reason: string;
  try {
    const found = await detectDrift(client, stack.stackName, ctx.poller, deadline, ctx.mask);
    if (found.status === 'detected') {
      plan.drift = found.resources;
      if (found.note) plan.driftNote = found.note;
      return undefined;
    }
    reason = found.reason;
  } catch (error) {
    if (error instanceof StoppedError) throw error;
    reason = messageOf(error);
  }
  if (ctx.drift === 'fail')
    return `Drift could not be detected, and input drift is fail: ${reason}`;
  plan.driftNote = `Drift was not detected: ${reason}`;
  return undefined;
}

type Started =
  | { existing: Stack | undefined; changeSet: string; empty: boolean }
  | { failed: string }
  | { recreated: ResourceChangeEntry[] };
const failed = (message: string): Started => ({ failed: message });

/**
 * Create the change set that fits the stack's state: CREATE for a new stack or one in
 * REVIEW_IN_PROGRESS (or one deleted after ROLLBACK_COMPLETE), UPDATE otherwise.
 */
async function startChangeSet(
  stack: StackSpec,
  ctx: StackContext,
  mode: 'plan' | 'deploy',
  client: CloudFormationClient,
  deadline: number,
  plan: StackPlanEntry,
  template: ParsedTemplate,
): Promise<Started> {
  const region = plan.region;
  let existing: Stack | undefined = await describeStack(client, stack.stackName);
  if (
    existing &&
    BUSY.test(existing.StackStatus ?? '') &&
    existing.StackStatus !== 'REVIEW_IN_PROGRESS'
  ) {
    if (mode === 'plan')
      return failed(`Stack is busy (${existing.StackStatus}); plan again when it has finished.`);
    ctx.log.info(`${stack.stackName}: waiting for ${existing.StackStatus} to finish first.`);
    existing = await waitForStack(client, stack.stackName, ctx.poller, deadline, undefined);
  }
  if (existing?.StackStatus === 'ROLLBACK_COMPLETE') {
    if (mode === 'plan') {
      plan.message =
        'Stack is in ROLLBACK_COMPLETE (a failed first create): deploy deletes it and creates it again.';
      if (!ctx.recreateFailedStacks)
        return failed(
          `${plan.message} Input recreate-failed-stacks is false, so deploy will refuse.`,
        );
      // No change set can be made on such a stack: preview the creation it will become.
      plan.changeSetType = 'CREATE';
      return { recreated: creationPreview(template) };
    } else {
      if (!ctx.recreateFailedStacks) {
        return failed(
          'Stack is in ROLLBACK_COMPLETE (a failed first create) and input recreate-failed-stacks is false. Delete the stack, or set recreate-failed-stacks: true.',
        );
      }
      ctx.log.info(
        `${stack.stackName}: ROLLBACK_COMPLETE after a failed create; deleting it to create it again.`,
      );
      await deleteStack(client, stack.stackName, ctx.poller, deadline);
      existing = undefined;
    }
  }
  if (existing && /FAILED$/.test(existing.StackStatus ?? '')) {
    return failed(
      `Stack is in ${existing.StackStatus} and cannot be updated; fix it in the CloudFormation console (e.g. continue the update rollback) first.`,
    );
  }
  const type = !existing || existing.StackStatus === 'REVIEW_IN_PROGRESS' ? 'CREATE' : 'UPDATE';
  plan.changeSetType = type;
  plan.changeSetName = ctx.changeSetName;
  if (type === 'UPDATE' && ctx.drift !== 'ignore') {
    const refused = await readDrift(client, stack, ctx, deadline, plan);
    if (refused) return failed(refused);
  }

  const outputs = new Map<string, Record<string, string> | undefined>();
  for (const dep of stack.dependsOn) outputs.set(dep, await ctx.outputsOf(dep));
  const { values, placeholders } = stackParameters(
    stack,
    declaredParameters(template),
    (id, key) => outputs.get(id)?.[key],
  );
  if (placeholders.length) {
    if (mode === 'deploy') {
      return failed(
        `Outputs this stack needs are missing: ${placeholders.join('; ')}. Deploy the stacks it depends on first.`,
      );
    }
    plan.message = `Placeholders stand in for outputs of stacks not deployed yet: ${placeholders.join('; ')}.`;
  }

  let changeSet = ctx.changeSetName;
  try {
    changeSet = await createChangeSet(client, {
      stackName: stack.stackName,
      changeSetName: ctx.changeSetName,
      type,
      template: await templateSource(template, region, ctx),
      parameters: values,
      tags: stack.tags,
      capabilities: stack.capabilities,
      roleArn: stack.roleArn,
      revertDrift: type === 'UPDATE' && ctx.drift === 'revert',
    });
    if (type === 'UPDATE' && ctx.drift === 'revert') plan.revertsDrift = true;
  } catch (error) {
    if (error instanceof UserError) throw error;
    // CloudFormation sometimes refuses an empty change set up front instead of failing it.
    if (NO_CHANGES.test(messageOf(error))) return { existing, changeSet, empty: true };
    return failed(`Could not create the change set: ${messageOf(error)}`);
  }
  return { existing, changeSet, empty: false };
}
