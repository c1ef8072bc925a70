/** The parsed template model: plain values with the exact line and column of every node. */

/** Bounds on what the parser accepts, so hostile input cannot exhaust memory or time. */
export const LIMITS = {
  /** CloudFormation accepts at most 1 MB through S3; larger input is not a template. */
  maxBytes: 1_048_576,
  /** Nesting of maps and lists; real templates stay far below this. */
  maxDepth: 100,
  /** Nodes built in total, aliases expanded: stops alias bombs ("billion laughs"). */
  maxNodes: 500_000,
  maxAliases: 1_000,
  /**
   * CloudFormation's own limit of resources per template: cfn-lint needs minutes for thousands of
   * them (over 120 s for 5,000), and such a template can never be deployed.
   */
  maxResources: 500,
  /**
   * Characters intrinsic resolution may build for one template (Fn::Sub, Fn::Join, each use of a
   * parameter...): a template of 1 MB can otherwise amplify to gigabytes.
   */
  maxResolvedChars: 16 * 1_048_576,
} as const;

export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

interface BaseNode {
  start: Position;
  end: Position;
}

export interface ScalarNode extends BaseNode {
  kind: 'scalar';
  value: string | number | boolean | null;
}

export interface SeqNode extends BaseNode {
  kind: 'seq';
  items: TemplateNode[];
}

export interface MapEntry {
  key: string;
  keyStart: Position;
  value: TemplateNode;
}

export interface MapNode extends BaseNode {
  kind: 'map';
  entries: MapEntry[];
}

/** A template that parsed: the file the user edits, the text that was parsed, its node tree. */
export interface ParsedTemplate {
  /** Repository-relative path of the file the user edits. */
  file: string;
  /** The text that was parsed (for rendered templates, the rendering). */
  text: string;
  format: 'yaml' | 'json';
  root: MapNode;
}

/** Short-form tags such as `!Ref X` become the long form `{Ref: X}` positioned at the tagged value. */
export type TemplateNode = ScalarNode | SeqNode | MapNode;

export function isMap(node: TemplateNode | undefined): node is MapNode {
  return node?.kind === 'map';
}

export function isSeq(node: TemplateNode | undefined): node is SeqNode {
  return node?.kind === 'seq';
}

export function isScalar(node: TemplateNode | undefined): node is ScalarNode {
  return node?.kind === 'scalar';
}

export function entry(node: TemplateNode | undefined, key: string): MapEntry | undefined {
  return isMap(node) ? node.entries.find((e) => e.key === key) : undefined;
}

export function child(node: TemplateNode | undefined, key: string): TemplateNode | undefined {
  return entry(node, key)?.value;
}

/** A resource's `Type` when it is written as a string, e.g. `AWS::S3::Bucket`. */
export function resourceTypeOf(resource: TemplateNode | undefined): string | undefined {
  const type = child(resource, 'Type');
  return isScalar(type) && typeof type.value === 'string' ? type.value : undefined;
}

/** Follow a path of keys and list indexes, e.g. `at(root, 'Resources', 'Bucket', 'Properties')`. */
export function at(
  node: TemplateNode | undefined,
  ...path: (string | number)[]
): TemplateNode | undefined {
  let current = node;
  for (const step of path) {
    if (typeof step === 'number') current = isSeq(current) ? current.items[step] : undefined;
    else current = child(current, step);
    if (!current) return undefined;
  }
  return current;
}

/** Convert to plain JSON-like values (the positions are dropped). */
export function toPlain(node: TemplateNode): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq':
      return node.items.map(toPlain);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const e of node.entries) out[e.key] = toPlain(e.value);
      return out;
    }
  }
}

/** The single `Fn::X` / `Ref` / `Condition` key of an intrinsic function node, if it is one. */
export function intrinsicName(node: TemplateNode | undefined): string | undefined {
  if (!isMap(node) || node.entries.length !== 1) return undefined;
  const key = node.entries[0]!.key;
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::') ? key : undefined;
}

/**
 * A plain JSON value as template nodes, every one placed at `at` (a document that was not written
 * in the template: a SAM policy template, a managed policy read from IAM). `replace` may put a
 * template node in place of a value.
 */
export function nodeOf(
  value: unknown,
  at: Position,
  replace?: (value: unknown) => TemplateNode | undefined,
): TemplateNode {
  const replaced = replace?.(value);
  if (replaced) return replaced;
  if (Array.isArray(value))
    return { kind: 'seq', items: value.map((v) => nodeOf(v, at, replace)), start: at, end: at };
  if (value !== null && typeof value === 'object')
    return {
      kind: 'map',
      entries: Object.entries(value as Record<string, unknown>).map(([key, v]) => ({
        key,
        keyStart: at,
        value: nodeOf(v, at, replace),
      })),
      start: at,
      end: at,
    };
  return { kind: 'scalar', value: value as ScalarNode['value'], start: at, end: at };
}
