/**
 * One cfn-guard process for the whole run: every resolved template (one per stack deploying it)
 * is written to a data folder, every rule file is passed with -r, and each failure is mapped back
 * to the template line of the resource or property its clause points at.
 */
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { Finding, Severity } from '../model/findings.js';
import { findingOf } from '../model/rules.js';
import { shorten } from '../model/text.js';
import {
  child,
  resourceTypeOf,
  isMap,
  isSeq,
  LIMITS,
  toPlain,
  type MapEntry,
  type ParsedTemplate,
  type Position,
  type TemplateNode,
} from '../model/template.js';
import { packRuleFile, SECURITY_SEVERITY, type Control } from './pack.js';
import { resolveTemplate, type ResolveContext } from './resolve.js';
import { GUARD_RULES } from './rules.js';

/**
 * cfn-guard with nothing of the job but the environment it is given (no credentials), no stdin,
 * and a time limit; its exit code is read by the caller, never thrown.
 */
export function runCfnGuard(
  executable: string,
  args: string[],
  options: {
    env: NodeJS.ProcessEnv;
    timeoutSeconds: number;
    maxBuffer: number;
    cwd?: string;
    /** A file descriptor for its stdout instead of a pipe. */
    stdout?: number;
  },
) {
  return execa(executable, args, {
    env: options.env,
    extendEnv: false,
    reject: false,
    timeout: options.timeoutSeconds * 1000,
    maxBuffer: options.maxBuffer,
    stdin: 'ignore',
    ...(options.cwd ? { cwd: options.cwd } : {}),
    // execa takes any file descriptor here and hands it to the child; its types name only 3 to 9.
    ...(options.stdout === undefined ? {} : { stdout: options.stdout as 3 }),
  });
}

const MAX_REPORT_BYTES = 512 * 1024 * 1024;
/** One hour: about 200 times what the 200-template bench corpus takes with the pack. */
const MAX_GUARD_SECONDS = 3600;

/**
 * cfn-guard writes its JSON report with a write call per line (1.5 million for 200 templates):
 * into a file of the private scratch folder they cost us nothing, through a pipe Node would wake
 * for each (seconds of CPU taken from cfn-lint). The report is read once it has finished.
 */
