import { matchesParts } from '../model/wildcard.js';

/**
 * Nunjucks has no source maps, so findings on a rendering are mapped back to the template line
 * that most likely produced each rendered line: an identical line, or one whose `{{ ... }}` parts
 * can stand for what was substituted.
 */
export interface LineMapping {
  /** Source line (1-based) for a rendered line (1-based). */
  line(renderedLine: number): number;
  /** Whether the rendered line is the source line verbatim (so its columns hold too). */
  verbatim(renderedLine: number): boolean;
}

/**
 * How far from the last match to look, and how many characters of rendered lines a whole mapping
 * may compare (each comparison costs about the rendered line's length).
 */
const MAX_DISTANCE = 5_000;
const MAX_WORK = 100_000_000;

/** `text` without the spans from `open` to `close` (an unclosed span runs to the end). */
function splitSpans(text: string, open: string, close: string): string[] {
  const parts: string[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf(open, from);
    if (start < 0) break;
    parts.push(text.slice(from, start));
    const end = text.indexOf(close, start + open.length);
    from = end < 0 ? text.length : end + close.length;
  }
  parts.push(text.slice(from));
  return parts;
}

/** A line that is only a `{% tag %}` or a `{# comment #}` produces no output line of its own. */
function isTagOnly(line: string): boolean {
  const t = line.trim();
  return (
    t.length >= 4 &&
    ((t.startsWith('{%') && t.endsWith('%}')) || (t.startsWith('{#') && t.endsWith('#}')))
  );
}

function matcher(line: string): ((rendered: string) => boolean) | undefined {
  if (isTagOnly(line)) return undefined;
  const text = splitSpans(line, '{#', '#}').join('').trimEnd();
  if (!text.includes('{{')) return (rendered) => rendered === text;
  // Each `{{ ... }}` can stand for anything; matched part by part, never as a regular expression.
  const parts = splitSpans(text, '{{', '}}');
  return (rendered) => matchesParts(parts, rendered);
}

export function mapRenderedLines(source: string, rendered: string): LineMapping {
  const sourceLines = source.split('\n');
  const matchers = sourceLines.map(matcher);
  const map: number[] = [0];
  const exact: boolean[] = [false];
  let cursor = -1;
  let budget = MAX_WORK;
  for (const line of rendered.split('\n').map((l) => l.trimEnd())) {
    const cost = 2 * (line.length + 1);
    // Walk outward from the last match, ahead before back: loops repeat their body, so the
    // producing line may also lie behind.
    let best = -1;
    // Past the budget, a line keeps the last match's source line: coarse, but bounded.
    for (let d = 0; d <= MAX_DISTANCE && best < 0 && budget > 0; d++, budget -= cost) {
      const ahead = cursor + d + 1;
      const back = cursor - d;
      if (ahead < matchers.length && matchers[ahead]?.(line)) best = ahead;
      else if (back >= 0 && matchers[back]?.(line)) best = back;
      if (back < 0 && ahead >= matchers.length) break;
    }
    if (best >= 0) cursor = best;
    map.push(Math.max(cursor, 0) + 1);
    exact.push(best >= 0 && sourceLines[best]!.trimEnd() === line);
  }
  return {
    line: (n) => map[n] ?? map[map.length - 1] ?? 1,
    verbatim: (n) => exact[n] ?? false,
  };
}
