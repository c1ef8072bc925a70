import { rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import { loadEnvironment, type Environment } from '../discover/environment.js';
import { cdkFindings } from '../discover/cdk-findings.js';
import { findTemplates, type TemplateSource } from '../discover/find.js';
import type { LineMapping } from '../discover/linemap.js';
import { loadTemplate, renderingRefusal } from '../discover/load.js';
import { withNestedStacks } from '../discover/nested.js';
import { createRenderer, RENDERER_HAS_NO_NETWORK } from '../discover/render.js';
import { guardEnabled, runGuard, type GuardRun, type GuardTarget } from '../guard/index.js';
import { LintCache, type CacheStore } from '../lint/cache.js';
import { LintWarmup, lintTemplates, type LintTarget } from '../lint/cfnlint.js';
import type { CdkTemplate } from '../model/cdk.js';
import { describeError, UserError } from '../model/errors.js';
import type { Finding, PolicyEntry, SuppressionEntry, TemplateEntry } from '../model/findings.js';
import type { Logger } from '../model/logger.js';
import type { Redactor } from '../model/redact.js';
import type { Settings } from '../model/settings.js';
import { knownParameters, type StackSelection, type StackSpec } from '../model/stacks.js';
import type { Target } from '../model/targets.js';
import { TEMPLATE_RULES } from '../model/template-rules.js';
import { parseTemplate } from '../parse/template.js';
import {
  withoutRepeatedLintFindings,
  type PolicyChecker,
  type PolicyOutcome,
  type PolicyTarget,
} from '../policies/index.js';
import { statefulPolicyFindings } from '../stateful/guard.js';
import { readAtCommit, type BaseCommit } from './base.js';
import { registerTemplateSecrets } from './secrets.js';

/** The edges the validation touches, passed in so tests and the CLI can choose them. */
export interface ValidateDeps {
  log: Logger;
  env: NodeJS.ProcessEnv;
  /** Every channel's redaction layer: the run registers secret values with it as it finds them. */
  redactor: Redactor;
  toolVersion: string;
  cores: number;
  /** Resolves the cfn-lint executable (installing it where the action may). */
  locateCfnLint: () => Promise<string>;
  /** Reports the version of that executable; runs beside the lint itself. */
  cfnLintVersion: (executable: string) => Promise<string | undefined>;
  checkPolicies?: PolicyChecker;
  /** Where cfn-lint results of earlier runs are kept (input `cache`); none: every file is linted. */
  lintCache?: CacheStore;
  /** Resolves the cfn-guard executable; only called when input guard-rules or guard-packs is set. */
  locateCfnGuard?: () => Promise<string>;
}

/** What a run already knows when it validates: the environment, and the manifest's stacks. */
export interface ValidateInput {
  environment?: Environment;
  stacks?: StackSelection;
  /** Files, folders and globs to check; default input `templates`. */
  patterns?: readonly string[];
  /** With check-no-new-access: the commit each policy is compared with. */
  base?: BaseCommit;
}

/** The validation's part of the report; the pipeline builds the report from it once. */
export interface Validation {
  templates: TemplateEntry[];
  findings: Finding[];
  policies: PolicyEntry[];
  notices: string[];
  cfnLintVersion?: string;
  environment?: Environment;
  /** The work list: every template that parsed, with the stacks that deploy it. */
  targets: Target[];
  /** NoEcho and user-named secret parameters, whose values the redactor hides. */
  secretNames: Set<string>;
  /** Guard rules suppressed in resource Metadata, for the report to list. */
  suppressions: SuppressionEntry[];
  /** Files a folder scan passed over because they are not templates, sorted. */
  skipped: string[];
}

/**
 * Find, render and parse the templates, then lint them with cfn-lint and check their policies at
 * the same time. Returns the findings and the work list for the stages after it.
 */
export async function validate(
  settings: Settings,
  deps: ValidateDeps,
  input: ValidateInput = {},
): Promise<Validation> {
  // Renderings are linted from here, and cfn-lint runs here so an untrusted .cfnlintrc is never read.
  const scratch = await scratchFolder(deps.env, deps.log);
  const stopping = stopOnSignals(scratch);
  // cfn-lint is located and loaded while the templates are found and parsed.
  const executable = deps.locateCfnLint();
  executable.catch(() => {}); // awaited where there is a template to lint
  const warmup = new LintWarmup(executable, {
    ...lintSettings(settings, scratch, deps),
    region: settings.aws.region,
    stop: stopping.signal,
  });
  try {
    return await validateIn(settings, { ...deps, locateCfnLint: () => executable }, input, {
      scratch,
      stop: stopping.signal,
      warmup,
    });
  } finally {
    warmup.close();
    stopping.release();
    await fs.rm(scratch, { recursive: true, force: true });
  }
}

/** The cfn-lint options of every region's run. */
function lintSettings(settings: Settings, scratch: string, deps: ValidateDeps) {
  return {
    extraArgs: settings.lint.extraArgs,
    timeoutSeconds: settings.lint.timeoutSeconds,
    cwd: settings.lint.trustRepoConfig ? settings.workspace : scratch,
    cores: deps.cores,
    env: deps.env,
  };
}

async function validateIn(
  settings: Settings,
  deps: ValidateDeps,
  input: ValidateInput,
  run: { scratch: string; stop: AbortSignal; warmup: LintWarmup },
): Promise<Validation> {
  const { scratch } = run;
  const environment =
    'environment' in input
      ? input.environment
      : await loadEnvironment(settings.workspace, settings.environment);
  const skipped: string[] = [];
  const sources = await withNestedStacks(
    settings.workspace,
    await findTemplates(settings.workspace, input.patterns ?? settings.templates, (file) =>
      skipped.push(file),
    ),
    (content, file) => {
      const parsed = parseTemplate(content, file);
      return parsed.ok ? parsed.template : undefined;
    },
  );
  deps.log.info(
    `Found ${sources.length} template${sources.length === 1 ? '' : 's'}${environment ? ` (environment ${environment.name})` : ''}.`,
  );

  const renderer = createRenderer(settings.workspace);
  const renderingRefused = renderingRefusal({
    eventName: settings.eventName,
    trusted: settings.lint.trustRepoConfig,
    holdsCredentials: Boolean(
      settings.aws.hasCredentials || settings.report.githubToken || deps.env.GITHUB_TOKEN,
    ),
    networkIsolated: RENDERER_HAS_NO_NETWORK,
  });
  // Thousands of templates at once would run out of file handles (EMFILE): a few reads at a time.
  const reads = pLimit(MAX_OPEN_READS);
  const loaded = await Promise.all(
    sources.map((source) =>
      reads(() =>
        loadTemplate(source, {
          workspace: settings.workspace,
          trusted: settings.lint.trustRepoConfig,
          renderer,
          ...(renderingRefused ? { renderingRefused } : {}),
          ...(environment ? { environment } : {}),
        }),
      ),
    ),
  ).finally(() => renderer.close());
  const findings: Finding[] = [];
  const entries: TemplateEntry[] = loaded.map((item) => ({
    file: item.source.file,
    origin: item.source.origin,
    ...(item.source.stackName ? { stackName: item.source.stackName } : {}),
  }));

  // The work list: the manifest's stacks are joined to their templates here, once.
  const stacksByFile = new Map<string, StackSpec[]>();
  for (const stack of input.stacks?.all.values() ?? []) {
    stacksByFile.set(stack.template, [...(stacksByFile.get(stack.template) ?? []), stack]);
  }
  // Our bounded parser sees every file first: one it refuses at a limit never reaches cfn-lint.
  const targets: Target[] = [];
  const unparsed = new Set<string>();
  const lineMaps = new Map<string, LineMapping>();
  const lintable: { index: number; content: string | Uint8Array }[] = [];
  const notTemplates = new Set<number>();
  const cdkTemplates = new Map<string, CdkTemplate>();
  const sourceOf = new Map(sources.map((s) => [s.file, s]));
  for (const [index, item] of loaded.entries()) {
    if (!item.ok) {
      findings.push(item.finding);
      continue;
    }
    if (item.lines) lineMaps.set(item.source.file, item.lines);
    if (item.source.cdk) cdkTemplates.set(item.source.file, item.source.cdk);
    const parsed = parseTemplate(item.content, item.source.file);
    if (
      !parsed.ok &&
      item.source.scanned &&
      parsed.finding.ruleId === TEMPLATE_RULES.notATemplate.id
    ) {
      skipped.push(item.source.file); // e.g. a JSON file with a nested "Resources" key
      notTemplates.add(index);
      continue;
    }
    if (!parsed.ok) {
      findings.push(parsed.finding);
      unparsed.add(item.source.file);
      if (!REFUSED_BEFORE_CFN_LINT.has(parsed.finding.ruleId))
        lintable.push({ index, content: item.content });
      continue;
    }
    lintable.push({ index, content: item.content });
    findings.push(...parsed.warnings);
    const resources = parsed.template.root.entries.find((e) => e.key === 'Resources')?.value;
    entries[index]!.resources = resources?.kind === 'map' ? resources.entries.length : 0;
    targets.push({
      file: item.source.file,
      template: parsed.template,
      stacks: stacksByFile.get(item.source.file) ?? [],
    });
  }

  const lintTargets: LintTarget[] = [];
  // A CDK stack names its region: cfn-lint checks it against that region's resource specs.
  const lintRegions = new Map<string, string>();
  for (const { index, content } of lintable) {
    const source = loaded[index]!.source;
    let lintPath = source.absolutePath;
    if (typeof content === 'string') {
      lintPath = path.join(
        scratch,
        `${index}-${path.basename(source.file).replace(/\.(j2|njk)$/i, '')}`,
      );
      await fs.writeFile(lintPath, content);
    }
    lintTargets.push({ path: lintPath, file: source.file, size: content.length, content });
    lintRegions.set(lintPath, source.cdk?.region ?? settings.aws.region);
  }

  const executable = lintTargets.length ? await deps.locateCfnLint() : undefined;
  const versionRun = executable ? deps.cfnLintVersion(executable) : Promise.resolve(undefined);
  const cache =
    executable && settings.lint.cache && deps.lintCache
      ? await openLintCache(deps.lintCache, await versionRun, deps.log)
      : undefined;
  const lintRun = executable
    ? Promise.all(
        [...new Set(lintRegions.values())].map((region) =>
          lintTemplates(
            lintTargets.filter((t) => lintRegions.get(t.path) === region),
            {
              ...lintSettings(settings, scratch, deps),
              executable,
              region,
              stop: run.stop,
              warm: run.warmup,
              log: deps.log,
              ...(cache ? { cache } : {}),
            },
          ),
        ),
      )
        .then((runs) => runs.flat())
        .then(async (found) => {
          if (cache?.changed) await saveLintCache(deps.lintCache!, cache, deps.log);
          return found;
        })
    : Promise.resolve([]);
  lintRun.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
  const guardExecutable =
    lintTargets.length && deps.locateCfnGuard && guardEnabled(settings)
      ? await deps.locateCfnGuard()
      : undefined;

  const templates = targets.map((t) => t.template);
  const secretNames = registerTemplateSecrets(
    deps.redactor,
    templates,
    environment,
    settings.secretParameters,
  );
  const checkingPolicies = deps.checkPolicies && settings.policies.validation !== 'off';
  const bases =
    checkingPolicies && input.base
      ? await baseTemplates(settings, input.base, targets, entries)
      : undefined;
  const [lintFindings, cfnLintVersion, policyOutcome, guardRun] = await Promise.all([
    lintRun,
    versionRun,
    checkingPolicies
      ? deps.checkPolicies!(
          targets.map((t) => ({
            ...policyTarget(t, environment, sourceOf.get(t.file)),
            ...(bases?.templates.has(t.file) ? { base: bases.templates.get(t.file)! } : {}),
          })),
        )
      : Promise.resolve<PolicyOutcome>({ policies: [], findings: [], notices: [] }),
    guardExecutable
      ? runGuard(
          targets.map((t) => guardTarget(t, environment, sourceOf.get(t.file))),
          settings,
          { executable: guardExecutable, scratch, env: deps.env },
        )
      : Promise.resolve<GuardRun>({ findings: [], suppressions: [] }),
  ]);
  // A file our parser and cfn-lint both reject keeps every parse error cfn-lint gives (each
  // duplicate key, at plain cfn-lint's lines); ours, on the same line, joins cfn-lint's message.
  const lintRejectedAt = new Map(
    lintFindings
      .filter((f) => f.ruleId === 'E0000' && unparsed.has(f.file))
      .map((f) => [`${f.file}:${f.line}`, f]),
  );
  for (const ours of findings.filter((f) => SAME_AS_E0000.has(f.ruleId))) {
    const theirs = lintRejectedAt.get(`${ours.file}:${ours.line}`);
    if (!theirs) continue;
    theirs.message = `${theirs.message} (${ours.message})`;
    findings.splice(findings.indexOf(ours), 1);
  }
  findings.push(
    ...withoutRepeatedLintFindings(lintFindings, policyOutcome.findings),
    ...policyOutcome.findings,
    ...guardRun.findings,
    ...statefulPolicyFindings(templates),
  );
  for (const finding of findings) {
    const lines = lineMaps.get(finding.file);
    if (lines) toSourceLines(finding, lines);
  }
  const located = cdkFindings(
    findings,
    new Map(targets.map((t) => [t.file, { template: t.template, cdk: cdkTemplates.get(t.file) }])),
    settings.policies.ignore,
  );
  const notices = [
    ...(skipped.length ? [skippedNotice(skipped)] : []),
    // The offline fallback only matters to a run that has policies to check.
    ...(settings.policies.autoReason && policyOutcome.policies.length > 0
      ? [settings.policies.autoReason]
      : []),
    ...(bases?.notices ?? []),
    ...policyOutcome.notices,
    ...located.notices,
  ];
  return {
    templates: entries.filter((_, index) => !notTemplates.has(index)),
    findings: located.findings,
    policies: policyOutcome.policies,
    notices,
    ...(cfnLintVersion ? { cfnLintVersion } : {}),
    ...(environment ? { environment } : {}),
    targets,
    secretNames,
    suppressions: guardRun.suppressions,
    skipped: [...skipped].sort(),
  };
}

/** The stored results, when the version is known (it is part of every key); a bad store warns. */
async function openLintCache(
  store: CacheStore,
  version: string | undefined,
  log: Logger,
): Promise<LintCache | undefined> {
  if (!version) return undefined;
  let text: string | undefined;
  try {
    text = await store.read();
  } catch (error) {
    log.warning(
      `The cfn-lint cache could not be read, every template is checked: ${describeError(error)}`,
    );
  }
  const cache = LintCache.parse(text, version);
  if (cache.dropped)
    log.warning(
      `The cfn-lint cache held ${cache.dropped} malformed entr${cache.dropped === 1 ? 'y' : 'ies'}: dropped, and their templates checked again.`,
    );
  return cache;
}

/** A cache that cannot be saved only costs the next run time: a warning, never a failed run. */
async function saveLintCache(store: CacheStore, cache: LintCache, log: Logger): Promise<void> {
  try {
    await store.write(cache.serialize());
  } catch (error) {
    log.warning(`The cfn-lint cache could not be saved: ${describeError(error)}`);
  }
}

const MAX_OPEN_READS = 32;

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * While cfn-lint runs: on SIGINT or SIGTERM stop its processes and remove the scratch folder, then
 * let the signal end the process as it would have (unless someone else handles it).
 */
function stopOnSignals(scratch: string): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    release();
    controller.abort();
    rmSync(scratch, { recursive: true, force: true });
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const release = () => STOP_SIGNALS.forEach((s) => process.off(s, onSignal));
  STOP_SIGNALS.forEach((s) => process.once(s, onSignal));
  return { signal: controller.signal, release };
}

