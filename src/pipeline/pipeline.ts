import path from 'node:path';
import type { AwsClients } from '../deploy/aws.js';
import type { DeployStageResult } from '../deploy/index.js';
import type { Poller } from '../deploy/wait.js';
import { assemblySelection, assemblyStacks, isCloudAssembly } from '../discover/cdk.js';
import { loadEnvironment } from '../discover/environment.js';
import {
  addsToAssembly,
  addToAssembly,
  loadManifest,
  resolveStacks,
} from '../discover/manifest.js';
import { exists } from '../model/files.js';
import {
  compareFindings,
  summarize,
  type Finding,
  type Report,
  type ReportRule,
} from '../model/findings.js';
import { helpUrlOf } from '../model/rules.js';
import { INPUT_DEFAULTS, type Settings } from '../model/settings.js';
import type { StackSelection } from '../model/stacks.js';
import type { ParsedTemplate } from '../model/template.js';
import { guardPlan } from '../stateful/guard.js';
import { ruleById } from './rules.js';
import { resolveBase } from './base.js';
import { planOffline } from './offline-plan.js';
import { addDeployedStatements } from './plan-iam.js';
import { registerValues } from './secrets.js';
import { removedStacks } from './removed-stacks.js';
import { validate, type Validation, type ValidateDeps } from './validate.js';

/** Everything a run touches: the validation's edges plus AWS and a clock for plan and deploy. */
export interface PipelineDeps extends ValidateDeps {
  aws: AwsClients;
  poller: Poller;
  /** Overrides input timeout-minutes (tests). */
  timeoutMs?: number;
  /** Runs the app's `cdk synth` (input cdk-app); only called when that input is set. */
  synthesizeCdkApp?: () => Promise<void>;
}

export interface PipelineResult {
  report: Report;
  /** Change sets kept by plan (keep-change-sets), for output `change-sets`. */
  changeSets: DeployStageResult['changeSets'];
}

/**
 * One run in any mode: validate first and stop when that blocks, so no change set exists for a
 * template with blocking findings; then plan, deploy or execute the manifest's stacks. The report
 * is built once, at the end, and leaves through the redaction layer, so no channel can show a
 * secret value.
 */
