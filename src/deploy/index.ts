import pLimit from 'p-limit';
import { UserError } from '../model/errors.js';
import type { DeploymentEntry, Finding, StackPlanEntry } from '../model/findings.js';
import type { Logger } from '../model/logger.js';
import type { Settings } from '../model/settings.js';
import { child, entry } from '../model/template.js';
import type { ParsedTemplate } from '../model/template.js';
import type { AwsClients } from './aws.js';
import { DEPLOY_RULES } from './rules.js';
import { changeSetNameFor, describeStack } from './changeset.js';
import { removedStack } from './removed.js';
import {
  deploymentOf,
  outputsFrom,
  processStack,
  regionOf,
  type PlanGuard,
  type StackContext,
  type StackResult,
} from './deploy.js';
import type { StackSelection, StackSpec } from '../model/stacks.js';
import { StoppedError, type Poller } from './wait.js';

/** The edges of the plan and deploy stage. */
export interface DeployDeps {
  log: Logger;
  env: NodeJS.ProcessEnv;
  aws: AwsClients;
  poller: Poller;
  /** Overrides input timeout-minutes (tests). */
  timeoutMs?: number;
  /** Hides secret values (the run's redactor), before AWS's values are shortened. */
  mask?: (text: string) => string;
  /** Aborted when the job is cancelled: in-flight updates are cancelled, the rest not started. */
  stop?: AbortSignal;
}

export interface DeployStageResult {
  plan: StackPlanEntry[];
  deployments?: DeploymentEntry[];
  findings: Finding[];
  /** Change sets left in place (plan with keep-change-sets), for output `change-sets`. */
  changeSets: { stackId: string; stackName: string; region: string; changeSetName: string }[];
}

/**
 * Mode plan: a change set per selected stack, all at once (bounded), previewed and guarded.
 * Modes deploy and execute: stacks in dependency order, independent ones in parallel; a stack
 * whose dependency failed is skipped.
 */
export async function runDeployStage(
  settings: Settings,
  input: {
    stacks: StackSelection;
    /** Each stack's template, from the work list. */
    templateOf: ReadonlyMap<string, ParsedTemplate>;
    guard: PlanGuard;
    /** Stacks of the manifest at the base commit that are not in it any more. */
    removed?: { stacks: StackSpec[]; manifestFile: string; base: string };
  },
  deps: DeployDeps,
): Promise<DeployStageResult> {
  const mode = settings.mode;
  if (mode === 'validate') throw new Error('runDeployStage needs mode plan, deploy or execute');
  const { selected, all } = input.stacks;
  const results = new Map<string, Promise<StackResult>>();
  const selectedIds = new Set(selected.map((s) => s.id));
  const ctx: StackContext = {
    log: deps.log,
    aws: deps.aws,
    poller: deps.stop ? { ...deps.poller, stop: deps.stop } : deps.poller,
    defaultRegion: settings.aws.region,
    changeSetName:
      mode === 'execute'
        ? settings.deploy.changeSetName
        : changeSetNameFor(deps.env, deps.poller.now()),
    allowReplacement: settings.deploy.allowReplacement,
    keepChangeSets: settings.deploy.keepChangeSets,
    recreateFailedStacks: settings.deploy.recreateFailedStacks,
    artifactBucket: settings.deploy.artifactBucket,
    timeoutMs: deps.timeoutMs ?? settings.deploy.timeoutMinutes * 60_000,
    cancelOnTimeout: settings.deploy.cancelOnTimeout,
    drift: settings.deploy.drift,
    mask: deps.mask ?? ((text) => text),
    guard: input.guard,
    templateFor: (stack) => {
      const template = input.templateOf.get(stack.id);
      if (!template) {
        throw new UserError(
          `${stack.where}: template ${stack.template} of stack ${stack.id} was not validated (missing, or it did not parse).`,
          'Check the path in the stack manifest; it is relative to the repository root.',
        );
      }
      return template;
    },
    outputsOf: async (id) => {
      const own = mode !== 'plan' && selectedIds.has(id) ? results.get(id) : undefined;
      if (own) return (await own).deployment?.outputs;
      const dep = all.get(id)!;
      const client = await deps.aws.cloudFormation(regionOf(dep, ctx));
      const stack = await describeStack(client, dep.stackName);
      return stack && stack.StackStatus !== 'REVIEW_IN_PROGRESS' ? outputsFrom(stack) : undefined;
    },
  };

  const limit = pLimit(settings.deploy.maxParallelStacks);
  for (const stack of selected) {
    results.set(
      stack.id,
      (async () => {
        if (mode !== 'plan') {
          const blocker = await failedDependency(stack, results);
          if (blocker)
            return unfinished(
              stack,
              ctx,
              'skipped',
              `Skipped: stack ${blocker}, which it depends on, did not deploy.`,
            );
        }
        return limit(async () => {
          const stop = ctx.poller.stop;
          if (stop?.aborted)
            return unfinished(
              stack,
              ctx,
              'cancelled',
              `Not started: the run was cancelled (${String(stop.reason)}).`,
            );
          try {
            return await processStack(stack, ctx, mode);
          } catch (error) {
            if (error instanceof StoppedError)
              return unfinished(stack, ctx, 'cancelled', error.message);
            throw error;
          }
        });
      })(),
    );
  }
  const done = await Promise.all(results.values());
  // After the managed stacks: one of them may still have used what a removed stack exports.
  for (const stack of input.removed?.stacks ?? []) {
    const result = await removedStack(stack, ctx, {
      mode,
      deleteRemoved: settings.deploy.deleteRemovedStacks,
      manifestFile: input.removed!.manifestFile,
      base: input.removed!.base,
    });
    if (result) done.push(result);
  }
  const findings = done.flatMap((r) => r.findings);
  for (const [index, result] of done.slice(0, selected.length).entries()) {
    findings.push(
      ...outcomeFindings(result, selected[index]!, input.templateOf.get(selected[index]!.id)),
    );
  }
  return {
    plan: done.map((r) => r.plan),
    ...(mode === 'plan'
      ? {}
      : { deployments: done.flatMap((r) => (r.deployment ? [r.deployment] : [])) }),
    findings,
    changeSets:
      mode === 'plan' && settings.deploy.keepChangeSets
        ? done
            .filter((r) => r.plan.changeSetName && r.plan.status !== 'failed')
            .map((r) => ({
              stackId: r.plan.stackId,
              stackName: r.plan.stackName,
              region: r.plan.region,
              changeSetName: r.plan.changeSetName!,
            }))
        : [],
  };
}

