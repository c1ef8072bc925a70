import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import pLimit from 'p-limit';
import type { Finding } from '../model/findings.js';
import type { Logger } from '../model/logger.js';
import { UserError } from '../model/errors.js';
import { findingOf } from '../model/rules.js';
import { toFinding, type CfnLintResult } from './findings.js';
import type { CacheScope, LintCache } from './cache.js';
import { LINT_RULES } from './rules.js';
import { pythonOf } from './install.js';
import { LintServer, type RunEnd } from './server.js';
import { forkedShardCount, planShards, workerCount } from './shards.js';

export interface LintTarget {
  /** Absolute path handed to cfn-lint (a rendering lives in a temporary folder). */
  path: string;
  /** Repository-relative file the findings are reported against. */
  file: string;
  size: number;
  /** The text cfn-lint checks: with a cache, unchanged texts are not checked again. */
  content?: string | Uint8Array;
}

export interface LintOptions {
  executable: string;
  region: string;
  extraArgs: readonly string[];
  timeoutSeconds: number;
  /** cfn-lint reads .cfnlintrc from here: the workspace only when the repository is trusted. */
  cwd: string;
  cores: number;
  env: NodeJS.ProcessEnv;
  /** Stops every cfn-lint process of the run (SIGINT / SIGTERM of our own process). */
  stop?: AbortSignal;
  /** One cfn-lint command per shard instead of the workers of one server (tests compare both). */
  command?: boolean;
  log?: Logger;
  /** cfn-lint results of earlier runs, by content; this run's results are added to it. */
  cache?: LintCache;
  /** A server started before the templates were known, taken when its options are these. */
  warm?: LintWarmup;
}

/**
 * Python's import of cfn-lint takes seconds: started while the templates are still being found and
 * parsed, the server is ready when they are. The first lintTemplates with the same options takes
 * it; one nobody takes is stopped by close().
 */
export class LintWarmup {
  private readonly key: string;
  private readonly server: Promise<LintServer | undefined>;
  private taken = false;

  constructor(executable: Promise<string>, options: Omit<LintOptions, 'executable'>) {
    const args = optionArgs(options);
    this.key = serverKey(args, options.cwd);
    this.server = executable
      .then((found) => startServer(args, { ...options, executable: found }))
      .catch(() => undefined);
  }

  take(args: readonly string[], cwd: string): Promise<LintServer | undefined> | undefined {
    if (this.taken || this.key !== serverKey(args, cwd)) return undefined;
    this.taken = true;
    return this.server;
  }

  close(): void {
    if (!this.taken) void this.server.then((server) => server?.close());
    this.taken = true;
  }
}

function serverKey(args: readonly string[], cwd: string): string {
  return JSON.stringify([args, cwd]);
}

export const INSTALL_HINT =
  'Install it with `pip install cfn-lint` (or `pipx install cfn-lint`) and make sure it is on PATH.';

/** Only what Python needs: cfn-lint never needs AWS or GitHub credentials, so it never sees them. */
export function lintEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const keep =
    /^(PATH|HOME|LANG|LC_\w+|TMPDIR|TEMP|TMP|SYSTEMROOT|PYTHON\w*|VIRTUAL_ENV|PYENV\w*|PIPX\w*|XDG_\w+)$/;
  return Object.fromEntries(Object.entries(env).filter(([k]) => keep.test(k)));
}

/** Why a cfn-lint process gave no report; `missing` and `unstartable` are never one file's fault. */
interface Failure {
  kind: 'missing' | 'unstartable' | 'timeout' | 'signal' | 'crash';
  detail: string;
}

type ShardOutcome =
  | { ok: true; results: CfnLintResult[] }
  | { ok: false; failure: Failure; failedAt?: { index: number; before: CfnLintResult[] } };

/** A template that is checked in well under a second with every option: tells setup from file. */
const PROBE_TEMPLATE = 'Resources:\n  Probe:\n    Type: AWS::SNS::Topic\n';

