import { isRecord } from '../model/values.js';
import type { RuleDefinition } from '../model/rules.js';
import type { ActionInfo, IamCatalogue } from './catalogue.js';
import { isPlaceholder, type PolicyPath } from './resolve.js';
import { POLICY_RULES as R } from './rules.js';
import { didYouMean, listed, type StatementFacts } from './statement.js';

/** Reports one problem of a rule at a path of the policy (`atKey`: at the key, not its value). */
export type Reporter = (
  rule: RuleDefinition,
  path: PolicyPath,
  message: string,
  atKey?: boolean,
) => void;

/** One offline check of a statement, like a cfn-lint rule: the rules it reports and how. */
export interface StatementCheck {
  rules: readonly RuleDefinition[];
  check(facts: StatementFacts, report: Reporter, catalogue: IamCatalogue): void | Promise<void>;
}

/** Action names that are malformed, unknown or match nothing, and the broad wildcards. */
export const actionNames: StatementCheck = {
  rules: [
    R.invalidAction,
    R.unknownService,
    R.unknownAction,
    R.wildcardMatchesNothing,
    R.allowAllActions,
    R.allowServiceWildcard,
  ],
  check({ actions, grants, accountRootOnly }, report) {
    for (const action of actions) {
      const { value, path } = action;
      switch (action.kind) {
        case 'all':
          if (grants)
            report(
              R.allowAllActions,
              path,
              '"Action": "*" allows every action of every service; list the actions this principal needs.',
            );
          break;
        case 'invalid':
          report(
            R.invalidAction,
            path,
            `"${value}" is not an action: write service:ActionName, e.g. s3:GetObject.`,
          );
          break;
        case 'unknown-service':
          report(
            R.unknownService,
            path,
            `"${action.prefix}" in "${value}" is not an AWS service prefix.${action.hint}`,
          );
          break;
        case 'service-all':
          // The default key policy gives the account root kms:*, which hands the key to IAM.
          if (grants && !(accountRootOnly && action.prefix.toLowerCase() === 'kms'))
            report(
              R.allowServiceWildcard,
              path,
              `"${value}" allows all ${action.matches.length} ${action.prefix} actions, including ones AWS adds later; list the actions needed.`,
            );
          break;
        case 'pattern':
          if (action.matches.length === 0)
            report(
              R.wildcardMatchesNothing,
              path,
              `"${value}" matches no ${action.prefix} action.`,
            );
          break;
        case 'unknown-action':
          report(
            R.unknownAction,
            path,
            `${action.prefix} has no action "${action.name}".${action.hint}`,
          );
          break;
      }
    }
  },
};

/** Allow with NotAction or NotResource: everything else, including what comes later. */
export const allowWithNot: StatementCheck = {
  rules: [R.allowWithNotAction, R.allowWithNotResource],
  check({ allow, usesNotAction, statement, path, limitsOnly }, report) {
    if (limitsOnly) return;
    if (allow && usesNotAction)
      report(
        R.allowWithNotAction,
        [...path, 'NotAction'],
        'Allow with NotAction allows every other action, including ones AWS adds later; list the allowed actions instead.',
        true,
      );
    if (allow && statement.NotResource !== undefined)
      report(
        R.allowWithNotResource,
        [...path, 'NotResource'],
        'Allow with NotResource allows every other resource, including ones created later; list the resources instead.',
        true,
      );
  },
};

const WRITE_LEVELS = new Set(['write', 'permissions management']);

function isWrite(action: ActionInfo): boolean {
  return action.accessLevel.split(/,\s*/).some((level) => WRITE_LEVELS.has(level.toLowerCase()));
}

/** In an identity policy, `Resource: "*"` with iam:PassRole or with write actions that take ARNs. */
export const allResources: StatementCheck = {
  rules: [R.passRoleOnAllResources, R.writeOnAllResources],
  check({ allow, policyType, usesNotAction, statement, path, actions, hasCondition }, report) {
    if (!allow || policyType !== 'IDENTITY_POLICY' || usesNotAction) return;
    const star = listed(statement, 'Resource', path).find((r) => r.value === '*');
    if (!star) return;
    const passRole = actions.some(
      (a) =>
        'matches' in a &&
        a.prefix.toLowerCase() === 'iam' &&
        a.matches.some((m) => m.name === 'PassRole'),
    );
    if (passRole)
      report(
        R.passRoleOnAllResources,
        star.path,
        'iam:PassRole on "Resource": "*" lets this principal hand any role to any service; name the roles it may pass.',
      );
    // A broad wildcard is reported as such; its own writes would only repeat that, but the
    // statement's other actions are still checked.
    if (hasCondition || actions.some((a) => a.kind === 'all')) return;
    const writes = actions
      .flatMap((a) => (a.kind === 'service-all' || !('matches' in a) ? [] : a.matches))
      .filter((a) => a.resourceLevel && isWrite(a) && !(passRole && a.name === 'PassRole'));
    if (!writes.length) return;
    const names = [...new Set(writes.map((a) => a.name))];
    report(
      R.writeOnAllResources,
      star.path,
      `${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''} on "Resource": "*" can change every resource of its kind; name the resources.`,
    );
  },
};