/**
 * Each template as it was at the base commit, for check-no-new-access. Renderings are not
 * compared (the base would have to be rendered with the same environment), nor files that do not
 * parse there.
 */
async function baseTemplates(
  settings: Settings,
  base: BaseCommit,
  targets: readonly Target[],
  entries: readonly TemplateEntry[],
): Promise<{ templates: Map<string, NonNullable<PolicyTarget['base']>>; notices: string[] }> {
  const origins = new Map(entries.map((e) => [e.file, e.origin]));
  const templates = new Map<string, NonNullable<PolicyTarget['base']>>();
  const notices: string[] = [];
  const limit = pLimit(4);
  await Promise.all(
    targets.map((target) =>
      limit(async () => {
        if (origins.get(target.file) !== 'file') {
          notices.push(
            `${target.file} is rendered (${origins.get(target.file)}), so check-no-new-access does not compare its policies with ${base.name}.`,
          );
          return;
        }
        const text = await readAtCommit(settings.workspace, base.sha, target.file);
        if (text === undefined) {
          templates.set(target.file, { name: base.name });
          return;
        }
        const parsed = parseTemplate(text, target.file);
        if (parsed.ok) templates.set(target.file, { name: base.name, template: parsed.template });
        else
          notices.push(
            `${target.file} at ${base.name} does not parse, so check-no-new-access did not compare its policies.`,
          );
      }),
    ),
  );
  return { templates, notices };
}

