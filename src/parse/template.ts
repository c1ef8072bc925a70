import {
  Alias,
  LineCounter,
  parseDocument,
  isAlias,
  isMap as isYamlMap,
  isPair,
  isScalar as isYamlScalar,
  isSeq as isYamlSeq,
  type Document,
  type Node as YamlNode,
  type Tags,
} from 'yaml';
import { parse as parseJson, type ParseError, type ParseErrorCode } from 'jsonc-parser';
import type { Finding } from '../model/findings.js';
import { findingOf } from '../model/rules.js';
import { TEMPLATE_RULES } from '../model/template-rules.js';
import { shorten, wideEncoding } from '../model/text.js';
import {
  LIMITS,
  type MapEntry,
  type ParsedTemplate,
  type Position,
  type TemplateNode,
} from '../model/template.js';
import { lineWhereTooDeep } from './limits.js';

export type { ParsedTemplate };

/** A parsed template may still carry warnings (unknown tags, kept as opaque values). */
export type ParseResult =
  { ok: true; template: ParsedTemplate; warnings: Finding[] } | { ok: false; finding: Finding };

/** Short-form tags and the long-form key each stands for. */
const SHORT_FORMS: Record<string, string> = {
  Ref: 'Ref',
  Condition: 'Condition',
  ...Object.fromEntries(
    [
      'And',
      'Base64',
      'Cidr',
      'Equals',
      'FindInMap',
      'ForEach',
      'GetAZs',
      'GetAtt',
      'If',
      'ImportValue',
      'Join',
      'Length',
      'Not',
      'Or',
      'Select',
      'Split',
      'Sub',
      'ToJsonString',
      'Transform',
    ].map((name) => [name, `Fn::${name}`]),
  ),
};

/** Every short form accepted on a scalar, a list or a map; the node keeps its tag for the walk. */
const CFN_TAGS: Tags = Object.keys(SHORT_FORMS).flatMap((name) => [
  { tag: `!${name}`, resolve: (value: string) => value },
  { tag: `!${name}`, collection: 'seq' as const, resolve: (value: unknown) => value },
  { tag: `!${name}`, collection: 'map' as const, resolve: (value: unknown) => value },
]) as Tags;

function parserFinding(
  file: string,
  line: number,
  column: number,
  ruleId: string,
  message: string,
): Finding {
  return { source: 'parser', ruleId, severity: 'error', file, line, column, message };
}

/**
 * Parse YAML or JSON template text into the positioned model. Never throws: anything wrong with
 * the text comes back as one finding that names the line.
 */
