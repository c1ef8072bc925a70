import type { Severity } from '../model/findings.js';
import type { ActionInfo, IamCatalogue } from './catalogue.js';
import type { PolicyType } from './extract.js';
import { isPlaceholder, type PolicyPath } from './resolve.js';
import { matchesWildcard } from '../model/wildcard.js';

/** A problem found in a resolved policy document, located by its JSON path. */
export interface PolicyIssue {
  ruleId: string;
  severity: Severity;
  message: string;
  path: PolicyPath;
  /** Points at the key at `path` rather than its value. */
  atKey?: boolean;
  helpUrl?: string;
}

/** Every offline check: its id, severity and what it means. The docs table is built from this. */
export const OFFLINE_CHECKS = {
  MALFORMED_POLICY: [
    'error',
    'The document is not a policy: it needs a Statement of objects with Effect and Action.',
  ],
  MISSING_VERSION: [
    'warning',
    'No "Version": policy variables such as ${aws:username} are then not replaced.',
  ],
  OLD_VERSION: ['warning', '"Version" is not 2012-10-17, so policy variables are not replaced.'],
  INVALID_ACTION: ['error', 'An action is not in the form service:Action.'],
  UNKNOWN_SERVICE: ['error', 'The service prefix of an action is not in the IAM catalogue.'],
  UNKNOWN_ACTION: ['error', 'The service has no action with this name.'],
  WILDCARD_MATCHES_NOTHING: ['error', 'An action wildcard matches no action of the service.'],
  ALLOW_ALL_ACTIONS: ['warning', '"Action": "*" allows every action of every service.'],
  ALLOW_SERVICE_WILDCARD: [
    'warning',
    '"service:*" allows every action of the service, including ones added later.',
  ],
  WRITE_ON_ALL_RESOURCES: [
    'warning',
    'Write or permissions-management actions on "Resource": "*" reach every resource; name the resources.',
  ],
  PASSROLE_ON_ALL_RESOURCES: [
    'error',
    'iam:PassRole on "*" lets the holder hand any role to a service: privilege escalation.',
  ],
  ALLOW_WITH_NOT_ACTION: [
    'warning',
    'Allow with NotAction allows everything else, including actions added later.',
  ],
  ALLOW_WITH_NOT_RESOURCE: [
    'warning',
    'Allow with NotResource allows every other resource, including ones created later.',
  ],
  PUBLIC_PRINCIPAL: [
    'error',
    'A resource policy allows Principal "*" without a condition that restricts who (account, organisation, source).',
  ],
  UNKNOWN_CONDITION_KEY: ['error', 'A condition key exists neither globally nor for the service.'],
  CONDITION_KEY_NOT_SUPPORTED: [
    'warning',
    'A condition key is not supported by any action of the statement, so the condition never matches.',
  ],
} as const satisfies Record<string, readonly [Severity, string]>;

export type OfflineCheckId = keyof typeof OFFLINE_CHECKS;

const SERVICE_AUTHORIZATION =
  'https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html';
