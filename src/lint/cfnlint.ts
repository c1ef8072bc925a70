import { execa } from 'execa';
import type { Finding } from '../model/findings.js';
import { UserError } from '../model/errors.js';
import { toFinding, type CfnLintResult } from './findings.js';
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
}

export const INSTALL_HINT =
  'Install it with `pip install cfn-lint` (or `pipx install cfn-lint`) and make sure it is on PATH.';

/** Only what Python needs: cfn-lint never needs AWS or GitHub credentials, so it never sees them. */
export function lintEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const keep =
    /^(PATH|HOME|LANG|LC_\w+|TMPDIR|TEMP|TMP|SYSTEMROOT|PYTHON\w*|VIRTUAL_ENV|PYENV\w*|PIPX\w*|XDG_\w+)$/;
  return Object.fromEntries(Object.entries(env).filter(([k]) => keep.test(k)));
}

/**
 * Lint every target with as few cfn-lint processes as the cores make worthwhile, run at once, and
 * merge their findings. A crash, a timeout or unreadable output is an error that says which.
 */
export async function lintTemplates(
  targets: readonly LintTarget[],
  options: LintOptions,
): Promise<Finding[]> {
  if (targets.length === 0) return [];
  const byPath = new Map(targets.map((t) => [t.path, t.file]));
  const shards = planShards(targets, options.cores);
  const results = await Promise.all(shards.map((shard) => runShard(shard, options)));
  const findings: Finding[] = [];
  for (const result of results.flat()) {
    const finding = toFinding(result, (filename) => byPath.get(filename));
    if (finding) findings.push(finding);
  }
  return findings;
}

/** cfn-lint expands every path as a glob: a file named `a[1].yaml` must not be read as a pattern. */
function globEscape(file: string): string {
  return file.replace(/[[*?]/g, '[$&]');
}

async function runShard(
  shard: readonly LintTarget[],
  options: LintOptions,
): Promise<CfnLintResult[]> {
  const hasRegion = options.extraArgs.some(
    (a) => a === '--regions' || a === '-r' || a.startsWith('--regions='),
  );
  const args = [
    '--format',
    'json',
    ...(hasRegion ? [] : ['--regions', options.region]),
    ...options.extraArgs,
    '--',
    ...shard.map((t) => globEscape(t.path)),
  ];
  const result = await execa(options.executable, args, {
    cwd: options.cwd,
    env: lintEnvironment(options.env),
    extendEnv: false,
    reject: false,
    timeout: options.timeoutSeconds * 1000,
    maxBuffer: 256 * 1024 * 1024,
    stdin: 'ignore',
  });
  if (result.timedOut) {
    throw new UserError(
      `cfn-lint did not finish within ${options.timeoutSeconds} seconds and was stopped.`,
      'Raise input "cfn-lint-timeout", or look for a template with very many Conditions.',
    );
  }
  if (result.failed && result.exitCode === undefined) {
    const missing = (result as { code?: string }).code === 'ENOENT';
    throw new UserError(
      missing
        ? `cfn-lint was not found (${options.executable}).`
        : `cfn-lint could not be started: ${result.shortMessage}`,
      INSTALL_HINT,
    );
  }
  const stdout = String(result.stdout ?? '').trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout || 'null');
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed)) {
    const stderr = String(result.stderr ?? '')
      .split('\n')
      .filter((l) => l.trim())
      .slice(-5)
      .join('\n');
    throw new UserError(
      `cfn-lint failed (exit code ${result.exitCode}) without a JSON report${stderr ? `:\n${stderr}` : '.'}`,
      options.extraArgs.length ? 'Check input "cfn-lint-args".' : INSTALL_HINT,
    );
  }
  return parsed as CfnLintResult[];
}
