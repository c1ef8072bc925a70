import { cloudFormationSdk, type AwsClients } from '../deploy/aws.js';
import type { StackPlanEntry } from '../model/findings.js';
import type { Settings } from '../model/settings.js';
import { knownParameters, type StackSelection } from '../model/stacks.js';
import type { ParsedTemplate } from '../model/template.js';
import { parseTemplate } from '../parse/template.js';
import { statementChanges } from '../policies/statement-diff.js';

/**
 * A change-set plan's IAM statement changes: each updated stack's deployed template, read with
 * GetTemplate (as submitted, before transforms, like the new one), against the template it would
 * get; a stack being created adds every statement. A template that cannot be read or parsed keeps
 * the names-only list, with a notice.
 */
export async function addDeployedStatements(
  plan: StackPlanEntry[],
  stacks: StackSelection,
  templateOf: ReadonlyMap<string, ParsedTemplate>,
  aws: AwsClients,
  settings: Settings,
): Promise<string[]> {
  const notices: string[] = [];
  const sdk = await cloudFormationSdk();
  await Promise.all(
    plan.map(async (entry) => {
      const spec = stacks.all.get(entry.stackId);
      const head = templateOf.get(entry.stackId);
      if (!spec || !head || (entry.status !== 'changes' && entry.status !== 'blocked')) return;
      let deployed: ParsedTemplate | undefined;
      if (entry.changeSetType === 'UPDATE') {
        try {
          const client = await aws.cloudFormation(entry.region);
          const answer = await client.send(
            new sdk.GetTemplateCommand({ StackName: entry.stackName, TemplateStage: 'Original' }),
          );
          const parsed = parseTemplate(answer.TemplateBody ?? '', `${entry.stackName} (deployed)`);
          if (!parsed.ok) throw new Error(parsed.finding.message);
          deployed = parsed.template;
        } catch (error) {
          notices.push(
            `The deployed template of stack ${entry.stackName} could not be read (${error instanceof Error ? error.message : String(error)}), so its IAM changes are listed by name only; the role needs cloudformation:GetTemplate.`,
          );
          return;
        }
      }
      entry.iamStatements = statementChanges(deployed, head, {
        region: entry.region,
        accountId: settings.aws.accountId,
        partition: settings.aws.partition,
        parameters: knownParameters(spec),
      });
    }),
  );
  return notices;
}
