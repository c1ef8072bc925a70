import path from 'node:path';
import type { AwsClients } from '../deploy/aws.js';
import { loadEnvironment } from '../discover/environment.js';
import { exists } from '../discover/paths.js';
import type { Poller } from '../deploy/wait.js';
import { compareFindings, summarize, type Report } from './findings.js';
import { registerValues } from './secrets.js';
import { INPUT_DEFAULTS, type Settings } from './settings.js';
import { validate, type ValidateDeps } from './validate.js';

/** Everything a run touches: the validation's edges plus AWS and a clock for plan and deploy. */
export interface RunDeps extends ValidateDeps {
  aws: AwsClients;
  poller: Poller;
  /** Overrides input timeout-minutes (tests). */
  timeoutMs?: number;
}

export interface RunResult {
  report: Report;
  /** Change sets kept by plan (keep-change-sets), for output `change-sets`. */
  changeSets: { stackId: string; stackName: string; region: string; changeSetName: string }[];
}

/**
 * One run in any mode: validate first and stop when that blocks, so no change set exists for a
 * template with blocking findings; then plan, deploy or execute the manifest's stacks. The report
 * leaves here through the redaction layer, so no channel can show a secret value.
 */
export async function run(settings: Settings, deps: RunDeps): Promise<RunResult> {
  const result = await runStages(settings, deps);
  return { ...result, report: deps.redactor.deep(result.report) };
}

async function runStages(settings: Settings, deps: RunDeps): Promise<RunResult> {
  if (settings.mode === 'plan' && settings.autoMode && !(await manifestExists(settings))) {
    const { report } = await validate(settings, deps);
    report.notices.push(
      `No stack manifest (${settings.deploy.stacksFile}), so no change sets were previewed: add one to see what a pull request would change in AWS.`,
    );
    return { report, changeSets: [] };
  }
  if (settings.mode === 'validate')
    return { report: (await validate(settings, deps)).report, changeSets: [] };

  // The deploy stage is loaded only when needed: validate-only runs never load the AWS SDK.
  const stage = await import('../deploy/index.js');
  const manifest = await stage.loadManifest(settings.workspace, settings.deploy.stacksFile);
  const environment = await loadEnvironment(settings.workspace, settings.environment);
  const stacks = await stage.resolveStacks(manifest, {
    workspace: settings.workspace,
    selection: settings.deploy.stacks,
    ...(environment ? { environment } : {}),
  });
  // Whatever gets deployed is validated, even when input templates does not list it; the default
  // folder counts only when it exists, since the manifest may keep its templates elsewhere.
  const defaultOnly =
    settings.templates.length === 1 && settings.templates[0] === INPUT_DEFAULTS.templates;
  const skipDefault =
    defaultOnly && !(await exists(path.resolve(settings.workspace, INPUT_DEFAULTS.templates)));
  const templates = new Set(skipDefault ? [] : settings.templates);
  // Policies are resolved with the parameter values each stack is deployed with.
  const parametersByFile = new Map<string, Record<string, string>>();
  for (const stack of stacks.all.values()) {
    templates.add(stack.template);
    if (!parametersByFile.has(stack.template)) {
      parametersByFile.set(stack.template, stage.knownParameters(stack));
    }
  }
  const validation = await validate({ ...settings, templates: [...templates] }, deps, {
    parametersFor: (file) => parametersByFile.get(file),
    environment,
  });
  // The manifest's values for secret parameters are hidden before the deploy stage logs anything.
  registerValues(
    deps.redactor,
    validation.secretNames,
    [...stacks.all.values()].flatMap((stack) => stack.parameters.map((layer) => layer.values)),
  );
  const report = validation.report;
  if (report.summary.blocking) {
    report.notices.push(
      `Validation found blocking findings, so no change set was created (mode ${settings.mode}).`,
    );
    return { report, changeSets: [] };
  }
  const result = await stage.runDeployStage(
    settings,
    { stacks, templates: validation.templates },
    {
      log: deps.log,
      env: deps.env,
      aws: deps.aws,
      poller: deps.poller,
      ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
    },
  );
  report.plan = result.plan;
  if (result.deployments) report.deployments = result.deployments;
  report.findings.push(...result.findings);
  report.findings.sort(compareFindings);
  report.summary = summarize(report.findings, report.templates, settings.failOn);
  return { report, changeSets: result.changeSets };
}

function manifestExists(settings: Settings): Promise<boolean> {
  return exists(path.resolve(settings.workspace, settings.deploy.stacksFile));
}

/** A deploy that did not reach its goal fails the job whatever fail-on says. */
export function deployFailed(report: Report): boolean {
  return (report.deployments ?? []).some((d) => d.status !== 'succeeded' && d.status !== 'no-op');
}

/** Action outputs from stack outputs: `<stackId>-<OutputKey>` each, and all as JSON. */
export function stackOutputs(report: Report): { name: string; value: string }[] {
  const all: Record<string, Record<string, string>> = {};
  const outputs: { name: string; value: string }[] = [];
  for (const d of report.deployments ?? []) {
    all[d.stackId] = d.outputs;
    for (const [key, value] of Object.entries(d.outputs))
      outputs.push({ name: `${d.stackId}-${key}`, value });
  }
  outputs.push({ name: 'outputs', value: JSON.stringify(all) });
  return outputs;
}