async function failedDependency(
  stack: StackSpec,
  results: Map<string, Promise<StackResult>>,
): Promise<string | undefined> {
  for (const dep of stack.dependsOn) {
    const result = results.get(dep);
    if (!result) continue; // not selected: only its outputs are read
    const status = (await result).deployment?.status;
    if (status !== 'succeeded' && status !== 'no-op') return dep;
  }
  return undefined;
}

/** A stack the run did not get to, or left before it finished. */
function unfinished(
  stack: StackSpec,
  ctx: StackContext,
  status: 'skipped' | 'cancelled',
  message: string,
): StackResult {
  const region = regionOf(stack, ctx);
  return {
    plan: {
      stackId: stack.id,
      stackName: stack.stackName,
      region,
      status: 'failed',
      changes: [],
      iamChanges: [],
      message,
    },
    findings: [],
    deployment: deploymentOf(stack, region, status, message),
  };
}

/** Failed plans and deployments become error findings, at the failed resource when known. */
function outcomeFindings(
  result: StackResult,
  stack: StackSpec,
  template: ParsedTemplate | undefined,
): Finding[] {
  const d = result.deployment;
  const failedPlan = result.plan.status === 'failed' && !d;
  if (!failedPlan && !(d && ['failed', 'timed-out', 'cancelled'].includes(d.status))) return [];
  if (result.plan.status === 'blocked') return [];
  const logicalId = d?.failure?.logicalId;
  const resource =
    logicalId && template
      ? entry(child(template.root, 'Resources'), logicalId.split('/')[0]!) // nested: its stack
      : undefined;
  const cause = d?.failure ? ` ${d.failure.logicalId}: ${d.failure.reason}.` : '';
  return [
    {
      source: 'change-set',
      ruleId: d
        ? d.status === 'timed-out'
          ? DEPLOY_RULES.deployTimedOut.id
          : d.status === 'cancelled'
            ? DEPLOY_RULES.deployCancelled.id
            : DEPLOY_RULES.deployFailed.id
        : DEPLOY_RULES.planFailed.id,
      severity: 'error',
      file: stack.template,
      line: resource?.keyStart.line ?? 0,
      column: resource?.keyStart.column ?? 0,
      ...(resource ? { logicalId } : {}),
      message: `Stack ${stack.stackName} (${d ? 'deploy' : 'plan'}):${cause} ${d?.message ?? result.plan.message ?? 'failed'}`,
    },
  ];
}