/**
 * Lint every target not in the cache, in small size-balanced shards, run by workers forked by
 * one Python process that loaded cfn-lint once (or, where its Python is unknown, a cfn-lint command
 * of its own), as many at a time as pay off. A template that breaks its shard gets a finding saying
 * why and every other one keeps its findings: the server names it, a command's shard is split and
 * re-run until it stands alone.
 */
export async function lintTemplates(
  targets: readonly LintTarget[],
  options: LintOptions,
): Promise<Finding[]> {
  if (targets.length === 0) return [];
  const byPath = new Map(targets.map((t) => [t.path, t.file]));
  const args = optionArgs(options);
  const scope = options.cache?.scope(args, options.cwd);
  const findings: Finding[] = [];
  const keys = new Map<string, string>();
  const unchecked: LintTarget[] = [];
  for (const target of targets) {
    const key =
      scope && target.content !== undefined ? scope.keyOf(target.content, target.file) : undefined;
    const cached = key ? scope!.get(key) : undefined;
    if (key && !cached) keys.set(target.path, key);
    if (!cached) {
      unchecked.push(target);
      continue;
    }
    for (const result of cached) {
      const finding = toFinding({ ...result, Filename: target.path }, (f) => byPath.get(f));
      if (finding) findings.push(finding);
    }
  }
  const fromCache = targets.length - unchecked.length;
  if (unchecked.length === 0) {
    options.log?.info(
      `cfn-lint: all ${targets.length} templates unchanged, results from the cache.`,
    );
    return findings;
  }
  const workers = workerCount(unchecked, options.cores);
  const server = options.command
    ? undefined
    : await (options.warm?.take(args, options.cwd) ?? startServer(args, options));
  options.log?.info(
    `cfn-lint: ${unchecked.length} template${unchecked.length === 1 ? '' : 's'} to check${fromCache ? ` (${fromCache} unchanged, from the cache)` : ''}, ${workers} at a time, ${server ? 'in workers forked by one Python process that loaded cfn-lint once' : 'one cfn-lint process per shard'}.`,
  );
  const remember = scope
    ? (shard: readonly LintTarget[], results: readonly CfnLintResult[]) => {
        cacheResults(scope, keys, shard, results);
      }
    : undefined;
  try {
    findings.push(...(await lintWith(unchecked, byPath, args, workers, options, server, remember)));
    return findings;
  } finally {
    server?.close();
  }
}

/**
 * Keep each file's results under its key; not when a result names no file of the shard or quotes
 * the path cfn-lint was given (a rendering's scratch path differs from run to run).
 */
function cacheResults(
  scope: CacheScope,
  keys: ReadonlyMap<string, string>,
  shard: readonly LintTarget[],
  results: readonly CfnLintResult[],
): void {
  const paths = new Set(shard.map((t) => t.path));
  if (results.some((r) => !r || typeof r.Filename !== 'string' || !paths.has(r.Filename))) return;
  for (const target of shard) {
    const key = keys.get(target.path);
    const own = results.filter((r) => r.Filename === target.path);
    if (key && !own.some((r) => typeof r.Message === 'string' && r.Message.includes(target.path)))
      scope.set(key, own);
  }
}

async function startServer(
  args: readonly string[],
  options: LintOptions,
): Promise<LintServer | undefined> {
  const python = await pythonOf(options.executable);
  if (!python) return undefined;
  return await LintServer.start({
    python,
    args,
    cwd: options.cwd,
    env: lintEnvironment(options.env),
    timeoutSeconds: options.timeoutSeconds,
    ...(options.stop ? { stop: options.stop } : {}),
  });
}