/** "12 files skipped: not templates", so a user sees what a folder scan did not check. */
function skippedNotice(files: readonly string[]): string {
  const named = [...files].sort().slice(0, 5).join(', ');
  const more = files.length > 5 ? ` and ${files.length - 5} more` : '';
  return `${files.length} file${files.length === 1 ? '' : 's'} skipped: not templates (no top-level Resources or AWSTemplateFormatVersion): ${named}${more}.`;
}

/** Our parser's findings that cfn-lint's E0000 (template could not be parsed) repeats. */
const SAME_AS_E0000 = new Set<string>(
  [TEMPLATE_RULES.syntax, TEMPLATE_RULES.duplicateKey].map((r) => r.id),
);

/** Limits of our parser (size, text, depth, resources): cfn-lint could hang or crash there. */
const REFUSED_BEFORE_CFN_LINT = new Set<string>(
  [
    TEMPLATE_RULES.tooLarge,
    TEMPLATE_RULES.notText,
    TEMPLATE_RULES.tooDeep,
    TEMPLATE_RULES.tooManyResources,
  ].map((r) => r.id),
);

/**
 * Each stack resolves the template's policies with its own values; no stack: the environment's.
 * A CDK stack's environment gives the account and region its pseudo parameters resolve to.
 */
function policyTarget(
  target: Target,
  environment: Environment | undefined,
  source: TemplateSource | undefined,
): PolicyTarget {
  const cdk = source?.cdk;
  const where = {
    ...(cdk?.region ? { region: cdk.region } : {}),
    ...(cdk?.account ? { accountId: cdk.account } : {}),
  };
  // A nested stack's template is resolved with what its parent passes it.
  const parameters = { ...environment?.parameters, ...source?.passedParameters };
  return {
    template: target.template,
    resolutions: target.stacks.length
      ? target.stacks.map((stack) => ({ stack: stack.id, parameters: knownParameters(stack) }))
      : [{ parameters, ...where }],
  };
}

