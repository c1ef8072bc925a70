/**
 * A template as it would deploy, for rules that read values literally: parameters substituted,
 * Conditions evaluated, Fn::If branches chosen, resources whose Condition is false dropped and
 * Fn::Sub / Fn::Join / Fn::Select / Fn::Split / Fn::FindInMap of known values computed. What cannot be known
 * (resource attributes, parameters without a value) stays as written. Every node keeps the
 * position of the template text it came from, so a rule's failure maps back to a line.
 */
import {
  at,
  child,
  intrinsicName,
  isMap,
  isScalar,
  isSeq,
  LIMITS,
  resourceTypeOf,
  type MapNode,
  type ScalarNode,
  type SeqNode,
  type TemplateNode,
} from '../model/template.js';
import { typeBelow, type PropertyTypes, type TypeTree } from './property-types.js';

export interface ResolveContext {
  /** Parameter values the deployment sends; parameters without one fall back to their Default. */
  parameters: Record<string, string>;
  region: string;
  partition: string;
  accountId?: string;
  stackName?: string;
  /** Which properties of each resource type are booleans and numbers; none: strings stay. */
  propertyTypes?: PropertyTypes;
}

type Scalar = ScalarNode['value'];

/** Intrinsics nest at most this deep before the rest stays as written (hostile input). */
const MAX_DEPTH = 64;

export interface ResolvedTemplate {
  template: MapNode;
  /**
   * The resource whose values built more than LIMITS.maxResolvedChars: from there on, values stay
   * as written (an amplifying Fn::Sub or Fn::Join must not exhaust memory).
   */
  tooLargeAt?: string;
}

export function resolveTemplate(root: MapNode, context: ResolveContext): ResolvedTemplate {
  const resolver = new Resolver(root, context);
  const template = resolver.template();
  return { template, ...(resolver.tooLargeAt ? { tooLargeAt: resolver.tooLargeAt } : {}) };
}

class Resolver {
  private readonly values = new Map<string, TemplateNode>();
  private readonly conditions = new Map<string, boolean | undefined>();
  private readonly evaluating = new Set<string>();
  /** Characters the resolved template gained; past the limit, values stay as written. */
  private chars = 0;
  private current = '';
  tooLargeAt: string | undefined;

  constructor(
    private readonly root: MapNode,
    private readonly context: ResolveContext,
  ) {
    const pseudo: Record<string, string | undefined> = {
      'AWS::Region': context.region,
      'AWS::Partition': context.partition,
      'AWS::URLSuffix': context.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
      'AWS::AccountId': context.accountId,
      'AWS::StackName': context.stackName,
    };
    for (const [name, value] of Object.entries(pseudo))
      if (value !== undefined) this.values.set(name, scalarAt(value, root));
    for (const { key, value: declaration } of entries(child(root, 'Parameters'))) {
      const given = context.parameters[key];
      const fallback = child(declaration, 'Default');
      const raw = given ?? (isScalar(fallback) ? String(fallback.value ?? '') : undefined);
      if (raw === undefined) continue;
      const type = child(declaration, 'Type');
      const isList = isScalar(type) && /^(CommaDelimitedList|List<)/.test(String(type.value));
      const value: TemplateNode = isList
        ? seqAt(
            raw.split(',').map((s) => scalarAt(s.trim(), root)),
            root,
          )
        : scalarAt(raw, root);
      this.values.set(key, value);
    }
  }

  template(): MapNode {
    const resources = child(this.root, 'Resources');
    return {
      ...this.root,
      entries: this.root.entries.map((e) => {
        if (e.key === 'Resources' && isMap(resources)) {
          const kept = resources.entries.filter((r) => this.resourceDeploys(r.value));
          return {
            ...e,
            value: {
              ...resources,
              entries: kept.map((r) => {
                this.current = r.key;
                const value = this.resolve(r.value, 0) ?? r.value;
                const type = resourceTypeOf(value);
                const types = type ? this.context.propertyTypes?.[type] : undefined;
                return { ...r, value: types ? withTypes(value, { Properties: types }) : value };
              }),
            },
          };
        }
        if (e.key === 'Outputs') {
          this.current = 'Outputs';
          return { ...e, value: this.resolve(e.value, 0) ?? e.value };
        }
        return e;
      }),
    };
  }

  /** Whether `size` more characters stay within the limit (and then counts them). */
  private spend(size: number): boolean {
    if (this.chars + size > LIMITS.maxResolvedChars) {
      this.tooLargeAt ??= this.current;
      return false;
    }
    this.chars += size;
    return true;
  }