async function lintWith(
  targets: readonly LintTarget[],
  byPath: ReadonlyMap<string, string>,
  args: readonly string[],
  workers: number,
  options: LintOptions,
  server: LintServer | undefined,
  remember?: (shard: readonly LintTarget[], results: readonly CfnLintResult[]) => void,
): Promise<Finding[]> {
  const slots = pLimit(workers);
  const runOnce = async (paths: readonly string[], stdin?: string): Promise<ShardOutcome> => {
    const served = await server?.run(paths, stdin);
    const end =
      served ??
      (await runCommand(
        paths.length ? [...args, '--', ...paths] : args,
        paths.length,
        options,
        stdin,
      ));
    return outcomeOf(end, options);
  };
  // The server hands its paths to cfn-lint's own argument parser: escaped the same way.
  const run = (shard: readonly LintTarget[]) =>
    slots(() => runOnce(shard.map((t) => globEscape(t.path))));
  let probe: Promise<ShardOutcome> | undefined;
  const setupIsBroken = async (): Promise<Failure | undefined> => {
    probe ??= slots(() => runOnce([], PROBE_TEMPLATE));
    const outcome = await probe;
    return outcome.ok ? undefined : outcome.failure;
  };

  const findings: Finding[] = [];
  const check = async (shard: readonly LintTarget[], outcome: ShardOutcome): Promise<void> => {
    if (outcome.ok) {
      remember?.(shard, outcome.results);
      for (const result of outcome.results) {
        const finding = toFinding(result, (filename) => byPath.get(filename));
        if (finding) findings.push(finding);
      }
      return;
    }
    if (options.stop?.aborted)
      throw new UserError('cfn-lint was stopped: the run received a stop signal.');
    const { failure } = outcome;
    if (failure.kind === 'missing' || failure.kind === 'unstartable') throw setupError(failure);
    // A crash on a template that every setup can check is the setup's fault (bad args, config).
    if (failure.kind === 'crash') {
      const broken = await setupIsBroken();
      if (broken) throw setupError(broken, options);
    }
    // The server named the template: those before it are checked, those after it run again.
    const named = outcome.failedAt;
    if (named && named.index < shard.length) {
      if (named.index > 0)
        await check(shard.slice(0, named.index), { ok: true, results: named.before });
      findings.push(notChecked(shard[named.index]!, failure));
      const rest = shard.slice(named.index + 1);
      if (rest.length) await check(rest, await run(rest));
      return;
    }
    if (shard.length === 1) {
      findings.push(notChecked(shard[0]!, failure));
      return;
    }
    const half = Math.ceil(shard.length / 2);
    const parts = [shard.slice(0, half), shard.slice(half)];
    await Promise.all(parts.map(async (part) => check(part, await run(part))));
  };
  await Promise.all(
    planShards(targets, server ? forkedShardCount(targets, workers) : workers).map(async (shard) =>
      check(shard, await run(shard)),
    ),
  );
  return findings;
}

function notChecked(target: LintTarget, failure: Failure): Finding {
  return findingOf(LINT_RULES.notChecked, {
    file: target.file,
    line: 1,
    column: 1,
    message: `cfn-lint could not check this file: ${failure.detail}. The other templates were checked without it.`,
  });
}

function setupError(failure: Failure, options?: LintOptions): UserError {
  if (failure.kind === 'missing') return new UserError(failure.detail, INSTALL_HINT);
  if (failure.kind === 'unstartable')
    return new UserError(`cfn-lint could not be started: ${failure.detail}`, INSTALL_HINT);
  return new UserError(
    `cfn-lint failed on a one-resource template too: ${failure.detail}`,
    options?.extraArgs.length ? 'Check input "cfn-lint-args".' : INSTALL_HINT,
  );
}