/** Global condition keys that narrow who can use a public grant. */
const RESTRICTING_KEYS = new Set(
  [
    'aws:SourceArn',
    'aws:SourceAccount',
    'aws:SourceOwner',
    'aws:SourceOrgID',
    'aws:SourceOrgPaths',
    'aws:PrincipalOrgID',
    'aws:PrincipalOrgPaths',
    'aws:PrincipalAccount',
    'aws:PrincipalArn',
    'aws:SourceVpc',
    'aws:SourceVpce',
    'aws:SourceIp',
    'aws:userid',
    'aws:username',
    'aws:PrincipalServiceName',
    'aws:CalledVia',
    'kms:CallerAccount',
    'kms:ViaService',
    'lambda:FunctionUrlAuthType',
    'sts:ExternalId',
  ].map((k) => k.toLowerCase()),
);

/** A resource policy that lets Principal "*" in without a condition on who. */
export const publicPrincipal: StatementCheck = {
  rules: [R.publicPrincipal],
  check({ allow, limitsOnly, policyType, statement, path, conditionKeys }, report) {
    // An endpoint policy with Principal "*" opens nothing: it only limits what passes through.
    if (!allow || limitsOnly) return;
    if (policyType !== 'RESOURCE_POLICY' && policyType !== 'RESOURCE_CONTROL_POLICY') return;
    const principal = statement.Principal;
    const isPublic =
      principal === '*' || (isRecord(principal) && [principal.AWS].flat().includes('*'));
    const restricted = conditionKeys.some(({ key }) => RESTRICTING_KEYS.has(key.toLowerCase()));
    if (isPublic && !restricted)
      report(
        R.publicPrincipal,
        [...path, 'Principal'],
        'Principal "*" makes this open to anyone; add a condition such as aws:PrincipalOrgID, aws:SourceAccount or aws:SourceArn, or name the principals.',
      );
  },
};

/** Condition keys that do not exist, or that no action of the statement supports. */
export const conditionKeys: StatementCheck = {
  rules: [R.unknownConditionKey, R.conditionKeyNotSupported],
  async check({ conditionKeys: keys, actionsKnown, matched }, report, catalogue) {
    for (const { key, path } of keys) {
      if (isPlaceholder(key)) continue;
      const colon = key.indexOf(':');
      const prefix = colon > 0 ? key.slice(0, colon).toLowerCase() : '';
      // Identity-provider keys (token.actions.githubusercontent.com:sub, oidc.eks...:aud) are
      // open-ended and their catalogue entries incomplete (no GitHub :sub): only services are checked.
      if (/[./]/.test(prefix)) continue;
      const known = await knownConditionKeys(prefix, catalogue);
      if (!known.some((k) => keyMatches(k, key))) {
        report(
          R.unknownConditionKey,
          path,
          `Condition key "${key}" does not exist.${didYouMean(key, known)}`,
          true,
        );
        continue;
      }
      // Global keys apply to every action; service keys only to the actions that list them.
      if (prefix === 'aws' || !actionsKnown || !matched.length) continue;
      if (!matched.some((a) => a.conditionKeys.some((k) => keyMatches(k, key)))) {
        const names = [...new Set(matched.map((a) => a.name))].slice(0, 3).join(', ');
        report(
          R.conditionKeyNotSupported,
          path,
          `Condition key "${key}" is not supported by ${names}${matched.length > 3 ? ' or the other actions' : ''}, so this condition never matches.`,
          true,
        );
      }
    }
  },
};

async function knownConditionKeys(prefix: string, catalogue: IamCatalogue): Promise<string[]> {
  if (prefix === 'aws') return catalogue.globalConditionKeys();
  const services = (await catalogue.service(prefix))
    ? [prefix]
    : ((await catalogue.unassociatedPrefixes())[prefix] ?? []);
  const known: string[] = [];
  for (const s of services) known.push(...((await catalogue.service(s))?.conditionKeys ?? []));
  return known;
}

/**
 * Catalogue keys may hold variables: `aws:RequestTag/${TagKey}`, `s3:ExistingObjectTag/<key>` and
 * `aws:PrincipalTag/tag-key` all name a family, so whatever follows the last `/` is free.
 */
function keyMatches(catalogueKey: string, key: string): boolean {
  const escape = (part: string) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let pattern: string;
  if (catalogueKey.includes('${'))
    pattern = catalogueKey
      .split(/\$\{[^}]*\}/)
      .map(escape)
      .join('.+');
  else if (catalogueKey.includes('/'))
    pattern = `${escape(catalogueKey.slice(0, catalogueKey.lastIndexOf('/') + 1))}.+`;
  else return catalogueKey.toLowerCase() === key.toLowerCase();
  return new RegExp(`^${pattern}$`, 'i').test(key);
}

/** Every statement check, in the order their findings are listed. */
export const STATEMENT_CHECKS: readonly StatementCheck[] = [
  actionNames,
  allowWithNot,
  allResources,
  publicPrincipal,
  conditionKeys,
];
