import type { Change, ResourceChangeDetail } from '@aws-sdk/client-cloudformation';
import type { PropertyChange, ResourceChangeEntry } from '../model/findings.js';
import { shorten } from '../model/text.js';
import { STATEFUL_TYPES } from '../model/stateful.js';
import type { NestedChanges } from './changeset.js';

/** Types whose changes alter who may do what: listed in the "permissions change" table. */
const IAM_TYPES =
  /^AWS::(IAM|SSO)::|^AWS::(S3::BucketPolicy|SQS::QueuePolicy|SNS::TopicPolicy|Lambda::Permission|SecretsManager::ResourcePolicy)$/;
/** Properties of other types that hold a policy. */
const POLICY_PROPERTIES = new Set([
  'AssumeRolePolicyDocument',
  'KeyPolicy',
  'ManagedPolicyArns',
  'Policies',
  'PolicyDocument',
  'PolicyText',
  'ResourcePolicy',
]);

/**
 * Turn the change set's changes into the preview: one entry per resource, plus IAM changes. A
 * nested stack's changes follow its stack resource, their logical ids prefixed with its path
 * (`Storage/Bucket`), so the guard and every report treat them like the parent's own.
 */
export function previewChanges(
  changes: readonly Change[],
  mask: (text: string) => string = (text) => text,
  nested: readonly NestedChanges[] = [],
): {
  changes: ResourceChangeEntry[];
  iamChanges: string[];
} {
  const preview = previewOf(changes, mask, '');
  for (const group of nested) {
    const own = previewOf(group.changes, mask, group.path);
    const parent = preview.changes.findIndex((c) => c.logicalId === group.path);
    const after = parent < 0 ? preview.changes.length : lastUnder(preview.changes, parent) + 1;
    preview.changes.splice(after, 0, ...own.changes);
    preview.iamChanges.push(...own.iamChanges);
  }
  return preview;
}

/** The index of the last entry that belongs under the one at `index` (its nested changes). */
function lastUnder(entries: readonly ResourceChangeEntry[], index: number): number {
  const prefix = `${entries[index]!.logicalId}/`;
  let last = index;
  while (entries[last + 1]?.logicalId.startsWith(prefix)) last++;
  return last;
}

function previewOf(
  changes: readonly Change[],
  mask: (text: string) => string,
  path: string,
): { changes: ResourceChangeEntry[]; iamChanges: string[] } {
  const entries: ResourceChangeEntry[] = [];
  const iamChanges: string[] = [];
  for (const change of changes) {
    const rc = change.ResourceChange;
    if (change.Type !== 'Resource' || !rc) continue;
    const type = rc.ResourceType ?? 'unknown';
    const action = actionOf(rc.Action, rc.Replacement);
    const causes = new Set<string>();
    const touched = new Set<string>();
    const properties = new Map<string, PropertyChange>();
    for (const detail of rc.Details ?? []) {
      const target = detail.Target;
      const name = target?.Name ?? target?.Attribute;
      if (!name) continue;
      touched.add(name);
      if (target?.RequiresRecreation === 'Always') causes.add(name);
      if (target?.RequiresRecreation === 'Conditionally') causes.add(`${name} (conditionally)`);
      if (target?.Attribute === 'Properties') addProperty(properties, detail, mask);
    }
    const entry: ResourceChangeEntry = {
      logicalId: `${path ? `${path}/` : ''}${rc.LogicalResourceId ?? '?'}`,
      resourceType: type,
      action,
      replacementCauses: action === 'replace' || action === 'may-replace' ? [...causes] : [],
      stateful: STATEFUL_TYPES.has(type),
      blocked: false,
      ...(path ? { nestedIn: path } : {}),
    };
    if (rc.Action === 'Remove' && /Retain|Snapshot/.test(rc.PolicyAction ?? ''))
      entry.retained = true;
    if (properties.size) entry.properties = [...properties.values()];
    entries.push(entry);
    const line = iamChangeLine(action, type, entry.logicalId, touched);
    if (line) iamChanges.push(line);
  }
  return { changes: entries, iamChanges };
}

/** `/Properties/A/B` (a change set's path) and `/A/B` (a drift's path) both become `A/B`. */
export function propertyPath(path: string): string {
  return path.replace(/^\/(Properties\/?)?/, '');
}

/** Values longer than this are shortened: a policy document says enough in a few hundred. */
export const MAX_PROPERTY_VALUE_LENGTH = 200;

/**
 * One property per path: a property evaluated both statically and dynamically has two details,
 * and the one that forces replacement (or gives the values) wins.
 */
function addProperty(
  properties: Map<string, PropertyChange>,
  detail: ResourceChangeDetail,
  mask: (text: string) => string,
): void {
  const target = detail.Target!;
  // Masked before shortened: a cut must never leave the start of a secret behind.
  const value = (v: string) => shorten(mask(v), MAX_PROPERTY_VALUE_LENGTH);
  const path = propertyPath(target.Path ?? `/Properties/${target.Name}`);
  const known = properties.get(path);
  const property: PropertyChange = { path: path || '(all properties)' };
  const before = target.BeforeValue === undefined ? known?.before : value(target.BeforeValue);
  const after = target.AfterValue === undefined ? known?.after : value(target.AfterValue);
  if (before !== undefined) property.before = before;
  if (after !== undefined) property.after = after;
  const replacement =
    target.RequiresRecreation === 'Always'
      ? 'always'
      : target.RequiresRecreation === 'Conditionally'
        ? 'conditionally'
        : known?.replacement;
  if (replacement) property.replacement = replacement;
  const cause = detail.CausingEntity
    ? `${detail.ChangeSource ?? 'change'} ${detail.CausingEntity}`
    : known?.causedBy;
  if (cause) property.causedBy = cause;
  const live =
    target.Drift?.ActualValue === undefined ? known?.live : value(target.Drift.ActualValue);
  if (live !== undefined) property.live = live;
  properties.set(path, property);
}

/** The "permissions change" line of a resource change, or undefined when it changes no policy. */
export function iamChangeLine(
  action: ResourceChangeEntry['action'],
  type: string,
  logicalId: string,
  touched: Iterable<string>,
): string | undefined {
  const policyProps = [...new Set(touched)].filter((p) => POLICY_PROPERTIES.has(p));
  if (!IAM_TYPES.test(type) && !policyProps.length) return undefined;
  const what = policyProps.length ? `: ${policyProps.join(', ')}` : '';
  return `${action} ${type} ${logicalId}${what}`;
}

function actionOf(action: string | undefined, replacement: string | undefined) {
  switch (action) {
    case 'Add':
      return 'add' as const;
    case 'Remove':
      return 'remove' as const;
    case 'Import':
      return 'import' as const;
    case 'Dynamic':
      return 'dynamic' as const;
    default:
      if (replacement === 'True') return 'replace' as const;
      if (replacement === 'Conditional') return 'may-replace' as const;
      return 'modify' as const;
  }
}
