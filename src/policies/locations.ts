import type { Position } from '../model/template.js';
import { pathKey, type PolicyPath, type ResolvedDocument } from './resolve.js';

/** A policy as the JSON text sent to Access Analyzer, with the character range of every part. */
export interface SerializedPolicy {
  text: string;
  ranges: { path: PolicyPath; atKey: boolean; start: number; end: number }[];
}

/** `JSON.stringify(value, null, 2)`, recording where each key and value lands in the text. */
export function serializePolicy(value: unknown): SerializedPolicy {
  const ranges: SerializedPolicy['ranges'] = [];
  let text = '';
  const write = (v: unknown, path: PolicyPath, indent: string) => {
    const start = text.length;
    if (Array.isArray(v)) {
      if (v.length === 0) text += '[]';
      else {
        text += '[';
        v.forEach((item, i) => {
          text += `${i ? ',' : ''}\n${indent}  `;
          write(item, [...path, i], `${indent}  `);
        });
        text += `\n${indent}]`;
      }
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v).filter(([, item]) => item !== undefined);
      if (entries.length === 0) text += '{}';
      else {
        text += '{';
        entries.forEach(([key, item], i) => {
          text += `${i ? ',' : ''}\n${indent}  `;
          const keyStart = text.length;
          text += JSON.stringify(key);
          ranges.push({ path: [...path, key], atKey: true, start: keyStart, end: text.length });
          text += ': ';
          write(item, [...path, key], `${indent}  `);
        });
        text += `\n${indent}}`;
      }
    } else {
      text += JSON.stringify(v) ?? 'null';
    }
    ranges.push({ path, atKey: false, start, end: text.length });
  };
  write(value, [], '');
  return { text, ranges };
}

/** Access Analyzer's location of a finding inside the document it was sent. */
export interface AnalyzerLocation {
  path?: ({ index?: number; key?: string; value?: string; substring?: unknown } | undefined)[];
  span?: { start?: { offset?: number } };
}

/**
 * The template position of a finding: by the span's offset in the text we sent (the innermost
 * part that contains it), else by its path, else the start of the policy.
 */
export function templatePosition(
  location: AnalyzerLocation | undefined,
  serialized: SerializedPolicy,
  resolved: ResolvedDocument,
): { position: Position; path: PolicyPath } {
  let path: PolicyPath = [];
  let atKey = false;
  const offset = location?.span?.start?.offset;
  if (typeof offset === 'number') {
    let best: SerializedPolicy['ranges'][number] | undefined;
    for (const range of serialized.ranges) {
      if (
        offset >= range.start &&
        offset < range.end &&
        (!best || range.end - range.start < best.end - best.start)
      )
        best = range;
    }
    if (best) {
      path = best.path;
      atKey = best.atKey;
    }
  } else if (location?.path) {
    const steps: (string | number)[] = [];
    for (const element of location.path) {
      if (element?.index !== undefined) steps.push(element.index);
      else if (element?.key !== undefined) {
        steps.push(element.key);
        atKey = true;
        break;
      } else if (element?.value !== undefined) steps.push(element.value);
      else break;
    }
    path = steps;
  }
  return { position: positionOf(resolved, path, atKey), path };
}

/** Where a path of the resolved document was written in the template (its nearest known parent). */
export function positionOf(resolved: ResolvedDocument, path: PolicyPath, atKey = false): Position {
  if (atKey) {
    const key = resolved.keyPositions.get(pathKey(path));
    if (key) return key;
  }
  for (let length = path.length; length >= 0; length--) {
    const found = resolved.positions.get(pathKey(path.slice(0, length)));
    if (found) return found;
  }
  return { line: 0, column: 0 };
}

/** Whether a path lies inside a value we could not resolve. */
export function inPlaceholder(resolved: ResolvedDocument, path: PolicyPath): boolean {
  for (let length = path.length; length >= 0; length--) {
    if (resolved.placeholders.has(pathKey(path.slice(0, length)))) return true;
  }
  return false;
}
