import { isRecord } from '../model/values.js';
import type { ActionInfo, IamCatalogue } from './catalogue.js';
import { matchesWildcard } from '../model/wildcard.js';
import type { PolicyType } from './extract.js';
import { isPlaceholder, type PolicyPath } from './resolve.js';

/** A string of a string-or-list element with its path. */
export interface Listed {
  value: string;
  path: PolicyPath;
}

/** What one listed action turned out to be, looked up in the IAM catalogue. */
export type ActionEntry = Listed &
  (
    | { kind: 'all' }
    | { kind: 'invalid' }
    /** A wildcard in the service prefix: nothing is known about it. */
    | { kind: 'prefix-pattern' }
    | { kind: 'unknown-service'; prefix: string; hint: string }
    | { kind: 'service-all'; prefix: string; matches: ActionInfo[] }
    | { kind: 'pattern'; prefix: string; matches: ActionInfo[] }
    | { kind: 'exact'; prefix: string; matches: ActionInfo[] }
    | { kind: 'unknown-action'; prefix: string; name: string; hint: string }
  );

export interface ConditionKeyEntry {
  key: string;
  /** Points at the key itself. */
  path: PolicyPath;
}

/** One statement as the checks see it: its elements read once, its actions looked up once. */
export interface StatementFacts {
  statement: Record<string, unknown>;
  path: PolicyPath;
  policyType: PolicyType;
  allow: boolean;
  /**
   * An Allow that grants access. Not in a policy that only limits (a VPC endpoint policy, whose
   * default is `*` for all), and not with NotAction, which is reported as such.
   */
  grants: boolean;
  limitsOnly: boolean;
  /** The statement lets only the account itself in (`arn:...:root`): it delegates to IAM. */
  accountRootOnly: boolean;
  usesNotAction: boolean;
  actions: ActionEntry[];
  /** Every catalogue action the Action element names (NotAction names what is excluded). */
  matched: ActionInfo[];
  /** False when some action cannot be expanded (`*`, NotAction, a bad or unknown name). */
  actionsKnown: boolean;
  conditionKeys: ConditionKeyEntry[];
  hasCondition: boolean;
}

/** A string-or-list element as its strings with their paths; placeholders are left out. */
export function listed(
  statement: Record<string, unknown>,
  key: string,
  base: PolicyPath,
): Listed[] {
  const value = statement[key];
  if (value === undefined) return [];
  const items = Array.isArray(value)
    ? value.map((v, i) => ({ v, path: [...base, key, i] }))
    : [{ v: value, path: [...base, key] }];
  return items
    .filter(({ v }) => typeof v === 'string' && !isPlaceholder(v))
    .map(({ v, path }) => ({ value: v as string, path }));
}

export async function statementFacts(
  statement: Record<string, unknown>,
  path: PolicyPath,
  policyType: PolicyType,
  catalogue: IamCatalogue,
  limitsOnly = false,
): Promise<StatementFacts> {
  const usesNotAction = statement.NotAction !== undefined;
  const actions: ActionEntry[] = [];
  for (const item of listed(statement, usesNotAction ? 'NotAction' : 'Action', path))
    actions.push(await lookUpAction(item, catalogue));
  const condition = isRecord(statement.Condition) ? statement.Condition : undefined;
  const allow = statement.Effect === 'Allow';
  return {
    statement,
    path,
    policyType,
    allow,
    grants: allow && !usesNotAction && !limitsOnly,
    limitsOnly,
    accountRootOnly: isAccountRootOnly(statement.Principal),
    usesNotAction,
    actions,
    matched: actions.flatMap((a) => ('matches' in a ? a.matches : [])),
    actionsKnown:
      !usesNotAction &&
      actions.every(
        (a) => a.kind !== 'all' && a.kind !== 'invalid' && a.kind !== 'prefix-pattern',
      ) &&
      actions.every((a) => a.kind !== 'unknown-service'),
    conditionKeys: condition
      ? Object.entries(condition).flatMap(([operator, keys]) =>
          isRecord(keys)
            ? Object.keys(keys).map((key) => ({ key, path: [...path, 'Condition', operator, key] }))
            : [],
        )
      : [],
    hasCondition: condition !== undefined,
  };
}

/** `{AWS: "arn:aws:iam::111122223333:root"}` or the bare account id, and no one else. */
function isAccountRootOnly(principal: unknown): boolean {
  if (!isRecord(principal) || Object.keys(principal).length !== 1) return false;
  const values = [principal.AWS].flat();
  return (
    values.length > 0 &&
    values.every((v) => typeof v === 'string' && /^(arn:[\w-]+:iam::\d{12}:root|\d{12})$/.test(v))
  );
}

async function lookUpAction(item: Listed, catalogue: IamCatalogue): Promise<ActionEntry> {
  const { value } = item;
  if (value === '*') return { ...item, kind: 'all' };
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) return { ...item, kind: 'invalid' };
  const prefix = value.slice(0, colon);
  const name = value.slice(colon + 1);
  if (/[*?]/.test(prefix)) return { ...item, kind: 'prefix-pattern' };
  const service = await catalogue.service(prefix);
  if (!service)
    return {
      ...item,
      kind: 'unknown-service',
      prefix,
      hint: didYouMean(prefix, await catalogue.serviceKeys()),
    };
  const all = Object.values(service.actions);
  if (name === '*') return { ...item, kind: 'service-all', prefix, matches: all };
  if (/[*?]/.test(name)) {
    const pattern = wildcard(name);
    return { ...item, kind: 'pattern', prefix, matches: all.filter((a) => pattern.test(a.name)) };
  }
  const action = service.actions[name.toLowerCase()];
  if (action) return { ...item, kind: 'exact', prefix, matches: [action] };
  const hint = didYouMean(
    name,
    all.map((a) => a.name),
    `${prefix}:`,
  );
  return { ...item, kind: 'unknown-action', prefix, name, hint };
}

/** Policy text never becomes a regular expression: `s3:**********!` must not backtrack. */
export function wildcard(pattern: string): { test: (name: string) => boolean } {
  return { test: (name) => matchesWildcard(pattern, name) };
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