  private resourceDeploys(resource: TemplateNode): boolean {
    const condition = child(resource, 'Condition');
    return !isScalar(condition) || this.condition(String(condition.value)) !== false;
  }

  /** A named condition's value; undefined when it depends on something unknown. */
  private condition(name: string): boolean | undefined {
    if (this.conditions.has(name)) return this.conditions.get(name);
    if (this.evaluating.has(name)) return undefined; // a cycle: cfn-lint reports it
    this.evaluating.add(name);
    const value = this.truth(at(this.root, 'Conditions', name), 0);
    this.evaluating.delete(name);
    this.conditions.set(name, value);
    return value;
  }

  private truth(node: TemplateNode | undefined, depth: number): boolean | undefined {
    if (!node || depth > MAX_DEPTH) return undefined;
    if (isScalar(node)) return typeof node.value === 'boolean' ? node.value : undefined;
    const name = intrinsicName(node);
    const args = name ? (node as MapNode).entries[0]!.value : undefined;
    const list = isSeq(args) ? args.items : [];
    switch (name) {
      case 'Condition':
        return isScalar(args) ? this.condition(String(args.value)) : undefined;
      case 'Fn::Equals': {
        const [a, b] = list.map((item) => this.resolve(item, depth + 1));
        if (!isScalar(a) || !isScalar(b) || list.length !== 2) return undefined;
        return String(a.value) === String(b.value);
      }
      case 'Fn::Not': {
        const inner = this.truth(list[0], depth + 1);
        return inner === undefined ? undefined : !inner;
      }
      case 'Fn::And':
      case 'Fn::Or': {
        const results = list.map((item) => this.truth(item, depth + 1));
        const decisive = name === 'Fn::And' ? false : true;
        if (results.includes(decisive)) return decisive;
        return results.includes(undefined) || !results.length ? undefined : !decisive;
      }
      default:
        return undefined;
    }
  }

  /** The node as deployed; undefined means AWS::NoValue (the key or item disappears). */
  private resolve(node: TemplateNode, depth: number): TemplateNode | undefined {
    if (depth > MAX_DEPTH || isScalar(node)) return node;
    if (isSeq(node)) {
      const items = node.items.map((item) => this.resolve(item, depth + 1));
      return { ...node, items: items.filter((item): item is TemplateNode => item !== undefined) };
    }
    const name = intrinsicName(node);
    if (name && name !== 'Condition') {
      const computed = this.intrinsic(name, node.entries[0]!.value, node, depth);
      if (computed !== node) return computed;
    }
    const entries = [];
    for (const e of node.entries) {
      const value = this.resolve(e.value, depth + 1);
      if (value !== undefined) entries.push({ ...e, value });
    }
    return { ...node, entries };
  }