/** Guard sees the template once per stack that deploys it; no stack: with the environment's values. */
function guardTarget(
  target: Target,
  environment: Environment | undefined,
  source: TemplateSource | undefined,
): GuardTarget {
  return {
    template: target.template,
    resolutions: policyTarget(target, environment, source).resolutions,
  };
}

/** Findings on a rendering point at the template line that produced the rendered line. */
function toSourceLines(finding: Finding, lines: LineMapping): void {
  const rendered = finding.line;
  if (!lines.verbatim(rendered)) {
    finding.column = 1;
    delete finding.endColumn;
  }
  finding.line = lines.line(rendered);
  if (finding.endLine !== undefined)
    finding.endLine = Math.max(finding.line, lines.line(finding.endLine));
}

/**
 * A private folder in the temporary folder, or the runner's when that one cannot be written (a
 * read-only or full /tmp): one clear error when neither can.
 */
async function scratchFolder(env: NodeJS.ProcessEnv, log: Logger): Promise<string> {
  const temp = env.TMPDIR || os.tmpdir();
  const candidates = [...new Set([temp, ...(env.RUNNER_TEMP ? [env.RUNNER_TEMP] : [])])];
  const refused: string[] = [];
  for (const folder of candidates) {
    try {
      const made = await fs.mkdtemp(path.join(folder, 'iac-action-'));
      if (refused.length)
        log.warning(`No scratch folder could be made in ${refused.join(' or ')}; using ${folder}.`);
      return made;
    } catch (error) {
      refused.push(`${folder} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  throw new UserError(
    `No scratch folder could be made in ${refused.join(' or ')}: cfn-lint runs in one and rendered templates are written there. Point TMPDIR (or RUNNER_TEMP) to a writable folder with free space.`,
  );
}
