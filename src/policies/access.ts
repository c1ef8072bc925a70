import { isRecord } from '../model/values.js';
import { matchesWildcard } from '../model/wildcard.js';
import type { IamCatalogue } from './catalogue.js';
import type { PolicyType } from './extract.js';
import type { PolicyPath } from './resolve.js';
import { listed, statementFacts, type ActionEntry } from './statement.js';

/**
 * What a policy allows, read offline from the IAM catalogue as action × resource (× principal)
 * grants: the offline forms of Access Analyzer's CheckAccessNotGranted and CheckNoNewAccess.
 * Actions are expanded to the catalogue's names, so `s3:Get*` and `s3:GetObject` compare; what
 * cannot be expanded (`*`, NotAction, unknown names) compares by its text.
 */
export interface Grant {
  /** The statement that allows it. */
  path: PolicyPath;
  /** Lower-case `service:action`, `*`, or `not:[...]` for NotAction. */
  action: string;
  /** How the action is shown: the catalogue's spelling. */
  actionName: string;
  /** A Resource pattern, `*`, `not:[...]` for NotResource, or '' for the policy's own resource. */
  resource: string;
  /** `*`, `AWS:arn`, `Service:name`...; '' in identity policies. */
  principal: string;
  /** Condition operator → key → values, lower-cased operator and key; undefined without one. */
  condition?: Record<string, string[]>;
}

/** Past this many grants a document is too broad to compare offline (expansions of `service:*`). */
export const MAX_GRANTS = 50_000;

interface Statement {
  path: PolicyPath;
  allow: boolean;
  grants: Grant[];
}

/** Every statement's grants, Allow and Deny, or undefined past MAX_GRANTS. */
async function statementsOf(
  document: unknown,
  policyType: PolicyType,
  catalogue: IamCatalogue,
): Promise<Statement[] | undefined> {
  if (!isRecord(document)) return [];
  const raw = document.Statement;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const statements: Statement[] = [];
  let count = 0;
  for (const [index, statement] of list.entries()) {
    if (!isRecord(statement)) continue;
    const path = Array.isArray(raw) ? ['Statement', index] : ['Statement'];
    const facts = await statementFacts(statement, path, policyType, catalogue);
    const actions = facts.usesNotAction
      ? [{ action: notForm(facts.actions.map((a) => a.value)), actionName: 'NotAction' }]
      : facts.actions.flatMap(expand);
    const resources = statement.NotResource
      ? [notForm(listed(statement, 'NotResource', path).map((r) => r.value))]
      : statement.Resource === undefined
        ? ['']
        : listed(statement, 'Resource', path).map((r) => r.value);
    const principals = principalsOf(statement.Principal);
    const condition = conditionOf(statement.Condition);
    const grants: Grant[] = [];
    for (const { action, actionName } of actions)
      for (const resource of resources)
        for (const principal of principals)
          grants.push({
            path,
            action,
            actionName,
            resource,
            principal,
            ...(condition ? { condition } : {}),
          });
    count += grants.length;
    if (count > MAX_GRANTS) return undefined;
    statements.push({ path, allow: facts.allow, grants });
  }
  return statements;
}

/** What the document allows once its unconditional Deny statements are taken away. */
export async function grantsOf(
  document: unknown,
  policyType: PolicyType,
  catalogue: IamCatalogue,
): Promise<Grant[] | undefined> {
  const statements = await statementsOf(document, policyType, catalogue);
  if (!statements) return undefined;
  const denied = statements
    .filter((s) => !s.allow)
    .flatMap((s) => s.grants)
    .filter((g) => !g.condition);
  const index = new GrantIndex(denied);
  return statements
    .filter((s) => s.allow)
    .flatMap((s) => s.grants)
    .filter((g) => !index.covers(g));
}

/** The grants of `next` that no grant of `previous` covers: the access a change adds. */
export function newGrants(previous: readonly Grant[], next: readonly Grant[]): Grant[] {
  const index = new GrantIndex(previous);
  return next.filter((g) => !index.covers(g));
}

