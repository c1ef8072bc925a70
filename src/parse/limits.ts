/**
 * A cheap scan for nesting that would be too deep for the YAML parser to handle safely: flow
 * brackets outside quotes and comments, and block indentation levels. Returns the 1-based line
 * where the limit is crossed, or 0.
 */
export function lineWhereTooDeep(text: string, maxDepth: number): number {
  let flow = 0;
  let line = 1;
  let quote: string | null = null;
  let comment = false;
  let lineStart = true;
  let indent = 0;
  let dashes = 0;
  const indents: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\n') {
      line++;
      comment = false;
      lineStart = true;
      indent = 0;
      dashes = 0;
      continue;
    }
    if (lineStart) {
      if (ch === ' ' || ch === '-') {
        indent++;
        if (ch === '-') dashes++; // `- - - x` nests a list per dash on one line
        continue;
      }
      lineStart = false;
      if (ch !== '#' && flow === 0 && quote === null) {
        while (indents.length && indents[indents.length - 1]! >= indent) indents.pop();
        indents.push(indent);
        if (indents.length + dashes > maxDepth) return line;
      }
    }
    if (comment) continue;
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#' && (i === 0 || /\s/.test(text[i - 1]!))) comment = true;
    else if (ch === '[' || ch === '{') {
      if (++flow > maxDepth) return line;
    } else if (ch === ']' || ch === '}') flow = Math.max(0, flow - 1);
  }
  return 0;
}
