import { isRecord } from '../model/values.js';
import type { IamStatementChange } from '../model/findings.js';
import type { ParsedTemplate } from '../model/template.js';
import { extractPolicies } from './extract.js';
import { TemplateResolver, type ResolveOptions } from './resolve.js';

type Row = Omit<IamStatementChange, 'change'>;

/**
 * The IAM statements added and removed between two versions of a template (the deployed or base
 * one and the new one), each policy's statements resolved with the same values and compared as
 * wholes: a statement that changes shows as removed and added, like the CDK's IAM diff.
 */
export function statementChanges(
  before: ParsedTemplate | undefined,
  after: ParsedTemplate,
  scope: ResolveOptions,
): IamStatementChange[] {
  const old = rowsOf(before, scope);
  const now = rowsOf(after, scope);
  const changes: IamStatementChange[] = [];
  for (const [key, row] of old) if (!now.delete(key)) changes.push({ change: 'removed', ...row });
  for (const row of now.values()) changes.push({ change: 'added', ...row });
  return changes;
}

/** Every statement of the template by its policy and text; repeated statements count once each. */
function rowsOf(template: ParsedTemplate | undefined, scope: ResolveOptions): Map<string, Row> {
  const rows = new Map<string, Row>();
  if (!template) return rows;
  const resolver = new TemplateResolver(template.root, scope);
  for (const policy of extractPolicies(template, resolver)) {
    const resolved = resolver.document(policy.node).document;
    let document = policy.finish ? policy.finish(resolved, scope) : resolved;
    if (typeof document === 'string') {
      try {
        document = JSON.parse(document);
      } catch {
        continue;
      }
    }
    const raw = isRecord(document) ? document.Statement : undefined;
    for (const statement of [raw ?? []].flat()) {
      if (!isRecord(statement)) continue;
      const row: Row = {
        logicalId: policy.logicalId,
        policyName: policy.policyName,
        effect: String(statement.Effect ?? ''),
        principals: principals(
          statement.Principal ?? statement.NotPrincipal,
          'NotPrincipal' in statement,
        ),
        actions: listOf(statement, 'Action', 'NotAction'),
        resources: listOf(statement, 'Resource', 'NotResource'),
        condition: statement.Condition === undefined ? '' : JSON.stringify(statement.Condition),
      };
      let key = JSON.stringify(row);
      for (let n = 1; rows.has(key); n++) key = `${JSON.stringify(row)}#${n}`;
      rows.set(key, row);
    }
  }
  return rows;
}

function listOf(statement: Record<string, unknown>, key: string, notKey: string): string[] {
  const not = statement[notKey] !== undefined;
  const values = [statement[not ? notKey : key] ?? []].flat().map(String);
  return not ? values.map((v) => `${notKey}: ${v}`) : values;
}

function principals(value: unknown, not: boolean): string[] {
  if (value === undefined) return [];
  const prefix = not ? 'NotPrincipal ' : '';
  if (!isRecord(value)) return [`${prefix}${String(value)}`];
  return Object.entries(value).flatMap(([type, v]) =>
    [v].flat().map((item) => `${prefix}${type}:${String(item)}`),
  );
}