/** Grants looked up by action, with the ones no single action names kept aside. */
class GrantIndex {
  private readonly byAction = new Map<string, Grant[]>();
  private readonly broad: Grant[] = [];
  constructor(grants: readonly Grant[]) {
    for (const g of grants) {
      if (g.action === '*' || g.action.startsWith('not:') || /[*?]/.test(g.action))
        this.broad.push(g);
      else this.byAction.set(g.action, [...(this.byAction.get(g.action) ?? []), g]);
    }
  }
  covers(grant: Grant): boolean {
    const candidates = [...(this.byAction.get(grant.action) ?? []), ...this.broad];
    return candidates.some((c) => covers(c, grant));
  }
}

/** Whether everything `inner` allows is allowed by `outer` too. */
function covers(outer: Grant, inner: Grant): boolean {
  return (
    coversAction(outer.action, inner.action) &&
    coversText(outer.resource, inner.resource) &&
    coversText(outer.principal, inner.principal) &&
    coversCondition(outer.condition, inner.condition)
  );
}

function coversAction(outer: string, inner: string): boolean {
  if (outer === inner || outer === '*') return true;
  if (inner === '*' || inner.startsWith('not:')) return false;
  if (outer.startsWith('not:'))
    return !notPatterns(outer).some((pattern) => matchesWildcard(pattern, inner));
  return matchesWildcard(outer, inner);
}

/** Resources and principals: the same text, or a wildcard pattern that matches it. */
function coversText(outer: string, inner: string): boolean {
  if (outer === inner || outer === '*') return true;
  if (outer.startsWith('not:') || inner.startsWith('not:') || !outer) return false;
  return matchesWildcard(outer, inner);
}

/**
 * Conditions narrow: a grant without one covers any; otherwise every condition of the outer grant
 * must be in the inner one, with no values the outer one does not allow.
 */
function coversCondition(
  outer: Record<string, string[]> | undefined,
  inner: Record<string, string[]> | undefined,
): boolean {
  if (!outer) return true;
  if (!inner) return false;
  return Object.entries(outer).every(([key, values]) => {
    const narrower = inner[key];
    return narrower !== undefined && narrower.every((v) => values.includes(v));
  });
}

function expand(entry: ActionEntry): { action: string; actionName: string }[] {
  switch (entry.kind) {
    case 'exact':
    case 'pattern':
    case 'service-all':
      return entry.matches.map((m) => ({
        action: `${entry.prefix}:${m.name}`.toLowerCase(),
        actionName: `${entry.prefix}:${m.name}`,
      }));
    default:
      // `*`, unknown names and patterns over service prefixes compare by their text.
      return [{ action: entry.value.toLowerCase(), actionName: entry.value }];
  }
}

function notForm(values: readonly string[]): string {
  return `not:${JSON.stringify([...new Set(values.map((v) => v.toLowerCase()))].sort())}`;
}

function notPatterns(form: string): string[] {
  return JSON.parse(form.slice(4)) as string[];
}

/** A principal element as `*` or `Type:value` strings; identity policies have none (''). */
function principalsOf(principal: unknown): string[] {
  if (principal === undefined) return [''];
  if (principal === '*') return ['*'];
  if (!isRecord(principal)) return [String(principal)];
  const found: string[] = [];
  for (const [type, values] of Object.entries(principal))
    for (const value of [values].flat())
      found.push(type === 'AWS' && value === '*' ? '*' : `${type}:${String(value)}`);
  return found.length ? found : [''];
}

/** `{StringEquals: {"aws:SourceAccount": "1"}}` as `{"stringequals aws:sourceaccount": ["1"]}`. */
function conditionOf(condition: unknown): Record<string, string[]> | undefined {
  if (!isRecord(condition)) return undefined;
  const flat: Record<string, string[]> = {};
  for (const [operator, keys] of Object.entries(condition)) {
    if (!isRecord(keys)) continue;
    for (const [key, values] of Object.entries(keys))
      flat[`${operator} ${key}`.toLowerCase()] = [values].flat().map((v) => String(v));
  }
  return Object.keys(flat).length ? flat : undefined;
}