const GRAMMAR = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html';
const HELP: Partial<Record<OfflineCheckId, string>> = {
  MISSING_VERSION:
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html',
  OLD_VERSION:
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html',
  MALFORMED_POLICY: GRAMMAR,
  INVALID_ACTION: GRAMMAR,
  UNKNOWN_SERVICE: SERVICE_AUTHORIZATION,
  UNKNOWN_ACTION: SERVICE_AUTHORIZATION,
  WILDCARD_MATCHES_NOTHING: SERVICE_AUTHORIZATION,
  UNKNOWN_CONDITION_KEY: SERVICE_AUTHORIZATION,
  CONDITION_KEY_NOT_SUPPORTED: SERVICE_AUTHORIZATION,
  PASSROLE_ON_ALL_RESOURCES:
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html',
  ALLOW_WITH_NOT_ACTION:
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html',
  ALLOW_WITH_NOT_RESOURCE:
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html',
  PUBLIC_PRINCIPAL:
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html',
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

const WRITE_LEVELS = new Set(['write', 'permissions management']);

/** Check one resolved policy document against the IAM catalogue, without calling AWS. */
export async function checkPolicyOffline(
  document: unknown,
  policyType: PolicyType,
  catalogue: IamCatalogue,
): Promise<PolicyIssue[]> {
  const issues: PolicyIssue[] = [];
  const report = (ruleId: OfflineCheckId, path: PolicyPath, detail: string, atKey = false) => {
    const help = HELP[ruleId];
    issues.push({
      ruleId,
      severity: OFFLINE_CHECKS[ruleId][0],
      message: detail,
      path,
      ...(atKey ? { atKey } : {}),
      ...(help ? { helpUrl: help } : {}),
    });
  };
  if (!isObject(document)) {
    report('MALFORMED_POLICY', [], 'The policy document is not a JSON object.');
    return issues;
  }
  const version = document.Version;
  if (version === undefined)
    report('MISSING_VERSION', [], 'The policy has no "Version"; add "Version": "2012-10-17".');
  else if (version !== '2012-10-17' && !isPlaceholder(version))
    report('OLD_VERSION', ['Version'], `"Version" is "${String(version)}"; use "2012-10-17".`);

  const statements = document.Statement;
  if (statements === undefined || (typeof statements !== 'object' && !isPlaceholder(statements))) {
    report('MALFORMED_POLICY', [], 'The policy has no "Statement" list.');
    return issues;
  }
  const list = Array.isArray(statements) ? statements : [statements];
  for (const [index, statement] of list.entries()) {
    const base = Array.isArray(statements) ? ['Statement', index] : ['Statement'];
    if (!isObject(statement)) {
      if (!isPlaceholder(statement))
        report('MALFORMED_POLICY', base, 'A statement is not a JSON object.');
      continue;
    }
    await checkStatement(statement, base, policyType, catalogue, report);
  }
  return issues;
}

type Reporter = (ruleId: OfflineCheckId, path: PolicyPath, detail: string, atKey?: boolean) => void;

interface Listed {
  value: string;
  path: PolicyPath;
}

/** A string-or-list element as its strings with their paths; placeholders are left out. */
function listed(statement: Record<string, unknown>, key: string, base: PolicyPath): Listed[] {
  const value = statement[key];
  if (value === undefined) return [];
  const items = Array.isArray(value)
    ? value.map((v, i) => ({ v, path: [...base, key, i] }))
    : [{ v: value, path: [...base, key] }];
  return items
    .filter(({ v }) => typeof v === 'string' && !isPlaceholder(v))
    .map(({ v, path }) => ({ value: v as string, path }));
}

async function checkStatement(
  statement: Record<string, unknown>,
  base: PolicyPath,
  policyType: PolicyType,
  catalogue: IamCatalogue,
  report: Reporter,
): Promise<void> {
  const allow = statement.Effect === 'Allow';
  const usesNotAction = statement.NotAction !== undefined;
  const actionKey = usesNotAction ? 'NotAction' : 'Action';
  const matched: ActionInfo[] = [];
  let passRole = false;
  const add = (prefix: string, actions: ActionInfo[]) => {
    matched.push(...actions);
    if (prefix.toLowerCase() === 'iam' && actions.some((a) => a.name === 'PassRole'))
      passRole = true;
  };
  let broad = false;
  let actionsKnown = !usesNotAction;
  for (const { value, path } of listed(statement, actionKey, base)) {
    if (value === '*') {
      broad = true;
      actionsKnown = false;
      if (allow && !usesNotAction)
        report(
          'ALLOW_ALL_ACTIONS',
          path,
          '"Action": "*" allows every action of every service; list the actions this principal needs.',
        );
      continue;
    }
    const colon = value.indexOf(':');
    if (colon <= 0 || colon === value.length - 1) {
      report(
        'INVALID_ACTION',
        path,
        `"${value}" is not an action: write service:ActionName, e.g. s3:GetObject.`,
      );
      actionsKnown = false;
      continue;
    }
    const prefix = value.slice(0, colon);
    const name = value.slice(colon + 1);
    if (/[*?]/.test(prefix)) {
      actionsKnown = false;
      continue;
    }
    const service = await catalogue.service(prefix);
    if (!service) {
      const hint = didYouMean(prefix, await catalogue.serviceKeys());
      report(
        'UNKNOWN_SERVICE',
        path,
        `"${prefix}" in "${value}" is not an AWS service prefix.${hint}`,
      );
      actionsKnown = false;
      continue;
    }
    const all = Object.values(service.actions);
    if (name === '*') {
      broad = true;
      if (allow && !usesNotAction)
        report(
          'ALLOW_SERVICE_WILDCARD',
          path,
          `"${value}" allows all ${all.length} ${prefix} actions, including ones AWS adds later; list the actions needed.`,
        );
      add(prefix, all);
      continue;
    }
    if (/[*?]/.test(name)) {
      const pattern = wildcard(name);
      const hits = all.filter((a) => pattern.test(a.name));
      if (hits.length === 0)
        report('WILDCARD_MATCHES_NOTHING', path, `"${value}" matches no ${prefix} action.`);
      add(prefix, hits);
      continue;
    }
    const action = service.actions[name.toLowerCase()];
    if (!action) {
      const hint = didYouMean(
        name,
        all.map((a) => a.name),
        `${prefix}:`,
      );
      report('UNKNOWN_ACTION', path, `${prefix} has no action "${name}".${hint}`);
      continue;
    }
    add(prefix, [action]);
  }

  if (allow && usesNotAction)
    report(
      'ALLOW_WITH_NOT_ACTION',
      [...base, 'NotAction'],
      'Allow with NotAction allows every other action, including ones AWS adds later; list the allowed actions instead.',
      true,
    );
  if (allow && statement.NotResource !== undefined)
    report(
      'ALLOW_WITH_NOT_RESOURCE',
      [...base, 'NotResource'],
      'Allow with NotResource allows every other resource, including ones created later; list the resources instead.',
      true,
    );

  const conditionBlock = isObject(statement.Condition) ? statement.Condition : undefined;
  const conditionKeys = conditionBlock
    ? Object.entries(conditionBlock).flatMap(([operator, keys]) =>
        isObject(keys)
          ? Object.keys(keys).map((key) => ({ key, path: [...base, 'Condition', operator, key] }))
          : [],
      )
    : [];

  if (allow && policyType === 'IDENTITY_POLICY' && !usesNotAction) {
    const star = listed(statement, 'Resource', base).find((r) => r.value === '*');
    if (star) {
      if (passRole)
        report(
          'PASSROLE_ON_ALL_RESOURCES',
          star.path,
          'iam:PassRole on "Resource": "*" lets this principal hand any role to any service; name the roles it may pass.',
        );
      const writes = broad
        ? []
        : matched.filter(
            (a) =>
              a.resourceLevel &&
              a.accessLevel.split(/,\s*/).some((level) => WRITE_LEVELS.has(level.toLowerCase())) &&
              !(passRole && a.name === 'PassRole'),
          );
      if (writes.length && !conditionBlock) {
        const names = [...new Set(writes.map((a) => a.name))];
        report(
          'WRITE_ON_ALL_RESOURCES',
          star.path,
          `${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''} on "Resource": "*" can change every resource of its kind; name the resources.`,
        );
      }
    }
  }

  if (allow && (policyType === 'RESOURCE_POLICY' || policyType === 'RESOURCE_CONTROL_POLICY')) {
    const principal = statement.Principal;
    const isPublic =
      principal === '*' || (isObject(principal) && [principal.AWS].flat().includes('*'));
    const restricted = conditionKeys.some(({ key }) => RESTRICTING_KEYS.has(key.toLowerCase()));
    if (isPublic && !restricted)
      report(
        'PUBLIC_PRINCIPAL',
        [...base, 'Principal'],
        'Principal "*" makes this open to anyone; add a condition such as aws:PrincipalOrgID, aws:SourceAccount or aws:SourceArn, or name the principals.',
      );
  }

  for (const { key, path } of conditionKeys) {
    if (isPlaceholder(key)) continue;
    await checkConditionKey(key, path, actionsKnown ? matched : undefined, catalogue, report);
  }
}

async function checkConditionKey(
  key: string,
  path: PolicyPath,
  actions: ActionInfo[] | undefined,
  catalogue: IamCatalogue,
  report: Reporter,
): Promise<void> {
  const colon = key.indexOf(':');
  const prefix = colon > 0 ? key.slice(0, colon).toLowerCase() : '';
  let known: string[];
  if (prefix === 'aws') known = await catalogue.globalConditionKeys();
  else {
    const services = (await catalogue.service(prefix))
      ? [prefix]
      : ((await catalogue.unassociatedPrefixes())[prefix] ?? []);
    known = [];
    for (const s of services) known.push(...((await catalogue.service(s))?.conditionKeys ?? []));
  }
  // Identity-provider keys (token.actions.githubusercontent.com:sub, oidc.eks...:aud) are open-ended.
  // Their catalogue entries are incomplete (no GitHub :sub), so only real services are checked.
  if (/[./]/.test(prefix)) return;
  if (!known.some((k) => keyMatches(k, key))) {
    const hint = didYouMean(key, known);
    report('UNKNOWN_CONDITION_KEY', path, `Condition key "${key}" does not exist.${hint}`, true);
    return;
  }
  // Global keys apply to every action; service keys only to the actions that list them.
  if (prefix === 'aws' || !actions?.length) return;
  if (!actions.some((a) => a.conditionKeys.some((k) => keyMatches(k, key)))) {
    const names = [...new Set(actions.map((a) => a.name))].slice(0, 3).join(', ');
    report(
      'CONDITION_KEY_NOT_SUPPORTED',
      path,
      `Condition key "${key}" is not supported by ${names}${actions.length > 3 ? ' or the other actions' : ''}, so this condition never matches.`,
      true,
    );
  }
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

/** Policy text never becomes a regular expression: `s3:**********!` must not backtrack. */
function wildcard(pattern: string): { test: (name: string) => boolean } {
  return { test: (name) => matchesWildcard(pattern, name) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** ` Did you mean "x"?` for the closest candidate by edit distance, when one is close enough. */
export function didYouMean(word: string, candidates: readonly string[], prefix = ''): string {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = distance(lower, candidate.toLowerCase(), bestDistance);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best ? ` Did you mean "${prefix}${best}"?` : '';
}

/** Levenshtein distance, giving up once it reaches `limit`. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin >= limit) return limit;
    previous = current;
  }
  return previous[b.length]!;
}