async function validateIntoFile(
  executable: string,
  args: string[],
  reportFile: string,
  options: { env: NodeJS.ProcessEnv; timeoutSeconds: number },
) {
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fsConstants;
  const handle = await fs.open(reportFile, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  let result;
  let reportTooLarge = false;
  const run = runCfnGuard(executable, args, {
    ...options,
    maxBuffer: 1024 * 1024, // stderr
    stdout: handle.fd,
  });
  // The bound a pipe's maxBuffer gave: a report past it stops cfn-guard before the disk fills.
  const watch = setInterval(() => {
    void handle.stat().then(
      ({ size }) => {
        if (size > MAX_REPORT_BYTES && !reportTooLarge) {
          reportTooLarge = true;
          run.kill('SIGKILL');
        }
      },
      () => {},
    );
  }, 250);
  try {
    result = await run;
  } finally {
    clearInterval(watch);
    await handle.close();
  }
  const size = (await fs.stat(reportFile)).size;
  const report =
    !reportTooLarge && size <= MAX_REPORT_BYTES ? await fs.readFile(reportFile, 'utf8') : undefined;
  return { result, report, reportTooLarge };
}

export interface GuardResolution {
  /** The manifest stack this resolution is for; absent: the environment's values. */
  stack?: string;
  parameters: Record<string, string>;
}

export interface GuardTarget {
  template: ParsedTemplate;
  resolutions: GuardResolution[];
}

/** A rule file from the repository: every rule it declares is reported under its own name. */
export interface RepoRuleFile {
  absolutePath: string;
  /** Repository-relative, for findings on the rule file itself. */
  file: string;
}

export interface GuardOptions {
  executable: string;
  controls: readonly Control[];
  ruleFiles: readonly RepoRuleFile[];
  /** A private folder the data files are written to. */
  scratch: string;
  context: Omit<ResolveContext, 'parameters' | 'stackName'>;
  timeoutSeconds: number;
  env: NodeJS.ProcessEnv;
}

interface DataFile {
  target: GuardTarget;
  resolution: GuardResolution;
  resolved: TemplateNode;
}

/** cfn-guard's exit code when every rule ran and some failed. */
const RULES_FAILED = 19;

export async function evaluateGuard(
  targets: readonly GuardTarget[],
  options: GuardOptions,
): Promise<Finding[]> {
  if (!targets.length || (!options.controls.length && !options.ruleFiles.length)) return [];
  const dataFolder = path.join(options.scratch, 'guard-data');
  await fs.mkdir(dataFolder, { recursive: true });
  const data = new Map<string, DataFile>();
  const limits: Finding[] = [];
  for (const [index, target] of targets.entries()) {
    for (const [n, resolution] of target.resolutions.entries()) {
      const { template: resolved, tooLargeAt } = resolveTemplate(target.template.root, {
        ...options.context,
        parameters: resolution.parameters,
      });
      if (tooLargeAt) limits.push(tooLarge(target.template, tooLargeAt, resolution.stack));
      const file = path.join(dataFolder, `${index}-${n}.json`);
      await fs.writeFile(file, JSON.stringify(toPlain(resolved)));
      data.set(file, { target, resolution, resolved });
    }
  }
  // Most of a pack's controls report on types no template of the run has; cfn-guard's time grows
  // with rules x files, so those are left out. Repository rules always run: one may require a type.
  const present = resourceTypesOf([...data.values()].map((d) => d.resolved));
  const packRules = path.join(options.scratch, 'guard-rules');
  await fs.mkdir(packRules, { recursive: true });
  const rules = [
    ...(await Promise.all(
      options.controls
        .filter(
          (c) =>
            !c.resourceTypes.length || c.resourceTypes.some((t) => present.has(t.toLowerCase())),
        )
        .map((c) => packRuleFile(c, packRules)),
    )),
    ...options.ruleFiles.map((r) => r.absolutePath),
  ];
  if (!rules.length) return [];
  // The time limit is per template (input cfn-lint-timeout), as for cfn-lint.
  // Bounded all the same: a rule that backtracks must not hold the job for hours.
  const timeoutSeconds = Math.min(options.timeoutSeconds * data.size, MAX_GUARD_SECONDS);
  const { result, report, reportTooLarge } = await validateIntoFile(
    options.executable,
    [
      'validate',
      ...rules.flatMap((r) => ['-r', r]),
      '-d',
      dataFolder,
      '-o',
      'json',
      '--structured',
      '--show-summary',
      'none',
    ],
    path.join(options.scratch, 'guard-report.json'),
    { env: options.env, timeoutSeconds },
  );
  const firstFile = targets[0]!.template.file;
  if (result.timedOut) {
    return [
      ...mergeAcrossStacks(limits, targets),
      findingOf(GUARD_RULES.failed, {
        file: firstFile,
        line: 1,
        column: 1,
        message: `cfn-guard did not finish within ${timeoutSeconds} seconds (input cfn-lint-timeout, ${options.timeoutSeconds} s per template, at most ${MAX_GUARD_SECONDS} s in all) and was stopped.`,
      }),
    ];
  }
  if (reportTooLarge) {
    return [
      ...mergeAcrossStacks(limits, targets),
      failure(
        `its report grew past ${MAX_REPORT_BYTES / 1_048_576} MiB and it was stopped`,
        firstFile,
        options.ruleFiles,
      ),
    ];
  }
  if (result.exitCode !== 0 && result.exitCode !== RULES_FAILED) {
    return [
      ...mergeAcrossStacks(limits, targets),
      failure(String(result.stderr) || shorten(report ?? '', 2000), firstFile, options.ruleFiles),
    ];
  }
  let reports: GuardReport[];
  try {
    if (report === undefined) throw new RangeError('report too large');
    reports = JSON.parse(report) as GuardReport[];
  } catch {
    return [
      ...mergeAcrossStacks(limits, targets),
      failure('its output was not the JSON it promises', firstFile, options.ruleFiles),
    ];
  }
  const controlByRule = new Map<string, Control>();
  for (const control of options.controls)
    for (const name of control.ruleNames) controlByRule.set(name, control);
  const findings: Finding[] = [];
  for (const report of reports) {
    const source = data.get(report.name);
    if (!source) continue;
    for (const item of report.not_compliant ?? []) {
      if (!item.Rule) continue;
      findings.push(...ruleFindings(item.Rule, source, controlByRule));
    }
  }
  return mergeAcrossStacks([...limits, ...findings], targets);
}

function tooLarge(template: ParsedTemplate, logicalId: string, stack?: string): Finding {
  const entry = child(template.root, 'Resources');
  const at = isMap(entry) ? entry.entries.find((e) => e.key === logicalId)?.keyStart : undefined;
  return findingOf(GUARD_RULES.tooLargeToResolve, {
    file: template.file,
    line: at?.line ?? 1,
    column: at?.column ?? 1,
    message: `${logicalId} builds more than ${LIMITS.maxResolvedChars / 1_048_576} MiB of text from its intrinsic functions; from there on, Guard rules saw the values as written.`,
    logicalId,
    ...(stack ? { stack } : {}),
  });
}

/** The resource types the resolved templates declare, lower-cased: a rule may spell one otherwise. */
function resourceTypesOf(roots: readonly TemplateNode[]): Set<string> {
  const types = new Set<string>();
  for (const root of roots) {
    const resources = child(root, 'Resources');
    if (!isMap(resources)) continue;
    for (const { value } of resources.entries) {
      const type = resourceTypeOf(value);
      if (type) types.add(type.toLowerCase());
    }
  }
  return types;
}

interface GuardRule {
  name: string;
  checks?: unknown[];
}
interface GuardReport {
  name: string;
  not_compliant?: { Rule?: GuardRule }[];
}

function ruleFindings(
  rule: GuardRule,
  source: DataFile,
  controlByRule: ReadonlyMap<string, Control>,
): Finding[] {
  const { paths, messages } = collect(rule);
  const tag = messages.map((m) => /\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/.exec(m)?.[1]).find(Boolean);
  const control = controlByRule.get(rule.name);
  const controlId = tag ?? control?.id;
  const byResource = new Map<string, string[]>();
  for (const p of paths) {
    const logicalId = p.split('/')[2] ?? '';
    byResource.set(logicalId, [...(byResource.get(logicalId) ?? []), p]);
  }
  if (!byResource.size) byResource.set('', []);
  const message = controlId
    ? `${control?.title ?? rule.name}.${control?.remediation ? ` Fix: ${control.remediation}` : ''}`
    : messages.map((m) => m.trim()).find(Boolean) || `Guard rule ${rule.name} failed.`;
  const severity: Severity = control?.severity ?? 'error';
  return [...byResource].map(([logicalId, resourcePaths]) => {
    const position = deepestPosition(source.resolved, logicalId, resourcePaths);
    const finding = findingOf(GUARD_RULES.ruleFailed, {
      severity,
      file: source.target.template.file,
      line: position.line,
      column: position.column,
      message: shorten(message.replace(/\s+/g, ' ')),
      ...(control?.helpUrl ? { helpUrl: control.helpUrl } : {}),
      ...(control ? { securitySeverity: SECURITY_SEVERITY[control.level] ?? '5.0' } : {}),
      ...(logicalId ? { logicalId } : {}),
      ...(source.resolution.stack ? { stack: source.resolution.stack } : {}),
    });
    // A pack control is described by its own metadata in the report's rules and SARIF.
    const described = control && {
      rule: {
        title: control.title,
        ...(control.remediation ? { description: `Fix: ${control.remediation}` } : {}),
      },
    };
    return { ...finding, ...described, ruleId: controlId ?? rule.name };
  });
}

/**
 * The data paths a failure points at and its messages; `to` is the other side of a comparison.
 */
function collect(rule: GuardRule): { paths: string[]; messages: string[] } {
  const paths = new Set<string>();
  const messages: string[] = [];
  const walk = (node: unknown, depth: number): void => {
    if (depth > 200 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) walk(item, depth + 1);
      return;
    }
    const record = node as Record<string, unknown>;
    // A {path, value} pair is a place in the data; its value is template content, never read.
    if (typeof record.path === 'string' && 'value' in record) {
      if (record.path.startsWith('/Resources/')) paths.add(record.path);
      return;
    }
    for (const [key, value] of Object.entries(record)) {
      if (key === 'to') continue;
      if (key === 'custom_message' && typeof value === 'string' && value.trim())
        messages.push(value);
      else walk(value, depth + 1);
    }
  };
  walk(rule.checks, 0);
  return { paths: [...paths], messages };
}