  /** The value of one intrinsic, or the node itself when it cannot be known here. */
  private intrinsic(
    name: string,
    args: TemplateNode,
    node: MapNode,
    depth: number,
  ): TemplateNode | undefined {
    const list = isSeq(args) ? args.items : [];
    switch (name) {
      case 'Ref': {
        if (!isScalar(args)) return node;
        if (args.value === 'AWS::NoValue') return undefined;
        const value = this.values.get(String(args.value));
        return value && this.spend(sizeOf(value)) ? moved(value, node) : node;
      }
      case 'Fn::If': {
        if (list.length !== 3 || !isScalar(list[0])) return node;
        const chosen = this.condition(String(list[0].value));
        if (chosen === undefined) return node;
        return this.resolve(list[chosen ? 1 : 2]!, depth + 1);
      }
      case 'Fn::Sub': {
        const template = isScalar(args) ? args : list[0];
        if (!isScalar(template) || typeof template.value !== 'string') return node;
        const locals = new Map<string, TemplateNode | undefined>();
        for (const e of entries(list[1])) locals.set(e.key, this.resolve(e.value, depth + 1));
        let known = true;
        let size = template.value.length;
        const text = template.value.replace(/\$\{([^}]*)\}/g, (match, variable: string) => {
          if (variable.startsWith('!')) return `\${${variable.slice(1)}}`;
          const value = locals.has(variable) ? locals.get(variable) : this.values.get(variable);
          const part = isScalar(value) ? String(value.value) : undefined;
          size += part?.length ?? 0;
          // Past the limit nothing more is built: the node stays as written.
          if (part === undefined || size > LIMITS.maxResolvedChars) known = false;
          return known ? part! : '';
        });
        return known && this.spend(size) ? scalarAt(text, node) : node;
      }
      case 'Fn::Join': {
        const [delimiter, items] = [list[0], list[1] && this.resolve(list[1], depth + 1)];
        if (!isScalar(delimiter) || !isSeq(items) || !items.items.every(isScalar)) return node;
        const parts = items.items.map((item) => String(item.value));
        const separator = String(delimiter.value);
        const size = parts.reduce((sum, part) => sum + part.length + separator.length, 0);
        return this.spend(size) ? scalarAt(parts.join(separator), node) : node;
      }
      case 'Fn::Select': {
        const [index, items] = [
          list[0] && this.resolve(list[0], depth + 1),
          list[1] && this.resolve(list[1], depth + 1),
        ];
        if (!isScalar(index) || !isSeq(items)) return node;
        const picked = items.items[Number(index.value)];
        return picked ? this.resolve(picked, depth + 1) : node;
      }
      case 'Fn::FindInMap': {
        const keys = list.slice(0, 3).map((item) => this.resolve(item, depth + 1));
        if (keys.length !== 3 || !keys.every(isScalar)) return node;
        // AWS::LanguageExtensions' fourth argument: { DefaultValue: ... } for a missing key.
        const value =
          at(this.root, 'Mappings', ...keys.map((k) => String(k.value))) ??
          (list[3] && child(list[3], 'DefaultValue'));
        return value && this.spend(sizeOf(value))
          ? moved(this.resolve(value, depth + 1) ?? value, node)
          : node;
      }
      case 'Fn::Split': {
        const [delimiter, text] = [list[0], list[1] && this.resolve(list[1], depth + 1)];
        if (!isScalar(delimiter) || !isScalar(text) || String(delimiter.value) === '') return node;
        const parts = String(text.value).split(String(delimiter.value));
        return this.spend(sizeOf(text) + parts.length * 2)
          ? seqAt(
              parts.map((part) => scalarAt(part, node)),
              node,
            )
          : node;
      }
      default:
        return node;
    }
  }
}

/** About how many characters a node takes as JSON, counted up to the resolution limit. */
function sizeOf(node: TemplateNode): number {
  let size = 0;
  const pending = [node];
  while (pending.length && size <= LIMITS.maxResolvedChars) {
    const item = pending.pop()!;
    if (isScalar(item)) size += String(item.value).length + 2;
    else if (isSeq(item)) {
      size += item.items.length + 2;
      for (const inner of item.items) pending.push(inner);
    } else
      for (const e of item.entries) {
        size += e.key.length + 4;
        pending.push(e.value);
      }
  }
  return size;
}

function entries(node: TemplateNode | undefined) {
  return isMap(node) ? node.entries : [];
}

function seqAt(items: TemplateNode[], where: TemplateNode): SeqNode {
  return { kind: 'seq', items, start: where.start, end: where.end };
}

function scalarAt(value: Scalar, where: TemplateNode): ScalarNode {
  return { kind: 'scalar', value, start: where.start, end: where.end };
}

/** A value put where it is used: it takes the position of the property that used it. */
function moved(value: TemplateNode, where: TemplateNode): TemplateNode {
  return { ...value, start: where.start, end: where.end };
}

/**
 * Parameters and Fn::Sub give strings, and templates may quote values, but CloudFormation converts
 * a string to the property's schema type: a rule that checks `== true` or a number must see the
 * converted value. Everywhere else a string stays one (an account id is no number).
 */
function withTypes(node: TemplateNode, tree: TypeTree): TemplateNode {
  if (isScalar(node)) {
    if (typeof node.value !== 'string') return node;
    if (tree === 'b' && (node.value === 'true' || node.value === 'false'))
      return { ...node, value: node.value === 'true' };
    if (tree === 'n' && /^-?\d{1,15}(\.\d{1,15})?$/.test(node.value))
      return { ...node, value: Number(node.value) };
    return node;
  }
  if (isSeq(node)) {
    const items = typeBelow(tree, '*');
    return items ? { ...node, items: node.items.map((item) => withTypes(item, items)) } : node;
  }
  if (intrinsicName(node)) return node;
  return {
    ...node,
    entries: node.entries.map((e) => {
      const below = typeBelow(tree, e.key);
      return below ? { ...e, value: withTypes(e.value, below) } : e;
    }),
  };
}
