import fs from 'node:fs/promises';
import type { Finding } from '../core/findings.js';
import { LIMITS } from '../parse/limits.js';
import type { Environment } from './environment.js';
import type { TemplateSource } from './find.js';
import { mapRenderedLines, type LineMapping } from './linemap.js';
import { renderTemplate } from './render.js';

export type LoadedTemplate =
  | { source: TemplateSource; ok: true; content: string | Uint8Array; lines?: LineMapping }
  | { source: TemplateSource; ok: false; finding: Finding };

/** Read a template (rendering Jinja-style ones) under the size limit; problems become findings. */
export async function loadTemplate(
  source: TemplateSource,
  options: { workspace: string; environment?: Environment; trusted: boolean },
): Promise<LoadedTemplate> {
  const fail = (message: string, ruleId = 'P1001'): LoadedTemplate => ({
    source,
    ok: false,
    finding: {
      source: 'parser',
      ruleId,
      severity: 'error',
      file: source.file,
      line: 1,
      column: 1,
      message,
    },
  });
  let bytes: Buffer;
  try {
    const stat = await fs.stat(source.absolutePath);
    if (stat.size > LIMITS.maxBytes) {
      return fail(
        `File is ${stat.size} bytes; templates larger than ${LIMITS.maxBytes} bytes (1 MiB) are not accepted by CloudFormation and are not parsed.`,
      );
    }
    bytes = await fs.readFile(source.absolutePath);
  } catch (error) {
    return fail(
      `Could not read the file: ${error instanceof Error ? error.message : String(error)}`,
      'P1007',
    );
  }
  if (source.origin !== 'nunjucks') return { source, ok: true, content: bytes };
  const text = bytes.toString('utf8');
  const rendered = renderTemplate(text, source.file, { ...options });
  if (!rendered.ok) return { source, ok: false, finding: rendered.finding };
  return { source, ok: true, content: rendered.text, lines: mapRenderedLines(text, rendered.text) };
}