/** cfn-lint expands every path as a glob: a file named `a[1].yaml` must not be read as a pattern. */
function globEscape(file: string): string {
  return file.replace(/[[*?]/g, '[$&]');
}

/** A trusted `.cfnlintrc` that names its own regions keeps them: --regions would override it. */
function configNamesRegions(cwd: string): boolean {
  for (const name of ['.cfnlintrc', '.cfnlintrc.yaml', '.cfnlintrc.yml']) {
    try {
      if (/^regions\s*:/m.test(fs.readFileSync(path.join(cwd, name), 'utf8'))) return true;
    } catch {
      // no such file: the next name
    }
  }
  return false;
}

function optionArgs(options: Pick<LintOptions, 'extraArgs' | 'cwd' | 'region'>): string[] {
  const hasRegion =
    options.extraArgs.some((a) => a === '--regions' || a === '-r' || a.startsWith('--regions=')) ||
    configNamesRegions(options.cwd);
  return [
    '--format',
    'json',
    ...(hasRegion ? [] : ['--regions', options.region]),
    ...options.extraArgs,
  ];
}

/**
 * The cfn-lint command in a process of its own, given the time of its templates together; with no
 * template path in `args` it reads `stdin`.
 */
async function runCommand(
  args: readonly string[],
  templates: number,
  options: LintOptions,
  stdin?: string,
): Promise<RunEnd> {
  const result = await execa(options.executable, args, {
    cwd: options.cwd,
    env: lintEnvironment(options.env),
    extendEnv: false,
    reject: false,
    timeout: options.timeoutSeconds * 1000 * Math.max(1, templates),
    maxBuffer: 256 * 1024 * 1024,
    ...(options.stop ? { cancelSignal: options.stop } : {}),
    ...(stdin === undefined ? { stdin: 'ignore' as const } : { input: stdin }),
  });
  const started = !(result.failed && result.exitCode === undefined && !result.signal);
  return {
    timedOut: result.timedOut,
    ...(result.signal ? { signal: result.signal } : {}),
    ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}),
    ...(started || result.timedOut
      ? {}
      : {
          startError: {
            ...((result as { code?: string }).code
              ? { code: (result as { code?: string }).code }
              : {}),
            message: result.shortMessage ?? 'unknown error',
          },
        }),
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
  };
}

/** What a run's end means: a report, or why there is none (never "not installed" for a signal). */
function outcomeOf(end: RunEnd, options: LintOptions): ShardOutcome {
  const parsed = reportOf(end.stdout);
  // The failed template's place, when the report of those before it can be read.
  const failedAt =
    end.failedAt !== undefined && parsed ? { index: end.failedAt, before: parsed } : undefined;
  const fail = (kind: Failure['kind'], detail: string): ShardOutcome => ({
    ok: false,
    failure: { kind, detail },
    ...(failedAt ? { failedAt } : {}),
  });
  if (end.timedOut)
    return fail(
      'timeout',
      `timed out after ${options.timeoutSeconds} s (input cfn-lint-timeout, per template)`,
    );
  if (end.signal) return fail('signal', `killed by ${end.signal}`);
  if (end.startError) {
    return end.startError.code === 'ENOENT'
      ? fail('missing', `cfn-lint was not found (${options.executable}).`)
      : fail('unstartable', end.startError.message);
  }
  if (parsed && end.failedAt === undefined) return { ok: true, results: parsed };
  // A wrapper script (a shell shim) reports its child's signal as exit code 128 + N.
  const signal = signalOfExitCode(end.exitCode);
  if (signal) return fail('signal', `killed by ${signal} (exit code ${end.exitCode})`);
  const stderr = end.stderr
    .split('\n')
    .filter((l) => l.trim())
    .slice(-5)
    .join('\n');
  return fail(
    'crash',
    `exit code ${end.exitCode} without a JSON report${stderr ? `:\n${stderr}` : ''}`,
  );
}

function reportOf(stdout: string): CfnLintResult[] | undefined {
  try {
    const parsed: unknown = JSON.parse(stdout.trim() || 'null');
    return Array.isArray(parsed) ? (parsed as CfnLintResult[]) : undefined;
  } catch {
    return undefined;
  }
}

function signalOfExitCode(code: number | undefined): string | undefined {
  if (code === undefined || code <= 128) return undefined;
  return Object.entries(os.constants.signals).find(([, n]) => n === code - 128)?.[0];
}
