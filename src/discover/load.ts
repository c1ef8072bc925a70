import fs from 'node:fs/promises';
import type { Finding } from '../model/findings.js';
import { findingOf, type RuleDefinition } from '../model/rules.js';
import { TEMPLATE_RULES } from '../model/template-rules.js';
import { DISCOVERY_RULES } from './rules.js';
import { LIMITS } from '../model/template.js';
import type { Environment } from './environment.js';
import type { TemplateSource } from './find.js';
import { mapRenderedLines, type LineMapping } from './linemap.js';
import type { Renderer } from './render.js';

export type LoadedTemplate =
  | { source: TemplateSource; ok: true; content: string | Uint8Array; lines?: LineMapping }
  | { source: TemplateSource; ok: false; finding: Finding };

export interface LoadOptions {
  workspace: string;
  environment?: Environment;
  trusted: boolean;
  renderer: Renderer;
  /** Why Jinja-style templates may not be rendered in this job at all (see renderingRefusal). */
  renderingRefused?: string;
}

/** Read a template (rendering Jinja-style ones) under the size limit; problems become findings. */
export async function loadTemplate(
  source: TemplateSource,
  options: LoadOptions,
): Promise<LoadedTemplate> {
  const fail = (
    message: string,
    rule: RuleDefinition = TEMPLATE_RULES.tooLarge,
  ): LoadedTemplate => ({
    source,
    ok: false,
    finding: findingOf(rule, { file: source.file, line: 1, column: 1, message }),
  });
  if (source.refused) return fail(source.refused, TEMPLATE_RULES.unreadable);
  if (source.origin === 'nunjucks' && options.renderingRefused)
    return fail(options.renderingRefused, DISCOVERY_RULES.renderingRefused);
  let bytes: Buffer;
  try {
    const stat = await fs.stat(source.absolutePath);
    if (!stat.isFile())
      return fail('Not a regular file (a pipe or a device?); not read.', TEMPLATE_RULES.unreadable);
    if (stat.size > LIMITS.maxBytes) {
      return fail(
        `File is ${stat.size} bytes; templates larger than ${LIMITS.maxBytes} bytes (1 MiB) are not accepted by CloudFormation and are not parsed.`,
      );
    }
    bytes = await fs.readFile(source.absolutePath);
  } catch (error) {
    return fail(
      `Could not read the file: ${error instanceof Error ? error.message : String(error)}`,
      TEMPLATE_RULES.unreadable,
    );
  }
  if (source.origin !== 'nunjucks') return { source, ok: true, content: bytes };
  const text = bytes.toString('utf8');
  const rendered = await options.renderer.render({
    text,
    file: source.file,
    trusted: options.trusted,
    ...(options.environment ? { environment: options.environment } : {}),
  });
  if (!rendered.ok) return { source, ok: false, finding: rendered.finding };
  return { source, ok: true, content: rendered.text, lines: mapRenderedLines(text, rendered.text) };
}

/** Events that run a pull request's files with the base repository's secrets. */
const PR_CODE_WITH_SECRETS = new Set(['pull_request_target', 'workflow_run']);

/**
 * The renderer is isolated from the job's files and variables, but on Node before 25 not from the
 * network (instance metadata, internal services). Where that matters, untrusted templates are
 * not rendered at all: the reason, for a finding on each of them.
 */
export function renderingRefusal(context: {
  eventName: string;
  trusted: boolean;
  holdsCredentials: boolean;
  networkIsolated: boolean;
}): string | undefined {
  if (context.trusted || context.networkIsolated || !context.holdsCredentials) return undefined;
  if (!PR_CODE_WITH_SECRETS.has(context.eventName)) return undefined;
  return `Not rendered: on ${context.eventName} events this job holds credentials while it reads the pull request's files, and the renderer's process cannot be denied the network on Node ${process.versions.node} (Node 25 can). Render Jinja-style templates in a job without credentials (a pull_request job), or set input trust-repo-config: true if you trust every author of the pull request.`;
}
