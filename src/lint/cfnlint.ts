import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import pLimit from 'p-limit';
import type { Finding } from '../model/findings.js';
import { UserError } from '../model/errors.js';
import { findingOf } from '../model/rules.js';
import { toFinding, type CfnLintResult } from './findings.js';
import { LINT_RULES } from './rules.js';
import { planShards } from './shards.js';

export interface LintTarget {
  /** Absolute path handed to cfn-lint (a rendering lives in a temporary folder). */
  path: string;
  /** Repository-relative file the findings are reported against. */
  file: string;
  size: number;
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

type ShardOutcome = { ok: true; results: CfnLintResult[] } | { ok: false; failure: Failure };

/** A template that is checked in well under a second with every option: tells setup from file. */
const PROBE_TEMPLATE = 'Resources:\n  Probe:\n    Type: AWS::SNS::Topic\n';

/**
 * Lint every target with as few cfn-lint processes as the cores and the argument length allow,
 * and merge their findings. A process that fails is split and re-run until the file that breaks
 * it stands alone; that file gets a finding saying why, every other file keeps its findings.
 */
export async function lintTemplates(
  targets: readonly LintTarget[],
  options: LintOptions,
): Promise<Finding[]> {
  if (targets.length === 0) return [];
  const byPath = new Map(targets.map((t) => [t.path, t.file]));
  const args = optionArgs(options);
  const slots = pLimit(Math.max(1, options.cores));
  const run = (shard: readonly LintTarget[]) =>
    slots(() => runCfnLint([...args, '--', ...shard.map((t) => globEscape(t.path))], options));
  let probe: Promise<ShardOutcome> | undefined;
  const setupIsBroken = async (): Promise<Failure | undefined> => {
    probe ??= slots(() => runCfnLint(args, options, PROBE_TEMPLATE));
    const outcome = await probe;
    return outcome.ok ? undefined : outcome.failure;
  };

  const findings: Finding[] = [];
  const check = async (shard: readonly LintTarget[], outcome: ShardOutcome): Promise<void> => {
    if (outcome.ok) {
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
    if (shard.length === 1) {
      findings.push(notChecked(shard[0]!, failure));
      return;
    }
    const half = Math.ceil(shard.length / 2);
    const parts = [shard.slice(0, half), shard.slice(half)];
    await Promise.all(parts.map(async (part) => check(part, await run(part))));
  };
  await Promise.all(
    planShards(targets, options.cores).map(async (shard) => check(shard, await run(shard))),
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

function optionArgs(options: LintOptions): string[] {
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

/** One cfn-lint process; with no template path in `args` it reads `stdin`. */
async function runCfnLint(
  args: readonly string[],
  options: LintOptions,
  stdin?: string,
): Promise<ShardOutcome> {
  const result = await execa(options.executable, args, {
    cwd: options.cwd,
    env: lintEnvironment(options.env),
    extendEnv: false,
    reject: false,
    timeout: options.timeoutSeconds * 1000,
    maxBuffer: 256 * 1024 * 1024,
    ...(options.stop ? { cancelSignal: options.stop } : {}),
    ...(stdin === undefined ? { stdin: 'ignore' as const } : { input: stdin }),
  });
  const fail = (kind: Failure['kind'], detail: string): ShardOutcome => ({
    ok: false,
    failure: { kind, detail },
  });
  if (result.timedOut)
    return fail('timeout', `timed out after ${options.timeoutSeconds} s (input cfn-lint-timeout)`);
  if (result.signal) return fail('signal', `killed by ${result.signal}`);
  if (result.failed && result.exitCode === undefined) {
    return (result as { code?: string }).code === 'ENOENT'
      ? fail('missing', `cfn-lint was not found (${options.executable}).`)
      : fail('unstartable', result.shortMessage ?? String(result.exitCode));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(result.stdout ?? '').trim() || 'null');
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed)) return { ok: true, results: parsed as CfnLintResult[] };
  const stderr = String(result.stderr ?? '')
    .split('\n')
    .filter((l) => l.trim())
    .slice(-5)
    .join('\n');
  return fail(
    'crash',
    `exit code ${result.exitCode} without a JSON report${stderr ? `:\n${stderr}` : ''}`,
  );
}
