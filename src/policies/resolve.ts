import {
  child,
  intrinsicName,
  isMap,
  isScalar,
  isSeq,
  LIMITS,
  type MapNode,
  type Position,
  type TemplateNode,
} from '../model/template.js';
import {
  attributeValue,
  generatedName,
  hasIamPath,
  nameProperty,
  refValue,
  variantProperty,
  type AwsScope,
  type PhysicalName,
} from './resource-names.js';

/**
 * An intrinsic function node. `{Condition: {...}}` is a policy statement's condition block: the
 * Condition function takes a condition's name.
 */
function isIntrinsic(node: MapNode): boolean {
  const name = intrinsicName(node);
  return name !== undefined && (name !== 'Condition' || isScalar(node.entries[0]!.value));
}

/** A JSON path inside a policy document: keys and list indexes. */
export type PolicyPath = readonly (string | number)[];

export function pathKey(path: PolicyPath): string {
  return JSON.stringify(path);
}

/** Marks every value we could not resolve, so checks skip it and readers see why. */
export const PLACEHOLDER_PREFIX = '{{unresolved:';

export function isPlaceholder(value: unknown): boolean {
  return typeof value === 'string' && value.includes(PLACEHOLDER_PREFIX);
}

export interface ResolveOptions extends AwsScope {
  /** Parameter values that override the template's Defaults (from the environment file). */
  parameters: Record<string, string>;
  stackName?: string;
}

/** A policy document resolved to plain JSON, with where each part of it came from. */
export interface ResolvedDocument {
  document: unknown;
  /** Template position of each value, by `pathKey`; a path missing here inherits its parent's. */
  positions: Map<string, Position>;
  /** Template position of each object key, by the `pathKey` of its value. */
  keyPositions: Map<string, Position>;
  /** Paths whose value holds a placeholder. */
  placeholders: Set<string>;
  /** Why placeholders were used, one line each. */
  notes: string[];
  /** Set when a limit of ours stopped the resolution: what was too much, for a finding. */
  limit?: string;
}

const NO_VALUE = Symbol('AWS::NoValue');
type Value = unknown;

/** Resolution steps per template before the rest becomes placeholders: hostile templates end. */
const MAX_STEPS = 200_000;

interface Trace {
  positions: Map<string, Position>;
  keyPositions: Map<string, Position>;
  placeholders: Set<string>;
  notes: string[];
}

function newTrace(): Trace {
  return { positions: new Map(), keyPositions: new Map(), placeholders: new Set(), notes: [] };
}

const PSEUDO = new Set([
  'AWS::Region',
  'AWS::AccountId',
  'AWS::Partition',
  'AWS::URLSuffix',
  'AWS::StackName',
  'AWS::StackId',
  'AWS::NoValue',
  'AWS::NotificationARNs',
]);

/**
 * Evaluates CloudFormation intrinsic functions in one template the way CloudFormation would before
 * it creates the resources, so a policy can be checked as AWS will see it. Never throws: what it
 * cannot know becomes a marked placeholder with a note.
 */
export class TemplateResolver {
  private readonly parameters: MapNode | undefined;
  private readonly resources: MapNode | undefined;
  private readonly conditions: MapNode | undefined;
  private readonly mappings: MapNode | undefined;
  private readonly conditionValues = new Map<string, boolean | undefined>();
  private readonly names = new Map<string, PhysicalName>();
  /** Conditions and resource names being resolved, to catch reference cycles. */
  private readonly visiting: string[] = [];
  private steps = 0;
  /** Characters built for the current document (LIMITS.maxResolvedChars): amplification ends. */
  private chars = 0;
  /** What limit stopped the current document's resolution. */
  private limit: string | undefined;

  constructor(
    root: MapNode,
    private readonly options: ResolveOptions,
  ) {
    const section = (key: string) => {
      const node = child(root, key);
      return isMap(node) ? node : undefined;
    };
    this.parameters = section('Parameters');
    this.resources = section('Resources');
    this.conditions = section('Conditions');
    this.mappings = section('Mappings');
  }

