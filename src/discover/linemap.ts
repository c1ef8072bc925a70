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

const TAG_ONLY = /^\s*(\{%[\s\S]*%\}|\{#[\s\S]*#\})\s*$/;
const EXPRESSION = /\{\{[\s\S]*?\}\}/g;
/** How far from the last match to look; bounds the work on large renderings. */
const MAX_DISTANCE = 5_000;

function matcher(line: string): ((rendered: string) => boolean) | undefined {
  if (TAG_ONLY.test(line)) return undefined; // produces no output line of its own
  const text = line.replace(/\{#[\s\S]*?#\}/g, '').trimEnd();
  if (!text.includes('{{')) return (rendered) => rendered.trimEnd() === text;
  const pattern = text
    .split(EXPRESSION)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*?');
  const regex = new RegExp(`^${pattern}$`);
  return (rendered) => regex.test(rendered.trimEnd());
}

export function mapRenderedLines(source: string, rendered: string): LineMapping {
  const sourceLines = source.split('\n');
  const matchers = sourceLines.map(matcher);
  const map: number[] = [0];
  const exact: boolean[] = [false];
  let cursor = -1;
  for (const line of rendered.split('\n')) {
    // Walk outward from the last match, ahead before back: loops repeat their body, so the
    // producing line may also lie behind.
    let best = -1;
    for (let d = 0; d <= MAX_DISTANCE && best < 0; d++) {
      const ahead = cursor + d + 1;
      const back = cursor - d;
      if (ahead < matchers.length && matchers[ahead]?.(line)) best = ahead;
      else if (back >= 0 && matchers[back]?.(line)) best = back;
      if (back < 0 && ahead >= matchers.length) break;
    }
    if (best >= 0) cursor = best;
    map.push(Math.max(cursor, 0) + 1);
    exact.push(best >= 0 && sourceLines[best]!.trimEnd() === line.trimEnd());
  }
  return {
    line: (n) => map[n] ?? map[map.length - 1] ?? 1,
    verbatim: (n) => exact[n] ?? false,
  };
}
