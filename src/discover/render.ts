import nunjucks from 'nunjucks';
import type { Finding } from '../core/findings.js';
import type { Environment } from './environment.js';

/**
 * Names that reach JavaScript internals from a nunjucks expression (the known sandbox escapes go
 * through `constructor`). A repository template using them could run code in a job that holds
 * credentials, so they are refused unless the user trusts the repository's config.
 */
const UNSAFE_IN_TAGS =
  /\b(constructor|__proto__|prototype|process|require|globalThis|global|eval|Function)\b/;
const TAGS = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;

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
  if (!options.trusted) {
    for (const match of text.matchAll(TAGS)) {
      const word = UNSAFE_IN_TAGS.exec(match[0]);
      if (word) {
        const line = text.slice(0, match.index).split('\n').length;
        return fail(
          line,
          1,
          `Template expression uses "${word[1]}", which could run code in this job; it is refused. Set input trust-repo-config: true only if you trust every author of this repository.`,
        );
      }
    }
  }
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
    const hint = e
      ? ''
      : ' No environment was given: set input "environment" (e.g. dev) to supply variables.';
    return fail(
      where ? Number(where[1]) : 1,
      where ? Number(where[2]) : 1,
      `Template rendering failed: ${detail}.${hint}`,
    );
  }
}