/** An action of input denied-actions, expanded to the catalogue's names where it can be. */
export async function deniedActionNames(
  denied: string,
  catalogue: IamCatalogue,
): Promise<string[]> {
  const facts = await statementFacts({ Action: denied }, [], 'IDENTITY_POLICY', catalogue);
  const names = facts.actions.flatMap(expand).map((a) => a.action);
  return names.length ? names : [denied.toLowerCase()];
}

/** The denied actions some grant allows, by the statement that allows them. */
export function grantedActions(
  grants: readonly Grant[],
  denied: ReadonlyMap<string, readonly string[]>,
): { path: PolicyPath; names: string[] }[] {
  const found = new Map<string, { path: PolicyPath; names: Set<string> }>();
  for (const grant of grants) {
    for (const [name, expanded] of denied) {
      const hit =
        expanded.some((action) => coversAction(grant.action, action)) ||
        (!grant.action.startsWith('not:') && matchesWildcard(name.toLowerCase(), grant.action));
      if (!hit) continue;
      const key = JSON.stringify(grant.path);
      const entry = found.get(key) ?? { path: grant.path, names: new Set<string>() };
      entry.names.add(name);
      found.set(key, entry);
    }
  }
  return [...found.values()].map(({ path, names }) => ({ path, names: [...names] }));
}

/** The denied resources some grant reaches, by the statement that reaches them. */
export function grantedResources(
  grants: readonly Grant[],
  denied: readonly string[],
): { path: PolicyPath; names: string[] }[] {
  const found = new Map<string, { path: PolicyPath; names: Set<string> }>();
  for (const grant of grants) {
    for (const resource of denied) {
      if (!appliesTo(grant.action, resource) || !reaches(grant.resource, resource)) continue;
      const key = JSON.stringify(grant.path);
      const entry = found.get(key) ?? { path: grant.path, names: new Set<string>() };
      entry.names.add(resource);
      found.set(key, entry);
    }
  }
  return [...found.values()].map(({ path, names }) => ({ path, names: [...names] }));
}

/** An action can touch a resource of its own service only (`*` and NotAction: of any). */
function appliesTo(action: string, arn: string): boolean {
  const service = arn.split(':')[2] ?? '';
  const prefix = action.startsWith('not:') ? '*' : action.slice(0, action.indexOf(':'));
  return action === '*' || matchesWildcard(prefix, service);
}

/** A grant's resource overlaps a denied one: either pattern matches the other. */
function reaches(granted: string, denied: string): boolean {
  // The policy's own resource (a trust or resource policy without Resource) is not known here.
  if (!granted) return false;
  if (granted.startsWith('not:'))
    return !notPatterns(granted).some((p) => matchesWildcard(p, denied.toLowerCase()));
  return matchesWildcard(granted, denied) || matchesWildcard(denied, granted);
}

/** "s3:PutObject, s3:DeleteObject on arn:...; iam:PassRole on *", the first few of each. */
export function describeGrants(grants: readonly Grant[], withPrincipal: boolean): string {
  const groups = new Map<string, Set<string>>();
  for (const g of grants) {
    const where = `${g.resource ? ` on ${shownResource(g.resource)}` : ''}${withPrincipal && g.principal ? ` to ${g.principal}` : ''}${g.condition ? ' (with a condition)' : ''}`;
    const names = groups.get(where) ?? new Set<string>();
    names.add(
      g.action.startsWith('not:') ? `all but ${notPatterns(g.action).join(', ')}` : g.actionName,
    );
    groups.set(where, names);
  }
  const parts = [...groups].map(([where, names]) => `${firstFew([...names], 5)}${where}`);
  return firstFew(parts, 4, '; ');
}

function shownResource(resource: string): string {
  return resource.startsWith('not:') ? `all but ${notPatterns(resource).join(', ')}` : resource;
}

export function firstFew(items: readonly string[], count: number, separator = ', '): string {
  const shown = items.slice(0, count).join(separator);
  return items.length > count ? `${shown} and ${items.length - count} more` : shown;
}
