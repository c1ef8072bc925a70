import { predictChanges } from '../deploy/offline.js';
import type { Finding, StackPlanEntry, TemplateEntry } from '../model/findings.js';
import type { Settings } from '../model/settings.js';
import type { Target } from '../model/targets.js';
import type { ParsedTemplate } from '../model/template.js';
import { knownParameters } from '../model/stacks.js';
import { parseTemplate } from '../parse/template.js';
import { statementChanges } from '../policies/statement-diff.js';
import { guardPlan } from '../stateful/guard.js';
import { readAtCommit, type BaseCommit } from './base.js';

export interface OfflinePlan {
  plan: StackPlanEntry[];
  findings: Finding[];
  notices: string[];
}

/**
 * The plan without credentials: each stack's template (every template when there is no stack
 * manifest) against its version at the base commit, guarded like a real change set.
 */
export async function planOffline(
  settings: Settings,
  base: BaseCommit | undefined,
  targets: readonly Target[],
  templates: readonly TemplateEntry[],
  /** The manifest's selected stacks; undefined without a manifest. */
  selected: ReadonlySet<string> | undefined,
): Promise<OfflinePlan> {
  if (!base) {
    return {
      plan: [],
      findings: [],
      notices: [
        'No AWS credentials and no base commit, so no plan was made: set input base-ref (CLI --base-ref REF) to compare the templates with it.',
      ],
    };
  }
  const origins = new Map(templates.map((t) => [t.file, t.origin]));
  const plan: StackPlanEntry[] = [];
  const findings: Finding[] = [];
  const notices = [
    `No AWS credentials, so the plan was predicted without AWS by comparing each template with ${base.name}; create-only properties of the resource schemas predict replacements.`,
  ];
  for (const target of targets) {
    const stacks = selected
      ? target.stacks.filter((stack) => selected.has(stack.id))
      : [{ id: target.file, stackName: target.file, region: '' }];
    if (!stacks.length) continue;
    if (origins.get(target.file) !== 'file') {
      notices.push(
        `${target.file} is rendered (${origins.get(target.file)}), so the offline plan does not compare it with the base commit.`,
      );
      continue;
    }
    const text = await readAtCommit(settings.workspace, base.sha, target.file);
    let old: ParsedTemplate | undefined;
    if (text !== undefined) {
      const parsed = parseTemplate(text, target.file);
      if (!parsed.ok) {
        notices.push(`${target.file} at ${base.name} does not parse, so it was not compared.`);
        continue;
      }
      old = parsed.template;
    }
    for (const stack of stacks) {
      const { changes, iamChanges } = predictChanges(old, target.template);
      const iamStatements = statementChanges(old, target.template, {
        region: stack.region || settings.aws.region,
        accountId: settings.aws.accountId,
        partition: settings.aws.partition,
        parameters: 'parameters' in stack ? knownParameters(stack) : {},
      });
      const entry: StackPlanEntry = {
        stackId: stack.id,
        stackName: stack.stackName,
        region: stack.region || settings.aws.region,
        changeSetType: old ? 'UPDATE' : 'CREATE',
        status: changes.length ? 'changes' : 'no-changes',
        changes,
        iamChanges,
        iamStatements,
        predictedFrom: base.sha,
      };
      findings.push(
        ...guardPlan(entry, settings.deploy.allowReplacement, target.template, target.file),
      );
      plan.push(entry);
    }
  }
  return { plan, findings, notices };
}
