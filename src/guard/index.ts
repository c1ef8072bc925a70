/**
 * The guard stage: the repository's Guard rules and the selected packs, evaluated by one cfn-guard
 * process on every template resolved as it would deploy; the rules' own unit tests; suppressions.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { UserError } from '../model/errors.js';
import type { Finding, SuppressionEntry } from '../model/findings.js';
import { relativeToWorkspace, resolveInside } from '../model/files.js';
import { findingOf } from '../model/rules.js';
import type { Settings } from '../model/settings.js';
import { shorten } from '../model/text.js';
import { evaluateGuard, runCfnGuard, type GuardTarget, type RepoRuleFile } from './evaluate.js';
import { loadControls, packFolder, selectControls, type Control } from './pack.js';
import { loadPropertyTypes } from './property-types.js';
import { GUARD_RULES } from './rules.js';
import { applySuppressions } from './suppress.js';

export type { GuardTarget } from './evaluate.js';

/** More rule files than this in guard-rules is a mistake (a folder of something else). */
const MAX_RULE_FILES = 2_000;

export interface GuardRun {
  findings: Finding[];
  suppressions: SuppressionEntry[];
}

export interface GuardStageOptions {
  executable: string;
  scratch: string;
  env: NodeJS.ProcessEnv;
}

/** Whether the run has any Guard rules to evaluate. */
export function guardEnabled(settings: Settings): boolean {
  return settings.guard.packs.length > 0 || settings.guard.rules.length > 0;
}

/** The rules the run evaluates: the packs' selected controls and the repository's rule files. */
export async function guardRules(
  settings: Settings,
): Promise<{ controls: Control[]; ruleFiles: RepoRuleFile[]; folders: string[] }> {
  const controls: Control[] = [];
  for (const pack of settings.guard.packs)
    controls.push(...(await loadControls(await packFolder(pack))));
  const selected = selectControls(controls, settings.guard.controls, settings.guard.skipControls);
  const ruleFiles: RepoRuleFile[] = [];
  const folders: string[] = [];
  for (const given of settings.guard.rules) {
    const absolute = await resolveInside(settings.workspace, given, 'Input "guard-rules" path');
    const stat = await fs.stat(absolute).catch(() => undefined);
    if (!stat) throw new UserError(`Input "guard-rules" names "${given}", which does not exist.`);
    const files = stat.isDirectory()
      ? (
          await glob(['**/*.guard', '**/*.ruleset'], {
            cwd: absolute,
            absolute: true,
            followSymbolicLinks: false,
          })
        ).sort()
      : [absolute];
    if (stat.isDirectory()) folders.push(absolute);
    for (const file of files) {
      // A link inside the folder may point anywhere; cfn-guard quotes what it cannot parse.
      await resolveInside(settings.workspace, file, 'Guard rule file');
      ruleFiles.push({ absolutePath: file, file: relativeToWorkspace(settings.workspace, file) });
    }
    if (ruleFiles.length > MAX_RULE_FILES) {
      throw new UserError(`Input "guard-rules" names more than ${MAX_RULE_FILES} rule files.`);
    }
  }
  return { controls: selected, ruleFiles, folders };
}

export async function runGuard(
  targets: readonly GuardTarget[],
  settings: Settings,
  options: GuardStageOptions,
): Promise<GuardRun> {
  const { controls, ruleFiles, folders } = await guardRules(settings);
  // cfn-guard reads files and nothing else: it gets no credentials or tokens.
  const env = { PATH: options.env.PATH ?? '' };
  const common = { env, timeoutSeconds: settings.lint.timeoutSeconds };
  const [evaluated, tested] = await Promise.all([
    evaluateGuard(targets, {
      ...common,
      executable: options.executable,
      controls,
      ruleFiles,
      scratch: options.scratch,
      context: {
        region: settings.aws.region,
        partition: settings.aws.partition,
        accountId: settings.aws.accountId,
        propertyTypes: await loadPropertyTypes(),
      },
    }),
    Promise.all(
      folders.map((folder) => ruleTests(folder, settings.workspace, options.executable, common)),
    ),
  ]);
  const { findings, suppressions } = applySuppressions(
    evaluated,
    targets.map((t) => t.template),
    controls,
  );
  return { findings: [...findings, ...tested.flat()], suppressions };
}

interface TestReport {
  rule_file: string;
  test_cases?: {
    name: string;
    failed_rules?: { name: string; expected: string; evaluated: unknown }[];
  }[];
}

/**
 * `cfn-guard test --dir` on a rule folder: a test whose expectation is not met is an error on the
 * rule file. Its exit code does not say whether a test failed, so its JSON is read.
 */
async function ruleTests(
  folder: string,
  workspace: string,
  executable: string,
  options: { env: NodeJS.ProcessEnv; timeoutSeconds: number },
): Promise<Finding[]> {
  const result = await runCfnGuard(executable, ['test', '--dir', folder, '-o', 'json'], {
    ...options,
    maxBuffer: 64 * 1024 * 1024,
    cwd: folder,
  });
  const where = relativeToWorkspace(workspace, folder);
  let reports: TestReport[];
  try {
    reports = JSON.parse(String(result.stdout || '[]')) as TestReport[];
  } catch {
    return [
      findingOf(GUARD_RULES.ruleTestFailed, {
        file: where,
        line: 1,
        column: 1,
        message: shorten(
          `cfn-guard test could not run the tests in ${where}: ${String(result.stderr || result.stdout).trim()}`,
        ),
      }),
    ];
  }
  const findings: Finding[] = [];
  for (const report of reports) {
    const absolute = path.resolve(folder, report.rule_file);
    const file = relativeToWorkspace(workspace, absolute);
    const lines = (await fs.readFile(absolute, 'utf8').catch(() => '')).split('\n');
    for (const test of report.test_cases ?? []) {
      for (const failed of test.failed_rules ?? []) {
        // The finding points at the rule's declaration, where the fix usually goes.
        const declared = lines.findIndex(
          (l) => l.trim().split(/\s+/, 2).join(' ') === `rule ${failed.name}`,
        );
        findings.push(
          findingOf(GUARD_RULES.ruleTestFailed, {
            file,
            line: declared + 1 || 1,
            column: 1,
            message: shorten(
              `Rule test "${test.name}": ${failed.name} was expected to ${failed.expected} but evaluated to ${[failed.evaluated].flat().join(', ')}.`,
            ),
          }),
        );
      }
    }
  }
  return findings;
}