/** The line of the deepest property the paths reach, else the resource's own line. */
function deepestPosition(root: TemplateNode, logicalId: string, paths: string[]): Position {
  const resource = isMap(child(root, 'Resources'))
    ? (child(root, 'Resources') as { entries: MapEntry[] }).entries.find((e) => e.key === logicalId)
    : undefined;
  if (!resource) return { line: 1, column: 1 };
  let best: { depth: number; at: Position } = { depth: 0, at: resource.keyStart };
  for (const p of paths) {
    // /Resources/<id>/Properties/<property>/...: a property's key line, not the Properties map.
    const steps = p.split('/').slice(3).map(decodePointer);
    let node: TemplateNode | undefined = resource.value;
    for (const [depth, step] of steps.entries()) {
      let next: { node: TemplateNode; at: Position } | undefined;
      if (isMap(node)) {
        const e: MapEntry | undefined = node.entries.find((x) => x.key === step);
        next = e && { node: e.value, at: e.keyStart };
      } else if (isSeq(node) && /^\d+$/.test(step)) {
        const item = node.items[Number(step)];
        next = item && { node: item, at: item.start };
      }
      if (!next) break;
      node = next.node;
      if (depth >= 1 && depth + 1 > best.depth) best = { depth: depth + 1, at: next.at };
    }
  }
  return best.at;
}

