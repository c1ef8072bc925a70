import nunjucks from 'nunjucks';
import type { Finding } from '../core/findings.js';
import type { Environment } from './environment.js';

/**
 * Known nunjucks sandbox escapes reach JavaScript through these properties (`range.constructor`
 * is Function). Every `a.b` and `a[b]` in a template goes through the runtime's memberLookup, so
 * the check sits there, after any string building, and not on the template text. A repository
 * template using them could run code in a job that holds credentials: refused unless the user
 * trusts the repository's config.
 */
const UNSAFE_MEMBERS = new Set([
  'constructor',
  '__proto__',
  'prototype',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);
let guarded = true;
/** The member the guard refused last, to find its line: nunjucks often reports none. */
let refused: string | undefined;
// The runtime's typings omit memberLookup; the compiled templates call it by this name.
const runtime = nunjucks.runtime as unknown as {
  memberLookup: (obj: unknown, val: unknown) => unknown;
};
const memberLookup = runtime.memberLookup;
runtime.memberLookup = (obj: unknown, val: unknown) => {
  if (guarded && UNSAFE_MEMBERS.has(String(val))) {
    refused = String(val);
    throw new Error(
      `"${String(val)}" reaches JavaScript internals and could run code in this job, so it is refused. Set input trust-repo-config: true only if you trust every author of this repository`,
    );
  }
  return memberLookup(obj, val);
};

export interface RenderOptions {
  workspace: string;
  environment?: Environment;
  trusted: boolean;
}

export type RenderResult = { ok: true; text: string } | { ok: false; finding: Finding };

/** Render a Jinja-style template with the environment's variables; failures name the line. */
export function renderTemplate(text: string, file: string, options: RenderOptions): RenderResult {
  const fail = (line: number, column: number, message: string): RenderResult => ({
    ok: false,
    finding: {
      source: 'discovery',
      ruleId: 'R1001',
      severity: 'error',
      file,
      line,
      column,
      message,
    },
  });
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader(options.workspace, { noCache: true }),
    {
      // Jinja's defaults (as Sceptre uses them): whitespace is controlled in the template with `{%-`.
      autoescape: false,
      throwOnUndefined: true,
    },
  );
  const e = options.environment;
  const context = {
    ...e?.variables,
    variables: e?.variables ?? {},
    environment: e?.name ?? '',
    parameters: e?.parameters ?? {},
  };
  guarded = !options.trusted;
  refused = undefined;
  try {
    return { ok: true, text: env.renderString(text, context) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const where = /\[Line (\d+), Column (\d+)\]/.exec(message);
    const detail = message
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('(') && !/^Template render error/.test(l))
      .join(' ')
      .replace(/^Error: /, '');
    const hint =
      e || refused
        ? ''
        : ' No environment was given: set input "environment" (e.g. dev) to supply variables.';
    const line = (refused && lineOfTag(text, refused)) || (where ? Number(where[1]) : 1);
    return fail(
      line,
      where && !refused ? Number(where[2]) : 1,
      `Template rendering failed: ${detail}.${hint}`,
    );
  } finally {
    guarded = true;
  }
}

/** The line of the first tag naming the member, or of the first tag that builds a name in `[...]`. */
function lineOfTag(text: string, member: string): number | undefined {
  const tags = [...text.matchAll(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g)];
  const tag = tags.find((t) => t[0].includes(member)) ?? tags.find((t) => t[0].includes('['));
  return tag ? text.slice(0, tag.index).split('\n').length : undefined;
}