export async function runPipeline(settings: Settings, deps: PipelineDeps): Promise<PipelineResult> {
  if (settings.cdkApp) {
    if (!deps.synthesizeCdkApp) throw new Error('input cdk-app is set but no synth edge was given');
    await deps.synthesizeCdkApp();
  }
  const environment = await loadEnvironment(settings.workspace, settings.environment);
  const notices: string[] = [];
  let stacks: StackSelection | undefined;
  // Validate deploys nothing, but a manifest of templates still says with which values each stack
  // deploys its template (the environment's per-stack parameters), for the policy and Guard checks.
  let deployedWith: StackSelection | undefined;
  let patterns = settings.templates;
  const noManifest = !(await exists(path.resolve(settings.workspace, settings.deploy.stacksFile)));
  if (settings.mode !== 'validate') {
    const assembly = await assemblyOf(settings);
    const manifest =
      assembly && !noManifest
        ? await loadManifest(settings.workspace, settings.deploy.stacksFile)
        : undefined;
    if (assembly && (!manifest || addsToAssembly(manifest))) {
      // A CDK app's stacks, roles and dependencies come from its assembly, as cdk deploy reads them.
      const fromAssembly = await assemblyStacks(settings.workspace, assembly, settings.aws);
      stacks = assemblySelection(fromAssembly, settings.deploy.stacks);
      // A manifest without templates adds settings to the assembly's stacks.
      if (manifest)
        stacks = await addToAssembly(manifest, stacks, {
          workspace: settings.workspace,
          selection: settings.deploy.stacks,
          ...(environment ? { environment } : {}),
        });
    } else if (noManifest && settings.autoMode && !settings.deploy.offline) {
      // Without a manifest the offline plan compares every template with the base commit.
      notices.push(
        `No stack manifest (${settings.deploy.stacksFile}), so no change sets were previewed: add one to see what a pull request would change in AWS.`,
      );
    } else if (!noManifest || !settings.deploy.offline) {
      stacks = await resolveStacks(
        manifest ?? (await loadManifest(settings.workspace, settings.deploy.stacksFile)),
        {
          workspace: settings.workspace,
          selection: settings.deploy.stacks,
          ...(environment ? { environment } : {}),
        },
      );
      patterns = await withStackTemplates(settings, stacks);
    }
    deployedWith = stacks;
  } else if (!noManifest && !(await assemblyOf(settings))) {
    const manifest = await loadManifest(settings.workspace, settings.deploy.stacksFile);
    if (!addsToAssembly(manifest))
      deployedWith = await resolveStacks(manifest, {
        workspace: settings.workspace,
        selection: [],
        ...(environment ? { environment } : {}),
      });
  }

  // A base commit that is missing fails before the validation spends any time.
  const base =
    settings.deploy.offline || settings.policies.checkNoNewAccess
      ? await resolveBase(settings.workspace, settings.deploy.baseRef, deps.env)
      : undefined;
  if (settings.policies.checkNoNewAccess && !base)
    notices.push(
      'check-no-new-access is on, but there is no base commit to compare the policies with: set input base-ref (CLI --base-ref REF).',
    );
  const validation = await validate(settings, deps, {
    environment,
    stacks: deployedWith,
    patterns,
    ...(settings.policies.checkNoNewAccess && base ? { base } : {}),
  });
  // The manifest's values for secret parameters are hidden before the deploy stage logs anything.
  registerValues(
    deps.redactor,
    validation.secretNames,
    [...(deployedWith?.all.values() ?? [])].flatMap((stack) =>
      stack.parameters.map((l) => l.values),
    ),
  );
  let deployment: DeployStageResult | undefined;
  if (settings.deploy.offline) {
    const offline = await planOffline(
      settings,
      base,
      validation.targets,
      validation.templates,
      stacks && new Set(stacks.selected.map((stack) => stack.id)),
    );
    notices.push(...offline.notices);
    if (base) deployment = { plan: offline.plan, findings: offline.findings, changeSets: [] };
  } else if (stacks) {
    if (summarize(validation.findings, [], settings.failOn).blocking) {
      notices.push(
        `Validation found blocking findings, so no change set was created (mode ${settings.mode}).`,
      );
    } else {
      // The deploy stage is loaded only when needed: validate-only runs never load the AWS SDK.
      const stage = await import('../deploy/index.js');
      const removed =
        settings.mode === 'execute'
          ? undefined
          : await removedStacks(settings, deps.env, stacks, environment, notices);
      const templateOf = templatesByStack(validation);
      const cancel = cancelOnSignals();
      try {
        deployment = await stage.runDeployStage(
          settings,
          {
            stacks,
            templateOf,
            guard: guardPlan,
            ...(removed ? { removed } : {}),
          },
          {
            log: deps.log,
            env: deps.env,
            aws: deps.aws,
            poller: deps.poller,
            stop: cancel.signal,
            mask: (text) => deps.redactor.secrets(text),
            ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
          },
        );
      } finally {
        cancel.release();
      }
      if (cancel.signal.aborted) notices.push(cancelledNotice(cancel.signal, deployment));
      if (settings.mode === 'plan' && deployment)
        notices.push(
          ...(await addDeployedStatements(deployment.plan, stacks, templateOf, deps.aws, settings)),
        );
    }
  }
  const report = buildReport(settings, deps.toolVersion, validation, deployment, notices);
  return { report: deps.redactor.deep(report), changeSets: deployment?.changeSets ?? [] };
}

/**
 * While stacks deploy, SIGINT or SIGTERM (a cancelled job) cancels the in-flight updates instead
 * of ending the process, so the report is still written and says what was left rolling back.
 */