export function parseTemplate(input: string | Uint8Array, file: string): ParseResult {
  const fail = (line: number, column: number, ruleId: string, message: string): ParseResult => ({
    ok: false,
    finding: parserFinding(file, line, column, ruleId, message),
  });

  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (size > LIMITS.maxBytes) {
    return fail(
      1,
      1,
      TEMPLATE_RULES.tooLarge.id,
      `File is ${size} bytes; templates larger than ${LIMITS.maxBytes} bytes (1 MiB) are not accepted by CloudFormation and are not parsed.`,
    );
  }
  const encoding = typeof input === 'string' ? undefined : wideEncoding(input);
  if (encoding)
    return fail(
      1,
      1,
      TEMPLATE_RULES.notText.id,
      `File is ${encoding} text (by its byte order mark); CloudFormation and cfn-lint read UTF-8 only. Save it as UTF-8.`,
    );
  let text = typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input);
  const invalid = text.indexOf('\uFFFD');
  if (typeof input !== 'string' && invalid >= 0) {
    const line = text.slice(0, invalid).split('\n').length;
    return fail(
      line,
      1,
      TEMPLATE_RULES.notText.id,
      'File is not UTF-8 text (binary content?); a template must be YAML or JSON text.',
    );
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    const line = text.slice(0, nul).split('\n').length;
    return fail(
      line,
      1,
      TEMPLATE_RULES.notText.id,
      'File contains NUL bytes (binary content?); a template must be YAML or JSON text.',
    );
  }
  if (text.trim() === '')
    return fail(
      1,
      1,
      TEMPLATE_RULES.empty.id,
      'File is empty; a template needs at least a Resources section.',
    );

  const deepLine = lineWhereTooDeep(text, LIMITS.maxDepth);
  if (deepLine) {
    return fail(
      deepLine,
      1,
      TEMPLATE_RULES.tooDeep.id,
      `Nesting deeper than ${LIMITS.maxDepth} levels; a template this deep is not accepted.`,
    );
  }

  const format = /^\s*[{[]/.test(text) ? 'json' : 'yaml';
  if (format === 'json') {
    // YAML would accept trailing commas and comments; CloudFormation's JSON does not.
    const jsonError = strictJsonError(text);
    if (jsonError)
      return fail(
        jsonError.line,
        jsonError.column,
        TEMPLATE_RULES.syntax.id,
        `JSON syntax error: ${jsonError.message}.`,
      );
  }
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, {
      customTags: CFN_TAGS,
      lineCounter,
      uniqueKeys: true,
      prettyErrors: false,
      strict: true,
      version: '1.2',
    }) as Document.Parsed;
  } catch (error) {
    return fail(
      1,
      1,
      TEMPLATE_RULES.syntax.id,
      `Could not parse the file: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const pos = (offset: number | undefined): Position => {
    const p = lineCounter.linePos(offset ?? 0);
    return { line: p.line, column: p.col };
  };

  const problem = doc.errors[0];
  if (problem) {
    const p = pos(problem.pos[0]);
    const detail = problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    const message =
      problem.code === 'DUPLICATE_KEY'
        ? 'Duplicate key: each key may appear once in a mapping.'
        : `${format === 'json' ? 'JSON' : 'YAML'} syntax error: ${detail}.`;
    return fail(
      p.line,
      p.column,
      problem.code === 'DUPLICATE_KEY' ? TEMPLATE_RULES.duplicateKey.id : TEMPLATE_RULES.syntax.id,
      message,
    );
  }

  let built: TemplateNode;
  const walker = new Walker(doc, pos);
  try {
    built = walker.walk(doc.contents as YamlNode | null, 0);
  } catch (error) {
    if (error instanceof LimitError)
      return fail(
        error.position.line,
        error.position.column,
        TEMPLATE_RULES.tooDeep.id,
        error.message,
      );
    throw error;
  }
  if (built.kind !== 'map') {
    return fail(
      built.start.line,
      built.start.column,
      TEMPLATE_RULES.notATemplate.id,
      'Not a CloudFormation template: the top level must be a mapping with a Resources section.',
    );
  }
  const keys = new Set(built.entries.map((e) => e.key));
  if (!keys.has('Resources') && !keys.has('AWSTemplateFormatVersion')) {
    return fail(
      1,
      1,
      TEMPLATE_RULES.notATemplate.id,
      'Not a CloudFormation template: there is no Resources section (nor AWSTemplateFormatVersion).',
    );
  }
  const resources = built.entries.find((e) => e.key === 'Resources');
  if (resources?.value.kind === 'map' && resources.value.entries.length > LIMITS.maxResources) {
    return fail(
      resources.keyStart.line,
      resources.keyStart.column,
      TEMPLATE_RULES.tooManyResources.id,
      `The template declares ${resources.value.entries.length} resources; CloudFormation accepts at most ${LIMITS.maxResources} in one template. Split it into nested stacks. cfn-lint was not run on it.`,
    );
  }
  const warnings = [...walker.unknownTags].map(([tag, at]) =>
    findingOf(TEMPLATE_RULES.unknownTag, {
      file,
      line: at.line,
      column: at.column,
      message: `Unknown tag ${shorten(tag, 100)}: kept as the intrinsic Fn::${shorten(tag.slice(1), 100)}, as cfn-lint reads it; CloudFormation itself knows only !Ref, !Sub, !GetAtt, !If and the other Fn:: short forms, so a tool must replace it before deployment.`,
    }),
  );
  return { ok: true, template: { file, text, format, root: built }, warnings };
}

/**
 * JSON.parse decides (YAML would accept trailing commas, comments and single quotes; CloudFormation
 * does not); jsonc-parser, told to allow neither, says where, since V8's messages often do not.
 */
function strictJsonError(
  text: string,
): { line: number; column: number; message: string } | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch {
    const errors: ParseError[] = [];
    parseJson(text, errors, { disallowComments: true, allowTrailingComma: false });
    const first = errors[0];
    const offset = first?.offset ?? 0;
    const before = text.slice(0, offset);
    const lineStart = before.lastIndexOf('\n');
    return {
      line: before.split('\n').length,
      column: offset - lineStart,
      message: first ? JSON_ERRORS[first.error] : 'not valid JSON',
    };
  }
}

/** jsonc-parser's error codes in words (its own printParseErrorCode gives only the code's name). */
const JSON_ERRORS: Record<ParseErrorCode, string> = {
  1: 'invalid character (strings need double quotes)',
  2: 'invalid number',
  3: 'property name expected (in double quotes)',
  4: 'value expected',
  5: 'colon expected',
  6: 'comma expected',
  7: 'closing brace expected',
  8: 'closing bracket expected',
  9: 'end of file expected',
  10: 'comments are not allowed in JSON',
  11: 'unexpected end of a comment',
  12: 'unexpected end of a string',
  13: 'unexpected end of a number',
  14: 'invalid unicode escape',
  15: 'invalid escape character',
  16: 'invalid character in a string',
};

class LimitError extends Error {
  constructor(
    message: string,
    readonly position: Position,
  ) {
    super(message);
  }
}

/** Builds our nodes from the YAML AST, expanding aliases under the node and alias limits. */
class Walker {
  private nodes = 0;
  private aliases = 0;
  /** Every tag that is no CloudFormation short form, with where it first appears. */
  readonly unknownTags = new Map<string, Position>();

  constructor(
    private readonly doc: Document.Parsed,
    private readonly pos: (offset: number | undefined) => Position,
  ) {}

  walk(node: YamlNode | null | undefined, depth: number): TemplateNode {
    const start = this.pos(node?.range?.[0]);
    if (++this.nodes > LIMITS.maxNodes) {
      throw new LimitError(
        `More than ${LIMITS.maxNodes} values (after expanding aliases); the file is refused as too large.`,
        start,
      );
    }
    if (depth > LIMITS.maxDepth) {
      throw new LimitError(
        `Nesting deeper than ${LIMITS.maxDepth} levels (after expanding aliases).`,
        start,
      );
    }
    if (node == null) return { kind: 'scalar', value: null, start, end: start };
    if (isAlias(node)) {
      if (++this.aliases > LIMITS.maxAliases) {
        throw new LimitError(
          `More than ${LIMITS.maxAliases} YAML aliases; the file is refused (alias bomb?).`,
          start,
        );
      }
      const target = (node as Alias).resolve(this.doc);
      if (!target) throw new LimitError(`Unknown YAML alias *${(node as Alias).source}.`, start);
      return this.walk(target, depth + 1);
    }
    const end = this.pos(node.range?.[1]);
    let built: TemplateNode;
    if (isYamlMap(node)) {
      const entries: MapEntry[] = [];
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as YamlNode | null;
        const key = isYamlScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        entries.push({
          key,
          keyStart: this.pos(keyNode?.range?.[0]),
          value: this.walk(pair.value as YamlNode | null, depth + 1),
        });
      }
      built = { kind: 'map', entries, start, end };
    } else if (isYamlSeq(node)) {
      built = {
        kind: 'seq',
        items: node.items.map((item) => this.walk(item as YamlNode, depth + 1)),
        start,
        end,
      };
    } else if (isYamlScalar(node)) {
      const v = node.value;
      const value =
        v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
          ? v
          : String(v);
      built = { kind: 'scalar', value, start, end };
    } else {
      built = { kind: 'scalar', value: null, start, end };
    }
    return this.longForm(node.tag, built);
  }

  /** `!GetAtt A.B` becomes `{Fn::GetAtt: [A, B]}` and every other short form `{Fn::X: value}`. */
  private longForm(tag: string | undefined, value: TemplateNode): TemplateNode {
    if (!tag?.startsWith('!')) return value;
    // An unknown tag (`!Rain::Embed`, `!ValueOf`) becomes an opaque `Fn::` value, as in cfn-lint.
    const name = SHORT_FORMS[tag.slice(1)] ?? `Fn::${tag.slice(1)}`;
    if (!SHORT_FORMS[tag.slice(1)] && !this.unknownTags.has(tag))
      this.unknownTags.set(tag, value.start);
    let inner = value;
    if (name === 'Fn::GetAtt' && value.kind === 'scalar' && typeof value.value === 'string') {
      const dot = value.value.indexOf('.');
      const parts =
        dot > 0 ? [value.value.slice(0, dot), value.value.slice(dot + 1)] : [value.value];
      inner = {
        kind: 'seq',
        items: parts.map((p) => ({ ...value, value: p })),
        start: value.start,
        end: value.end,
      };
    }
    return {
      kind: 'map',
      entries: [{ key: name, keyStart: value.start, value: inner }],
      start: value.start,
      end: value.end,
    };
  }
}
