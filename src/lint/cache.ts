import { isRecord } from '../model/values.js';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { CfnLintResult } from './findings.js';

/** Bumped whenever what an entry holds or how its key is made changes. */
export const CACHE_FORMAT = 1;
/** A cache file comes back from a store a pull request may have written: every bound is checked. */
export const MAX_CACHE_BYTES = 64 * 1024 * 1024;
const MAX_ENTRIES = 100_000;
const MAX_RESULTS_PER_ENTRY = 5_000;
const MAX_TEXT = 64 * 1024;
const MAX_PATH_PARTS = 256;

/** Where cached results are kept between runs: a text file in a folder (the edges choose where). */
export interface CacheStore {
  read(): Promise<string | undefined>;
  write(text: string): Promise<void>;
}

/**
 * cfn-lint options that load files of their own (rules, specs, schemas, parameter or deployment
 * files): their contents would change the findings without changing a key, so no cache then.
 */
const LOADS_FILES =
  /(^|[\s"'\0])(-[azos]\b|(--?)?(append[-_]rules|custom[-_]rules|override[-_]spec|registry[-_]schemas|parameter[-_]files|deployment[-_]files)\b)/m;

/** cfn-lint reads a nested stack's local TemplateURL file: the parent's findings depend on it. */
const READS_OTHER_FILES = /AWS::CloudFormation::Stack\b/;

/**
 * cfn-lint's results by content: one entry per checked text, keyed by a hash of that text with
 * everything else that decides the findings (cfn-lint version, options and regions, the trusted
 * configuration). Only entries used by this run are written back, so the cache never grows stale.
 */
export class LintCache {
  private readonly used = new Map<string, CfnLintResult[]>();

  private constructor(
    private readonly known: Map<string, CfnLintResult[]>,
    private readonly version: string,
    /** Entries of the stored text that were dropped as malformed: the caller says so once. */
    readonly dropped: number,
  ) {}

  /** The cache of one cfn-lint version, from a stored text (hostile: malformed parts are dropped). */
  static parse(text: string | undefined, version: string): LintCache {
    const { entries, dropped } = parseCache(text);
    return new LintCache(entries, version, dropped);
  }

  /** Keys for one cfn-lint setup; undefined when options or config load files of their own. */
  scope(args: readonly string[], cwd: string): CacheScope | undefined {
    const config = trustedConfig(cwd);
    if (LOADS_FILES.test(args.join(' ')) || LOADS_FILES.test(config)) return undefined;
    const context = JSON.stringify([CACHE_FORMAT, this.version, args, config]);
    return {
      keyOf: (content, file) => {
        const text =
          typeof content === 'string' ? content : Buffer.from(content).toString('latin1');
        if (READS_OTHER_FILES.test(text)) return undefined;
        return createHash('sha256')
          .update(context)
          .update('\0')
          .update(path.extname(file).toLowerCase())
          .update('\0')
          .update(content)
          .digest('hex');
      },
      get: (key) => {
        const results = this.known.get(key);
        if (results) this.used.set(key, results);
        return results;
      },
      set: (key, results) => {
        const kept = results.map((r) =>
          resultOf(
            typeof r.Message === 'string' ? { ...r, Message: r.Message.slice(0, MAX_TEXT) } : r,
          ),
        );
        if (kept.every((r) => r !== undefined)) this.used.set(key, kept);
      },
    };
  }

  /** Whether the next run would read anything else than this run read. */
  get changed(): boolean {
    return (
      this.used.size !== this.known.size || [...this.used.keys()].some((k) => !this.known.has(k))
    );
  }

  serialize(): string {
    return JSON.stringify({ format: CACHE_FORMAT, entries: Object.fromEntries(this.used) });
  }
}

/** The cache as one cfn-lint setup sees it. */
export interface CacheScope {
  /** The key of a checked text; undefined for a text whose findings depend on other files. */
  keyOf(content: string | Uint8Array, file: string): string | undefined;
  /** Cached results (their Filename is null), keeping the entry for the next run. */
  get(key: string): CfnLintResult[] | undefined;
  set(key: string, results: readonly CfnLintResult[]): void;
}

function trustedConfig(cwd: string): string {
  return ['.cfnlintrc', '.cfnlintrc.yaml', '.cfnlintrc.yml']
    .map((name) => {
      try {
        return `${name}\0${fs.readFileSync(path.join(cwd, name), 'utf8')}`;
      } catch {
        return '';
      }
    })
    .join('\0');
}

function parseCache(text: string | undefined): {
  entries: Map<string, CfnLintResult[]>;
  dropped: number;
} {
  const entries = new Map<string, CfnLintResult[]>();
  if (!text || text.length > MAX_CACHE_BYTES) return { entries, dropped: 0 };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { entries, dropped: 1 };
  }
  if (!isRecord(parsed) || parsed.format !== CACHE_FORMAT || !isRecord(parsed.entries))
    return { entries, dropped: 1 };
  let dropped = 0;
  for (const [key, value] of Object.entries(parsed.entries)) {
    const results = entries.size < MAX_ENTRIES && /^[0-9a-f]{64}$/.test(key) && resultsOf(value);
    if (results) entries.set(key, results);
    else dropped++;
  }
  return { entries, dropped };
}

/** A list of cfn-lint results rebuilt field by field from what was checked; else undefined. */
function resultsOf(value: unknown): CfnLintResult[] | undefined {
  if (!Array.isArray(value) || value.length > MAX_RESULTS_PER_ENTRY) return undefined;
  const results: CfnLintResult[] = [];
  for (const item of value) {
    const result = resultOf(item);
    if (!result) return undefined;
    results.push(result);
  }
  return results;
}

function resultOf(item: unknown): CfnLintResult | undefined {
  if (!isRecord(item) || !text(item.Message) || !text(item.Level)) return undefined;
  if (!['Error', 'Warning', 'Informational'].includes(item.Level)) return undefined;
  const rule = item.Rule === undefined ? {} : item.Rule;
  const location = item.Location === undefined ? {} : item.Location;
  if (!isRecord(rule) || !isRecord(location)) return undefined;
  const ruleFields = ['Id', 'Description', 'ShortDescription', 'Source'] as const;
  if (ruleFields.some((k) => rule[k] !== undefined && !text(rule[k]))) return undefined;
  const start = position(location.Start);
  const end = position(location.End);
  const where = location.Path;
  if (start === null || end === null) return undefined;
  if (
    where !== undefined &&
    where !== null &&
    !(
      Array.isArray(where) &&
      where.length <= MAX_PATH_PARTS &&
      where.every((p) => text(p) || (Number.isSafeInteger(p) && (p as number) >= 0))
    )
  )
    return undefined;
  return {
    Filename: null,
    Level: item.Level,
    Message: item.Message,
    Location: {
      ...(start ? { Start: start } : {}),
      ...(end ? { End: end } : {}),
      ...(Array.isArray(where) ? { Path: [...(where as (string | number)[])] } : {}),
    },
    Rule: Object.fromEntries(
      ruleFields.filter((k) => rule[k] !== undefined).map((k) => [k, rule[k]]),
    ),
  };
}

/** undefined: absent; null: malformed. */
function position(value: unknown): { LineNumber: number; ColumnNumber: number } | undefined | null {
  if (value === undefined) return undefined;
  if (!isRecord(value)) return null;
  const { LineNumber: line, ColumnNumber: column } = value;
  const ok = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
  return ok(line) && ok(column)
    ? { LineNumber: line as number, ColumnNumber: column as number }
    : null;
}

function text(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_TEXT;
}
