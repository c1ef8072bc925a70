// A small IAM evaluator for the persona test: does a set of identity policies (and, for roles,
// the permissions boundary) allow one request? Explicit Deny wins; an Allow needs a matching
// action, resource and condition. Unresolved template values ({{unresolved:...}}, e.g. a
// resource id known only after deployment) match anything, which can only make a "must be
// denied" check fail, never pass wrongly. Unknown condition operators throw.
import { isPlaceholder } from '../../src/policies/resolve.js';

export interface Request {
  action: string;
  resource: string;
  context: Record<string, string>;
}

type Statement = Record<string, unknown>;

function list(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function glob(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const source = pattern
    .split(/(\{\{unresolved:[^}]*\}\})/)
    .map((part) =>
      isPlaceholder(part)
        ? '.*'
        : part
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '.*')
            .replace(/\?/g, '.'),
    )
    .join('');
  return new RegExp(`^${source}$`, caseInsensitive ? 'i' : '').test(value);
}

function substituteVariables(value: string, context: Record<string, string>): string {
  return value.replace(/\$\{([a-zA-Z0-9:_-]+)\}/g, (m, key: string) => context[key] ?? m);
}

function conditionHolds(condition: unknown, context: Record<string, string>): boolean {
  if (condition === undefined) return true;
  for (const [written, keys] of Object.entries(condition as Record<string, unknown>)) {
    const ifExists = written.endsWith('IfExists');
    const operator = ifExists ? written.slice(0, -'IfExists'.length) : written;
    for (const [key, expected] of Object.entries(keys as Record<string, unknown>)) {
      const actual = context[key];
      const values = list(expected).map((v) => substituteVariables(String(v), context));
      if (actual === undefined) {
        if (ifExists) continue;
        return false;
      }
      let ok: boolean;
      switch (operator) {
        case 'StringEquals':
        case 'ArnEquals':
          ok = values.includes(actual);
          break;
        case 'StringLike':
        case 'ArnLike':
          ok = values.some((v) => glob(v, actual, false));
          break;
        case 'Bool':
          ok = values.map((v) => v.toLowerCase()).includes(actual.toLowerCase());
          break;
        default:
          throw new Error(`condition operator ${operator} is not implemented in the test`);
      }
      if (!ok) return false;
    }
  }
  return true;
}

function matches(statement: Statement, request: Request): boolean {
  const actionHit = (patterns: unknown) =>
    list(patterns).some((a) => glob(String(a), request.action, true));
  const resourceHit = (patterns: unknown) =>
    list(patterns).some((r) => glob(String(r), request.resource, false));
  if ('Action' in statement && !actionHit(statement.Action)) return false;
  if ('NotAction' in statement && actionHit(statement.NotAction)) return false;
  if ('Resource' in statement && !resourceHit(statement.Resource)) return false;
  if ('NotResource' in statement && resourceHit(statement.NotResource)) return false;
  return conditionHolds(statement.Condition, request.context);
}

function statements(documents: unknown[]): Statement[] {
  return documents.flatMap((d) =>
    list((d as { Statement?: unknown }).Statement).filter(
      (s): s is Statement => typeof s === 'object' && s !== null,
    ),
  );
}

export type Decision = 'allowed' | 'implicit deny' | 'explicit deny' | 'outside boundary';

/** identity: the principal's policy documents; boundary: the boundary's (roles only). */
export function decide(
  identity: unknown[],
  boundary: unknown[] | undefined,
  request: Request,
): Decision {
  const all = statements(identity);
  const fence = boundary ? statements(boundary) : [];
  if ([...all, ...fence].some((s) => s.Effect === 'Deny' && matches(s, request)))
    return 'explicit deny';
  if (!all.some((s) => s.Effect === 'Allow' && matches(s, request))) return 'implicit deny';
  if (boundary && !fence.some((s) => s.Effect === 'Allow' && matches(s, request)))
    return 'outside boundary';
  return 'allowed';
}