  /** Resolve a policy document (or any value) and trace where each part came from. */
  document(node: TemplateNode): ResolvedDocument {
    this.chars = 0;
    this.limit = undefined;
    const trace = newTrace();
    const value = this.value(node, [], trace);
    return {
      document: value === NO_VALUE ? undefined : value,
      ...trace,
      ...(this.limit ? { limit: this.limit } : {}),
    };
  }

  /** Resolve a value when only the result matters (names, conditions). */
  plain(node: TemplateNode, notes?: string[]): Value {
    const trace = newTrace();
    const value = this.value(node, [], trace);
    notes?.push(...trace.notes);
    return value === NO_VALUE ? undefined : value;
  }

  /** What `Ref name` returns (a parameter's value, a resource's name or ARN). */
  reference(name: string): Value {
    const value = this.ref(name, [], newTrace());
    return value === NO_VALUE ? undefined : value;
  }

  /** Whether `size` more characters stay within the limit; when not, `trace` says where. */
  private fits(size: number): boolean {
    if (this.chars + size <= LIMITS.maxResolvedChars) return true;
    const resource = this.visiting.findLast((what) => what.startsWith('resource '));
    this.limit ??= `its intrinsic functions${resource ? ` (through ${resource})` : ''} build more than ${LIMITS.maxResolvedChars / 1_048_576} MiB of text`;
    return false;
  }

  private tooLarge(path: PolicyPath, trace: Trace): string {
    return this.placeholder('too large', 'the resolved values are too large', path, trace);
  }

  /** A named condition's value; undefined when it depends on a value nobody gave. */
  condition(name: string, notes: string[] = []): boolean | undefined {
    if (this.conditionValues.has(name)) return this.conditionValues.get(name);
    const node = child(this.conditions, name);
    if (!node) {
      notes.push(`condition ${name} is not defined in Conditions`);
      return undefined;
    }
    const cycle = this.enter(`condition ${name}`, notes);
    if (cycle) return undefined;
    try {
      const value = this.evaluate(node, notes);
      this.conditionValues.set(name, value);
      return value;
    } finally {
      this.visiting.pop();
    }
  }

  private enter(what: string, notes: string[]): boolean {
    if (this.visiting.includes(what)) {
      notes.push(`reference cycle: ${[...this.visiting, what].join(' -> ')}`);
      return true;
    }
    this.visiting.push(what);
    return false;
  }

  /** Fn::Equals / And / Or / Not / Condition, three-valued: undefined is "not known". */
  private evaluate(node: TemplateNode, notes: string[]): boolean | undefined {
    const name = intrinsicName(node);
    const arg = name && isMap(node) ? node.entries[0]!.value : undefined;
    const args = isSeq(arg) ? arg.items : [];
    switch (name) {
      case 'Condition':
        return isScalar(arg) ? this.condition(String(arg.value), notes) : undefined;
      case 'Fn::Equals': {
        const [a, b] = args.map((item) => this.plain(item, notes));
        if (args.length !== 2 || isPlaceholder(a) || isPlaceholder(b)) return undefined;
        return JSON.stringify(scalarString(a)) === JSON.stringify(scalarString(b));
      }
      case 'Fn::Not': {
        const inner = args[0] ? this.evaluate(args[0], notes) : undefined;
        return inner === undefined ? undefined : !inner;
      }
      case 'Fn::And':
      case 'Fn::Or': {
        const values = args.map((item) => this.evaluate(item, notes));
        const decisive = name === 'Fn::And' ? false : true;
        if (values.includes(decisive)) return decisive;
        return values.includes(undefined) ? undefined : !decisive;
      }
      default: {
        const value = this.plain(node, notes);
        if (value === true || value === 'true') return true;
        if (value === false || value === 'false') return false;
        return undefined;
      }
    }
  }

