/**
 * Escaping for text that came from a template, a tool or AWS before it goes into GitHub markdown
 * (PR comments, the job summary). GitHub renders raw HTML, formats markdown punctuation, pings
 * `@user` / `@org/team` mentions and links `#123` to issues; none of that may be triggered by text
 * a pull request author controls.
 */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  // A pipe splits a table cell; GFM splits cells before it decodes entities, so this is safe.
  '|': '&#124;',
  // Backticks would open a code span that swallows the rest of the line.
  '`': '&#96;',
};

/** A zero-width space: invisible, but GitHub no longer sees a mention or an issue reference. */
const ZERO_WIDTH_SPACE = '\u200b';

/**
 * One line of plain text made inert for markdown and HTML: entities for HTML and table syntax,
 * backslashes for markdown punctuation, mentions and issue references broken, newlines flattened.
 */
export function escapeMarkdown(text: string): string {
  return (
    text
      .replace(/\s+/g, ' ')
      .trim()
      // before the entities below, whose own `#` must stay intact
      .replace(/([@#])(?=[\w-])/g, `$1${ZERO_WIDTH_SPACE}`)
      .replace(/[&<>"|`]/g, (c) => ENTITIES[c]!)
      // emphasis, strikethrough and link syntax
      .replace(/[\\*_[\]~]/g, (c) => `\\${c}`)
  );
}

/** Inline code for untrusted text: a `<code>` element whose content is escaped like any other text. */
export function codeSpan(text: string): string {
  return `<code>${escapeMarkdown(text)}</code>`;
}

/** Identifiers longer than this may break inside, so a table's other columns stay in view. */
const MAX_UNBROKEN = 24;

/**
 * Inline code for a logical id or type that may wrap: `<wbr>` where a word starts (CamelCase, after
 * `:`, `-`, `/`, `.`, `_`), and at least every MAX_UNBROKEN characters.
 */
export function wrappingCodeSpan(text: string): string {
  if (text.length <= MAX_UNBROKEN) return codeSpan(text);
  const pieces: string[] = [];
  let piece = '';
  for (const [i, c] of [...text].entries()) {
    const previous = text[i - 1] ?? '';
    const wordStart = (/[A-Z]/.test(c) && /[a-z0-9]/.test(previous)) || /[:\-/._]/.test(previous);
    if (piece && (wordStart || piece.length >= MAX_UNBROKEN)) {
      pieces.push(piece);
      piece = '';
    }
    piece += c;
  }
  pieces.push(piece);
  return `<code>${pieces.map(escapeMarkdown).join('<wbr>')}</code>`;
}

/** Only http(s) links, percent-encoded so `)`, `<` or spaces cannot end the link early. */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
    return parsed.href.replace(
      /[()<>"'\s|`]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
  } catch {
    return undefined;
  }
}

/** A markdown link around already-escaped label text; just the label when the URL is not safe. */
export function link(label: string, url: string | undefined): string {
  const href = safeUrl(url);
  return href ? `[${label}](${href})` : label;
}
