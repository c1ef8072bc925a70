import type { PropertyChange, ResourceChangeEntry } from '../model/findings.js';
import { STATEFUL_TYPES } from '../model/stateful.js';
import {
  child,
  intrinsicName,
  isMap,
  isScalar,
  isSeq,
  resourceTypeOf,
  toPlain,
  type ParsedTemplate,
  type TemplateNode,
} from '../model/template.js';
import { shorten } from '../model/text.js';
import createOnly from './create-only.json' with { type: 'json' };
import { iamChangeLine, MAX_PROPERTY_VALUE_LENGTH } from './preview.js';

/**
 * The plan without AWS: what a change set would do, predicted by comparing a template with its
 * version at the base commit. Replacement comes from the resource provider schemas' create-only
 * properties (the digest scripts/create-only.ts writes from cfn-lint's copy of them); values are
 * compared as the template writes them, so a changed `!Ref` counts as a change.
 */
const CREATE_ONLY = createOnly.types as unknown as Record<string, [string[], string[]?]>;

/** Enough to read a plan; a resource with more changed properties says how many were left out. */
const MAX_PROPERTY_CHANGES = 50;

interface Resource {
  type: string;
  node: TemplateNode;
  properties: TemplateNode | undefined;
}

export function predictChanges(
  base: ParsedTemplate | undefined,
  head: ParsedTemplate,
): { changes: ResourceChangeEntry[]; iamChanges: string[] } {
  const before = resourcesOf(base);
  const after = resourcesOf(head);
  const changes: ResourceChangeEntry[] = [];
  for (const [logicalId, old] of before) {
    if (!after.has(logicalId)) changes.push(removal(logicalId, old));
  }
  for (const [logicalId, now] of after) {
    const old = before.get(logicalId);
    if (!old) changes.push(entryOf(logicalId, now.type, 'add', []));
    else if (!sameValue(old.node, now.node)) changes.push(modification(logicalId, old, now));
  }
  markRenames(changes, before, after);
  const iamChanges = changes.flatMap((c) => {
    const line = iamChangeLine(
      c.action,
      c.resourceType,
      c.logicalId,
      (c.properties ?? []).map((p) => p.path.split('/')[0]!),
    );
    return line ? [line] : [];
  });
  return { changes, iamChanges };
}

function resourcesOf(template: ParsedTemplate | undefined): Map<string, Resource> {
  const resources = new Map<string, Resource>();
  const section = child(template?.root, 'Resources');
  if (!isMap(section)) return resources;
  for (const e of section.entries) {
    resources.set(e.key, {
      type: resourceTypeOf(e.value) ?? 'unknown',
      node: e.value,
      properties: child(e.value, 'Properties'),
    });
  }
  return resources;
}

function entryOf(
  logicalId: string,
  resourceType: string,
  action: ResourceChangeEntry['action'],
  replacementCauses: string[],
): ResourceChangeEntry {
  return {
    logicalId,
    resourceType,
    action,
    replacementCauses,
    stateful: STATEFUL_TYPES.has(resourceType),
    blocked: false,
  };
}

/** CloudFormation applies the removed resource's own DeletionPolicy, from the base template. */
function removal(logicalId: string, old: Resource): ResourceChangeEntry {
  const change = entryOf(logicalId, old.type, 'remove', []);
  const policy = child(old.node, 'DeletionPolicy');
  if (isScalar(policy) && /^(Retain|RetainExceptOnCreate|Snapshot)$/.test(String(policy.value)))
    change.retained = true;
  return change;
}