  private value(node: TemplateNode, path: PolicyPath, trace: Trace): Value {
    const key = pathKey(path);
    trace.positions.set(key, node.start);
    if (++this.steps > MAX_STEPS) {
      this.limit ??= `it takes more than ${MAX_STEPS} steps to resolve`;
      return this.placeholder('too complex', 'the template is too complex to resolve', path, trace);
    }
    let result: Value;
    if (node.kind === 'scalar') {
      result = node.value;
    } else if (node.kind === 'seq') {
      const items: Value[] = [];
      for (const item of node.items) {
        const value = this.value(item, [...path, items.length], trace);
        if (value !== NO_VALUE) items.push(value);
      }
      result = items;
    } else if (isIntrinsic(node)) {
      result = this.intrinsic(intrinsicName(node)!, node.entries[0]!.value, path, trace);
    } else {
      const out: Record<string, Value> = {};
      for (const e of node.entries) {
        if (!this.fits(e.key.length)) return this.tooLarge(path, trace);
        this.chars += e.key.length;
        const childPath = [...path, e.key];
        trace.keyPositions.set(pathKey(childPath), e.keyStart);
        const value = this.value(e.value, childPath, trace);
        if (value !== NO_VALUE) out[e.key] = value;
      }
      result = out;
    }
    // Every value built is paid for once where it is made (leaves and intrinsic results), so
    // references that repeat a large value cannot amplify it without limit.
    if (node.kind === 'scalar' || (isMap(node) && isIntrinsic(node))) {
      const size = sizeOf(result, LIMITS.maxResolvedChars - this.chars + 1);
      if (!this.fits(size)) return this.tooLarge(path, trace);
      this.chars += size;
    }
    // Also when Fn::Join or Fn::Sub assembles it: CloudFormation resolves it after the functions.
    if (typeof result === 'string' && /\{\{resolve:/.test(result))
      result = this.placeholder(
        result.replace(/^\{\{|\}\}$/g, ''),
        `dynamic reference ${result} is resolved only at deploy time`,
        path,
        trace,
      );
    if (isPlaceholder(result)) trace.placeholders.add(key);
    return result;
  }

  private placeholder(what: string, note: string, path: PolicyPath, trace: Trace): string {
    trace.notes.push(note);
    trace.placeholders.add(pathKey(path));
    return `${PLACEHOLDER_PREFIX}${what}}}`;
  }

  private intrinsic(name: string, arg: TemplateNode, path: PolicyPath, trace: Trace): Value {
    const args = isSeq(arg) ? arg.items : [];
    // Arguments are resolved on the side: only the result sits at this path.
    const plain = (node: TemplateNode | undefined): Value =>
      node ? this.plain(node, trace.notes) : undefined;
    switch (name) {
      case 'Ref':
        return isScalar(arg)
          ? this.ref(String(arg.value), path, trace)
          : this.placeholder('Ref', 'Ref needs a name', path, trace);
      case 'Fn::GetAtt': {
        const parts = isScalar(arg)
          ? String(arg.value).split(/\.(.*)/s)
          : args.map((item) => String(plain(item)));
        return this.getAtt(parts[0] ?? '', parts[1] ?? '', path, trace);
      }
      case 'Fn::Sub':
        return this.sub(arg, path, trace);
      case 'Fn::Join': {
        const delimiter = plain(args[0]);
        const list = plain(args[1]);
        if (!Array.isArray(list))
          return this.placeholder('Fn::Join', 'Fn::Join needs a list', path, trace);
        // A delimiter or item that is not a scalar has no text CloudFormation would join.
        if (typeof delimiter !== 'string' || !list.every(isScalarValue))
          return this.placeholder(
            'Fn::Join',
            'Fn::Join needs a string and a list of strings',
            path,
            trace,
          );
        const separator = delimiter;
        const parts = list.map((item) => scalarString(item));
        const size = parts.reduce((sum, part) => sum + part.length + separator.length, 0);
        return this.fits(size) ? parts.join(separator) : this.tooLarge(path, trace);
      }
      case 'Fn::Select': {
        const index = Number(plain(args[0]));
        const list = args[1];
        // A literal list keeps the chosen item's own position.
        if (isSeq(list) && list.items[index]) return this.value(list.items[index], path, trace);
        const resolved = plain(list);
        if (
          Array.isArray(resolved) &&
          Number.isInteger(index) &&
          index >= 0 &&
          index < resolved.length
        )
          return resolved[index];
        return this.placeholder(
          'Fn::Select',
          `Fn::Select index ${index} is outside the list`,
          path,
          trace,
        );
      }
      case 'Fn::Split': {
        const delimiter = String(plain(args[0]) ?? '');
        const text = plain(args[1]);
        if (typeof text !== 'string' || !delimiter)
          return this.placeholder(
            'Fn::Split',
            'Fn::Split needs a delimiter and a string',
            path,
            trace,
          );
        return text.split(delimiter);
      }
      case 'Fn::FindInMap':
        return this.findInMap(args, path, trace);
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = args;
        if (!isScalar(condition) || !whenTrue || !whenFalse)
          return this.placeholder(
            'Fn::If',
            'Fn::If needs [condition, value if true, value if false]',
            path,
            trace,
          );
        let chosen = this.condition(String(condition.value), trace.notes);
        if (chosen === undefined) {
          trace.notes.push(
            `condition ${String(condition.value)} could not be evaluated; its true branch was checked`,
          );
          chosen = true;
        }
        return this.value(chosen ? whenTrue : whenFalse, path, trace);
      }
      case 'Fn::Equals':
      case 'Fn::And':
      case 'Fn::Or':
      case 'Fn::Not':
      case 'Condition': {
        const value = this.evaluate(
          {
            kind: 'map',
            entries: [{ key: name, keyStart: arg.start, value: arg }],
            start: arg.start,
            end: arg.end,
          },
          trace.notes,
        );
        return value === undefined
          ? this.placeholder(name, `${name} could not be evaluated`, path, trace)
          : value;
      }
      case 'Fn::ImportValue': {
        const exported = plain(arg);
        return this.placeholder(
          `Fn::ImportValue ${scalarString(exported)}`,
          `Fn::ImportValue ${scalarString(exported)} is another stack's output, known only at deploy time`,
          path,
          trace,
        );
      }
      case 'Fn::GetAZs': {
        const region = scalarString(plain(arg)) || this.options.region;
        return ['a', 'b', 'c'].map((zone) => `${region}${zone}`);
      }
      case 'Fn::Base64': {
        const text = scalarString(plain(arg));
        return this.fits((text.length * 4) / 3)
          ? Buffer.from(text).toString('base64')
          : this.tooLarge(path, trace);
      }
      case 'Fn::ToJsonString': {
        const value = plain(arg);
        return this.fits(sizeOf(value, LIMITS.maxResolvedChars))
          ? JSON.stringify(value)
          : this.tooLarge(path, trace);
      }
      case 'Fn::Length': {
        const list = plain(arg);
        return Array.isArray(list)
          ? list.length
          : this.placeholder('Fn::Length', 'Fn::Length needs a list', path, trace);
      }
      default:
        return this.placeholder(name, `${name} is not evaluated before deployment`, path, trace);
    }
  }

  private ref(name: string, path: PolicyPath, trace: Trace): Value {
    const o = this.options;
    if (PSEUDO.has(name)) {
      switch (name) {
        case 'AWS::Region':
          return o.region;
        case 'AWS::AccountId':
          return o.accountId;
        case 'AWS::Partition':
          return o.partition;
        case 'AWS::URLSuffix':
          return o.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
        case 'AWS::StackName':
          return o.stackName ?? 'stack';
        case 'AWS::StackId':
          return `arn:${o.partition}:cloudformation:${o.region}:${o.accountId}:stack/${o.stackName ?? 'stack'}/00000000-0000-0000-0000-000000000000`;
        case 'AWS::NotificationARNs':
          return [];
        default:
          return NO_VALUE;
      }
    }
    const parameter = child(this.parameters, name);
    if (parameter) return this.parameter(name, parameter, path, trace);
    const resource = child(this.resources, name);
    if (isMap(resource)) {
      const type = String(toScalar(child(resource, 'Type')));
      const value = refValue(type, this.physical(name, resource, trace), o);
      if (isPlaceholder(value)) trace.notes.push(assignedNote(`Ref ${name}`, type));
      return (
        value ??
        this.placeholder(
          `Ref ${name}`,
          `Ref ${name} (${type}) returns what its provider sets, known only after deployment`,
          path,
          trace,
        )
      );
    }
    return this.placeholder(
      `Ref ${name}`,
      `Ref ${name} names no parameter or resource`,
      path,
      trace,
    );
  }

  private parameter(name: string, node: TemplateNode, path: PolicyPath, trace: Trace): Value {
    const type = String(toScalar(child(node, 'Type')) ?? 'String');
    const given = this.options.parameters[name];
    const fallback = child(node, 'Default');
    let value: string | undefined = given;
    if (value === undefined && fallback) {
      const plain = isSeq(fallback)
        ? fallback.items.map((i) => scalarString(toScalar(i))).join(',')
        : scalarString(toScalar(fallback));
      value = plain;
    }
    if (value === undefined)
      return this.placeholder(
        `Ref ${name}`,
        `parameter ${name} has no Default and no value in the environment`,
        path,
        trace,
      );
    if (type.startsWith('AWS::SSM::Parameter::Value'))
      return this.placeholder(
        `Ref ${name}`,
        `parameter ${name} is read from SSM Parameter Store at deploy time`,
        path,
        trace,
      );
    return type === 'CommaDelimitedList' || type.startsWith('List<')
      ? value.split(',').map((v) => v.trim())
      : value;
  }

  private getAtt(logicalId: string, attribute: string, path: PolicyPath, trace: Trace): Value {
    const resource = child(this.resources, logicalId);
    if (!isMap(resource))
      return this.placeholder(
        `Fn::GetAtt ${logicalId}.${attribute}`,
        `Fn::GetAtt ${logicalId}.${attribute} names no resource`,
        path,
        trace,
      );
    const type = String(toScalar(child(resource, 'Type')));
    const physical = this.physical(logicalId, resource, trace);
    const value = attributeValue(type, attribute, physical, this.options);
    if (isPlaceholder(value)) trace.notes.push(assignedNote(`${logicalId}.${attribute}`, type));
    return (
      value ??
      this.placeholder(
        `Fn::GetAtt ${logicalId}.${attribute}`,
        `attribute ${attribute} of ${logicalId} (${type}) is known only after deployment`,
        path,
        trace,
      )
    );
  }

  /** The name a resource will get (its name property, or the one AWS would generate) and IAM path. */
  private physical(logicalId: string, resource: MapNode, trace: Trace): PhysicalName {
    const cached = this.names.get(logicalId);
    if (cached !== undefined) return cached;
    const type = String(toScalar(child(resource, 'Type')));
    const property = nameProperty(type);
    const name =
      (property && this.property(logicalId, resource, property, trace)) ??
      generatedName(type, logicalId);
    const path = hasIamPath(type) ? this.property(logicalId, resource, ['Path'], trace) : undefined;
    const variant = variantProperty(type);
    const kind = variant && this.property(logicalId, resource, [variant], trace);
    const physical = { name, ...(path ? { path } : {}), ...(kind ? { variant: kind } : {}) };
    this.names.set(logicalId, physical);
    return physical;
  }

  /** A resource property resolved to a string, when it is set and resolves to one. */
  private property(
    logicalId: string,
    resource: MapNode,
    property: string[],
    trace: Trace,
  ): string | undefined {
    let node: TemplateNode | undefined = child(resource, 'Properties');
    for (const step of property) node = child(node, step);
    if (!node) return undefined;
    if (this.enter(`resource ${logicalId}`, trace.notes))
      return `${PLACEHOLDER_PREFIX}cycle ${logicalId}}}`;
    try {
      const resolved = this.plain(node, trace.notes);
      if (typeof resolved === 'string' || typeof resolved === 'number') return String(resolved);
      // Set but not text (an invalid template): nothing is invented for it.
      trace.notes.push(`${property.join('.')} of ${logicalId} is not a string`);
      return `${PLACEHOLDER_PREFIX}${logicalId}.${property.join('.')}}}`;
    } finally {
      this.visiting.pop();
    }
  }

  private findInMap(args: TemplateNode[], path: PolicyPath, trace: Trace): Value {
    if (args.length < 3)
      return this.placeholder(
        'Fn::FindInMap',
        'Fn::FindInMap needs [map, top-level key, second-level key]',
        path,
        trace,
      );
    const keys = args.slice(0, 3).map((item) => scalarString(this.plain(item, trace.notes)));
    let node: TemplateNode | undefined = this.mappings;
    for (const key of keys) node = child(node, key);
    if (node) return this.value(node, path, trace);
    const fallback = child(args[3], 'DefaultValue');
    if (fallback) return this.value(fallback, path, trace);
    return this.placeholder(
      `Fn::FindInMap ${keys.join('.')}`,
      `Fn::FindInMap ${keys.join(' > ')} is not in Mappings`,
      path,
      trace,
    );
  }

  private sub(arg: TemplateNode, path: PolicyPath, trace: Trace): Value {
    const [textNode, varsNode] = isSeq(arg) ? arg.items : [arg];
    const text = textNode ? this.plain(textNode, trace.notes) : undefined;
    if (typeof text !== 'string')
      return this.placeholder('Fn::Sub', 'Fn::Sub needs a string', path, trace);
    const vars = new Map<string, Value>();
    if (isMap(varsNode))
      for (const e of varsNode.entries) vars.set(e.key, this.plain(e.value, trace.notes));
    let size = 0;
    const built = text.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
      const part = this.subPart(whole, inner, vars, path, trace);
      size += part.length;
      // Past the limit the rest is not built: the placeholder below replaces the whole text.
      return this.fits(size) ? part : '';
    });
    return this.fits(size + text.length) ? built : this.tooLarge(path, trace);
  }

  /** What one `${...}` of Fn::Sub stands for. */
  private subPart(
    whole: string,
    inner: string,
    vars: Map<string, Value>,
    path: PolicyPath,
    trace: Trace,
  ): string {
    if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
    const name = inner.trim();
    let value: Value;
    if (vars.has(name)) value = vars.get(name);
    else if (PSEUDO.has(name) || child(this.parameters, name) || child(this.resources, name))
      value = this.ref(name, path, trace);
    else if (name.includes('.') && child(this.resources, name.split('.')[0]!)) {
      const dot = name.indexOf('.');
      value = this.getAtt(name.slice(0, dot), name.slice(dot + 1), path, trace);
    } else if (name.includes(':'))
      return whole; // an IAM policy variable such as ${aws:username}
    else
      value = this.placeholder(
        `\${${name}}`,
        `\${${name}} in Fn::Sub names no parameter, resource or variable`,
        path,
        trace,
      );
    return value === NO_VALUE ? '' : Array.isArray(value) ? value.join(',') : scalarString(value);
  }
}

/** About how many characters `value` takes as JSON, counted up to `cap` (then it stops). */
function sizeOf(value: unknown, cap: number): number {
  let size = 0;
  const pending: unknown[] = [value];
  while (pending.length && size < cap) {
    const item = pending.pop();
    if (typeof item === 'string') size += item.length + 2;
    else if (Array.isArray(item)) {
      size += item.length + 2;
      for (const inner of item) pending.push(inner);
    } else if (item && typeof item === 'object') {
      for (const [key, inner] of Object.entries(item)) {
        size += key.length + 4;
        pending.push(inner);
      }
    } else size += String(item).length;
  }
  return size;
}

function assignedNote(what: string, type: string): string {
  return `${what} (${type}) holds a part AWS assigns at creation or one the template does not set`;
}

function isScalarValue(value: unknown): boolean {
  return ['string', 'number', 'boolean'].includes(typeof value);
}

function toScalar(node: TemplateNode | undefined): unknown {
  return isScalar(node) ? node.value : undefined;
}

function scalarString(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
