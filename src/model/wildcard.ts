/**
 * Wildcard matching without building a regular expression from input: the pattern is literal
 * parts joined by "anything" gaps, and each part is found leftmost after the one before (which is
 * what a match needs), so no input can make it backtrack exponentially.
 */

/** Does `part` (where `one`, if given, stands for any single character) occur in `text` at `at`? */
function occursAt(part: string, text: string, at: number, one: string | undefined): boolean {
  if (one === undefined) return text.startsWith(part, at);
  for (let i = 0; i < part.length; i++) {
    if (part[i] !== one && part[i] !== text[at + i]) return false;
  }
  return true;
}

/** Whether `text` is `parts[0]`, then anything, then `parts[1]`, ... then `parts[last]`. */
export function matchesParts(parts: readonly string[], text: string, one?: string): boolean {
  const first = parts[0] ?? '';
  if (parts.length <= 1) return first.length === text.length && occursAt(first, text, 0, one);
  const last = parts[parts.length - 1]!;
  const end = text.length - last.length;
  if (first.length > end || !occursAt(first, text, 0, one) || !occursAt(last, text, end, one))
    return false;
  let position = first.length;
  for (const part of parts.slice(1, -1)) {
    let at = one === undefined ? text.indexOf(part, position) : position;
    if (one !== undefined) while (at + part.length <= end && !occursAt(part, text, at, one)) at++;
    if (at < 0 || at + part.length > end) return false;
    position = at + part.length;
  }
  return true;
}

/** IAM's wildcards: `*` any run of characters, `?` any one character, case-insensitive. */
export function matchesWildcard(pattern: string, text: string): boolean {
  return matchesParts(pattern.toLowerCase().split('*'), text.toLowerCase(), '?');
}