function modification(logicalId: string, old: Resource, now: Resource): ResourceChangeEntry {
  if (old.type !== now.type) {
    const change = entryOf(logicalId, now.type, 'replace', ['Type']);
    change.properties = [
      { path: 'Type', before: old.type, after: now.type, replacement: 'always' },
    ];
    return change;
  }
  const [always, conditional] = CREATE_ONLY[now.type] ?? [[], []];
  const properties: PropertyChange[] = [];
  diff(old.properties, now.properties, [], properties);
  for (const p of properties) {
    if (always.some((pointer) => overlaps(pointer, p.path))) p.replacement = 'always';
    else if (conditional?.some((pointer) => overlaps(pointer, p.path)))
      p.replacement = 'conditionally';
  }
  const causes = properties.filter((p) => p.replacement === 'always').map((p) => p.path);
  const maybe = properties.filter((p) => p.replacement === 'conditionally').map((p) => p.path);
  const change = causes.length
    ? entryOf(logicalId, now.type, 'replace', causes)
    : maybe.length
      ? entryOf(
          logicalId,
          now.type,
          'may-replace',
          maybe.map((p) => `${p} (conditionally)`),
        )
      : entryOf(logicalId, now.type, 'modify', []);
  if (properties.length) change.properties = properties.slice(0, MAX_PROPERTY_CHANGES);
  return change;
}

/**
 * The finest paths where two property trees differ. An intrinsic function is one value: its
 * inside is not a property path.
 */
function diff(
  a: TemplateNode | undefined,
  b: TemplateNode | undefined,
  path: string[],
  out: PropertyChange[],
): void {
  if (out.length > MAX_PROPERTY_CHANGES) return;
  if (a && b && sameValue(a, b)) return;
  const plainMaps = isMap(a) && isMap(b) && !intrinsicName(a) && !intrinsicName(b);
  if (plainMaps) {
    const keys = new Set([...a.entries.map((e) => e.key), ...b.entries.map((e) => e.key)]);
    for (const key of keys) diff(child(a, key), child(b, key), [...path, key], out);
    return;
  }
  if (isSeq(a) && isSeq(b) && a.items.length === b.items.length) {
    a.items.forEach((item, i) => diff(item, b.items[i], [...path, String(i)], out));
    return;
  }
  out.push({
    path: path.length ? path.join('/') : '(all properties)',
    ...(a ? { before: valueText(a) } : {}),
    ...(b ? { after: valueText(b) } : {}),
  });
}

/** A schema pointer such as `Policies/*\/PolicyArn` covers a changed path, or lies inside it. */
function overlaps(pointer: string, path: string): boolean {
  if (path === '(all properties)') return true;
  const p = pointer.split('/');
  const q = path.split('/');
  for (let i = 0; i < Math.min(p.length, q.length); i++) {
    if (p[i] === '*' ? !/^\d+$/.test(q[i]!) : p[i] !== q[i]) return false;
  }
  return true;
}

/**
 * A removal and an addition of the same type with the same properties are one resource renamed:
 * CloudFormation still deletes the old one (with its data) and creates a new one.
 */
function markRenames(
  changes: ResourceChangeEntry[],
  before: Map<string, Resource>,
  after: Map<string, Resource>,
): void {
  const added = changes.filter((c) => c.action === 'add');
  for (const removed of changes.filter((c) => c.action === 'remove')) {
    const old = before.get(removed.logicalId)!;
    const twin = added.find(
      (a) =>
        !a.renamedFrom &&
        a.resourceType === removed.resourceType &&
        samePropertiesOf(old, after.get(a.logicalId)!),
    );
    if (!twin) continue;
    removed.renamedTo = twin.logicalId;
    twin.renamedFrom = removed.logicalId;
  }
}

function samePropertiesOf(a: Resource, b: Resource): boolean {
  if (!a.properties || !b.properties) return !a.properties && !b.properties;
  return sameValue(a.properties, b.properties);
}

/** Equal as values: the order of a map's keys does not matter. */
function sameValue(a: TemplateNode, b: TemplateNode): boolean {
  return canonical(toPlain(a)) === canonical(toPlain(b));
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    const map = value as Record<string, unknown>;
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(map[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function valueText(node: TemplateNode): string {
  const plain = toPlain(node);
  return shorten(
    typeof plain === 'string' ? plain : JSON.stringify(plain),
    MAX_PROPERTY_VALUE_LENGTH,
  );
}