function decodePointer(step: string): string {
  return step.replace(/~1/g, '/').replace(/~0/g, '~');
}

function failure(detail: string, file: string, ruleFiles: readonly RepoRuleFile[]): Finding {
  const text = detail.trim().split('\n').slice(0, 5).join(' ');
  // cfn-guard names a rule file that does not parse by its base name.
  const named = /rule file = ([^,]+),/.exec(text)?.[1];
  const ruleFile = named && ruleFiles.find((r) => path.basename(r.absolutePath) === named);
  return findingOf(GUARD_RULES.failed, {
    file: ruleFile ? ruleFile.file : file,
    line: 1,
    column: 1,
    message: shorten(`cfn-guard could not evaluate the rules: ${text}`),
  });
}

/**
 * The same failure in every stack deploying a template is one finding without a stack; one that
 * only some stacks have names them.
 */
function mergeAcrossStacks(findings: Finding[], targets: readonly GuardTarget[]): Finding[] {
  const stacksOf = new Map(
    targets.map((t) => [t.template.file, t.resolutions.map((r) => r.stack).filter(Boolean)]),
  );
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = [f.file, f.ruleId, f.logicalId, f.line, f.column].join('\0');
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.values()].map((group) => {
    const first = { ...group[0]! };
    const stacks = [...new Set(group.map((f) => f.stack).filter(Boolean))];
    if (stacks.length === (stacksOf.get(first.file)?.length ?? 0)) delete first.stack;
    else if (stacks.length) first.stack = stacks.join(', ');
    return first;
  });
}
