import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

/**
 * Checks a parsed YAML document against the subset of JSON Schema our manifest schema uses, on
 * the YAML nodes themselves so every problem names the key and its line. ajv would only give JSON
 * pointers; a test runs ajv over the same cases to prove the two agree.
 */
export interface SchemaProblem {
  /** Dotted key path, e.g. `stacks.s3.depends-on[0]`. */
  path: string;
  line: number;
  column: number;
  message: string;
}

export interface SchemaNode {
  type?: string | readonly string[];
  properties?: Readonly<Record<string, SchemaNode>>;
  additionalProperties?: boolean | SchemaNode;
  required?: readonly string[];
  items?: SchemaNode;
  enum?: readonly unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minProperties?: number;
  propertyNames?: { pattern: string };
  anyOf?: readonly SchemaNode[];
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
};

export function checkSchema(
  doc: Document,
  schema: SchemaNode,
  lines: LineCounter,
): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const at = (node: Node | null | undefined, fallback: Node | null | undefined) => {
    const offset = (node ?? fallback)?.range?.[0] ?? 0;
    const pos = lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  const resolve = (node: unknown): Node | null =>
    isAlias(node) ? ((node.resolve(doc) as Node | undefined) ?? null) : ((node as Node) ?? null);

  const typeOf = (node: Node | null): string => {
    if (isMap(node)) return 'object';
    if (isSeq(node)) return 'array';
    if (isScalar(node)) {
      const v = node.value;
      return v === null ? 'null' : typeof v === 'number' ? 'number' : typeof v;
    }
    return 'null';
  };

  const visit = (
    node: Node | null,
    s: SchemaNode,
    path: string,
    parent: Node | null,
    out: SchemaProblem[],
  ): void => {
    const add = (message: string, where: Node | null = node) =>
      out.push({ path, ...at(where, parent), message: `${path || 'the manifest'} ${message}` });
    if (s.anyOf) {
      const fits = s.anyOf.some((option) => {
        const trial: SchemaProblem[] = [];
        visit(node, option, path, parent, trial);
        return trial.length === 0;
      });
      if (!fits) add('must be a string, number, true/false, or a list of them');
      return;
    }
    const actual = typeOf(node);
    if (s.type) {
      const allowed = typeof s.type === 'string' ? [s.type] : s.type;
      if (!allowed.includes(actual)) {
        const words = allowed.map((t) => TYPE_WORDS[t] ?? t);
        add(`must be ${words.join(' or ')}${actual === 'null' ? ', but it is empty' : ''}`);
        return;
      }
    }
    if (s.enum && !s.enum.includes(isScalar(node) ? node.value : undefined)) {
      add(
        `is ${JSON.stringify(isScalar(node) ? node.value : actual)}; allowed: ${s.enum.join(', ')}`,
      );
      return;
    }
    if (isScalar(node) && typeof node.value === 'string') {
      const v = node.value;
      if (s.minLength !== undefined && v.length < s.minLength) add('must not be empty');
      if (s.maxLength !== undefined && v.length > s.maxLength)
        add(`is ${v.length} characters long; at most ${s.maxLength} are allowed`);
      if (s.pattern && !new RegExp(s.pattern, 'u').test(v))
        add(`"${v}" is not valid (it must match ${s.pattern})`);
    }
    if (isSeq(node) && s.items) {
      node.items.forEach((item, i) => visit(resolve(item), s.items!, `${path}[${i}]`, node, out));
    }
    if (isMap(node)) {
      const keys = new Set<string>();
      for (const pair of node.items) {
        const keyNode = resolve(pair.key);
        const key = String(isScalar(keyNode) ? keyNode.value : keyNode);
        keys.add(key);
        const keyPath = path ? `${path}.${key}` : key;
        if (s.propertyNames && !new RegExp(s.propertyNames.pattern, 'u').test(key)) {
          out.push({
            path: keyPath,
            ...at(keyNode, node),
            message: `"${key}" in ${path} is not a valid id (it must match ${s.propertyNames.pattern})`,
          });
        }
        const sub = s.properties?.[key] ?? s.additionalProperties;
        if (sub === false) {
          const allowed = Object.keys(s.properties ?? {});
          out.push({
            path: keyPath,
            ...at(keyNode, node),
            message: `unknown key "${key}" in ${path || 'the manifest'}; allowed: ${allowed.join(', ')}`,
          });
          continue;
        }
        if (sub && sub !== true) visit(resolve(pair.value), sub, keyPath, keyNode, out);
      }
      for (const key of s.required ?? []) if (!keys.has(key)) add(`needs the key "${key}"`);
      if (s.minProperties !== undefined && keys.size < s.minProperties)
        add(`needs at least ${s.minProperties} entr${s.minProperties === 1 ? 'y' : 'ies'}`);
    }
  };
  visit(resolve(doc.contents), schema, '', null, problems);
  return problems;
}