function cancelOnSignals(): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const handlers = (['SIGINT', 'SIGTERM'] as const).map(
    (name) => [name, () => controller.abort(name)] as const,
  );
  for (const [name, handler] of handlers) process.on(name, handler);
  return {
    signal: controller.signal,
    release: () => handlers.forEach(([name, handler]) => process.off(name, handler)),
  };
}

function cancelledNotice(signal: AbortSignal, deployment: DeployStageResult): string {
  const rollingBack = (deployment.deployments ?? [])
    .filter((d) => d.rollingBack)
    .map((d) => `${d.stackName} (${d.region})`);
  return `The job was cancelled (${String(signal.reason)}) during the ${deployment.deployments ? 'deploy' : 'plan'}: ${rollingBack.length ? `left rolling back in AWS: ${rollingBack.join(', ')}` : 'no stack was left rolling back'}.`;
}

/**
 * Whatever gets deployed is validated, even when input templates does not list it; the default
 * folder counts only when it exists, since the manifest may keep its templates elsewhere.
 */
async function withStackTemplates(settings: Settings, stacks: StackSelection): Promise<string[]> {
  const defaultOnly =
    settings.templates.length === 1 && settings.templates[0] === INPUT_DEFAULTS.templates;
  const skipDefault =
    defaultOnly && !(await exists(path.resolve(settings.workspace, INPUT_DEFAULTS.templates)));
  const patterns = new Set(skipDefault ? [] : settings.templates);
  for (const stack of stacks.all.values()) patterns.add(stack.template);
  return [...patterns];
}

/** Each stack's parsed template, from the work list. */
function templatesByStack(validation: Validation): Map<string, ParsedTemplate> {
  const byStack = new Map<string, ParsedTemplate>();
  for (const target of validation.targets)
    for (const stack of target.stacks) byStack.set(stack.id, target.template);
  return byStack;
}

/** The one folder input `templates` names when it is a CDK cloud assembly. */
async function assemblyOf(settings: Settings): Promise<string | undefined> {
  if (settings.templates.length !== 1) return undefined;
  const folder = path.resolve(settings.workspace, settings.templates[0]!);
  return (await isCloudAssembly(folder)) ? folder : undefined;
}

/** The one place the report is assembled: validation, then the plan and deployments. */
function buildReport(
  settings: Settings,
  toolVersion: string,
  validation: Validation,
  deployment: DeployStageResult | undefined,
  notices: readonly string[],
): Report {
  const rules: Record<string, ReportRule> = {};
  const findings = [...validation.findings, ...(deployment?.findings ?? [])]
    .map(({ rule, ...finding }) => {
      rules[finding.ruleId] ??= describeRule(finding.ruleId, rule);
      return finding;
    })
    .sort(compareFindings);
  return {
    schemaVersion: 1,
    tool: { name: 'iac-action', version: toolVersion },
    ...(validation.cfnLintVersion ? { cfnLintVersion: validation.cfnLintVersion } : {}),
    ...(validation.environment ? { environment: validation.environment.name } : {}),
    templates: validation.templates,
    policies: validation.policies,
    findings,
    notices: [...validation.notices, ...notices],
    ...(validation.skipped.length ? { skipped: validation.skipped } : {}),
    rules,
    ...(validation.suppressions.length ? { suppressions: validation.suppressions } : {}),
    summary: summarize(findings, validation.templates, settings.failOn),
    ...(deployment ? { plan: deployment.plan } : {}),
    ...(deployment?.deployments ? { deployments: deployment.deployments } : {}),
  };
}

/** A rule as the registry declares it, else as its tool describes it (cfn-lint). */
function describeRule(id: string, fromTool: Finding['rule']): ReportRule {
  const declared = ruleById(id);
  if (declared) {
    return {
      title: declared.title,
      description: declared.description,
      helpUrl: helpUrlOf(declared),
      tags: [...declared.tags],
      ...(declared.securitySeverity ? { securitySeverity: declared.securitySeverity } : {}),
    };
  }
  return {
    title: fromTool?.title ?? id,
    ...(fromTool?.description ? { description: fromTool.description } : {}),
    tags: [],
  };
}
