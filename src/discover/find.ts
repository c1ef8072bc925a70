import fs from 'node:fs/promises';
import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { UserError } from '../model/errors.js';
import type { CdkTemplate } from '../model/cdk.js';
import { relativeToWorkspace, resolveInside } from '../model/files.js';
import { wideEncoding } from '../model/text.js';
import { isCloudAssembly, readCloudAssembly } from './cdk.js';

/** A template file the user edits, before it is read or rendered. */
export interface TemplateSource {
  /** Repository-relative path with forward slashes. */
  file: string;
  absolutePath: string;
  origin: 'file' | 'nunjucks' | 'cdk';
  /** For CDK stacks: the stack name from manifest.json. */
  stackName?: string;
  /** For CDK templates: the stack's environment and the construct behind each resource. */
  cdk?: CdkTemplate;
  /** For a nested stack's template: the parent's stack resource that names it. */
  nestedIn?: { file: string; logicalId: string };
  /** Parameter values the parent stack passes to this nested one, where they are plain values. */
  passedParameters?: Record<string, string>;
  /** Found by scanning a folder: a file that turns out not to be a template is skipped, not an error. */
  scanned?: true;
  /** Why the file is not read at all (a link out of the workspace): a finding on this path. */
  refused?: string;
}

const TEMPLATE_EXTENSIONS = /\.(ya?ml|json|template|j2|njk)$/i;
const RENDERED_EXTENSIONS = /\.(j2|njk)$/i;
/** In a cloud assembly only templates are templates (not manifest.json, tree.json, assets). */
const TEMPLATE_FILE = /\.template\.json$/;
const SKIPPED_DIRS = ['**/node_modules/**', '**/.git/**', '**/cdk.out/**'];
/** Files found by scanning a folder count as templates only if they look like one. */
const LOOKS_LIKE_TEMPLATE =
  /^\s*['"]?(AWSTemplateFormatVersion|Resources)['"]?\s*:|"(AWSTemplateFormatVersion|Resources)"\s*:/m;
const SNIFF_BYTES = 64 * 1024;

function originOf(file: string): TemplateSource['origin'] {
  return RENDERED_EXTENSIONS.test(file) ? 'nunjucks' : 'file';
}

/**
 * Expand the `templates` input (files, folders, globs, CDK cloud assemblies) into template files,
 * each once (by real path), in a stable order. Anything that matches nothing is an error that
 * names it; `onSkipped` hears of every file a folder scan passes over as no template.
 */
export async function findTemplates(
  workspace: string,
  patterns: readonly string[],
  onSkipped: (file: string) => void = () => {},
): Promise<TemplateSource[]> {
  if (patterns.length === 0) {
    throw new UserError(
      'Input "templates" is empty.',
      'List template files, folders or globs, one per line.',
    );
  }
  const found = new Map<string, TemplateSource>();
  const add = async (source: TemplateSource) => {
    // One file reached through a linked folder as well is checked once.
    const real = await fs.realpath(source.absolutePath).catch(() => source.absolutePath);
    if (!found.has(real)) found.set(real, source);
  };
  for (const pattern of patterns) {
    const sources = isDynamicPattern(pattern)
      ? await fromGlob(workspace, pattern)
      : await fromPath(workspace, pattern, onSkipped);
    if (sources.length === 0) {
      throw new UserError(
        `"${pattern}" in input "templates" matched no CloudFormation templates.`,
        'Check the path; folders are searched for .yaml, .yml, .json, .template, .njk and .j2 files that have a Resources section.',
      );
    }
    for (const source of sources) await add(source);
  }
  return [...found.values()];
}

async function fromGlob(workspace: string, pattern: string): Promise<TemplateSource[]> {
  await resolveInside(workspace, pattern.replace(/[*?[{].*$/, '') || '.', 'Pattern');
  const intoAssembly = /(^|\/)cdk\.out(\/|$)/.test(pattern);
  const matches = await glob(pattern, {
    cwd: workspace,
    onlyFiles: true,
    // A glob that names cdk.out means it: CDK templates are found there with what the assembly says.
    ignore: intoAssembly ? SKIPPED_DIRS.filter((d) => !d.includes('cdk.out')) : SKIPPED_DIRS,
    absolute: true,
    expandDirectories: false,
  });
  const sources: TemplateSource[] = [];
  const assemblies = new Map<string, Map<string, TemplateSource>>();
  for (const absolute of matches.sort()) {
    await resolveInside(workspace, absolute, 'Template');
    const dir = path.dirname(absolute);
    if (!assemblies.has(dir) && (await isCloudAssembly(dir)))
      assemblies.set(
        dir,
        new Map((await readCloudAssembly(workspace, dir)).map((s) => [s.absolutePath, s])),
      );
    const fromAssembly = assemblies.get(dir)?.get(absolute);
    if (fromAssembly) {
      sources.push(fromAssembly);
      continue;
    }
    if (assemblies.has(dir) && !TEMPLATE_FILE.test(absolute)) continue;
    sources.push({
      file: relativeToWorkspace(workspace, absolute),
      absolutePath: absolute,
      origin: originOf(absolute),
    });
  }
  return sources;
}

async function fromPath(
  workspace: string,
  given: string,
  onSkipped: (file: string) => void,
): Promise<TemplateSource[]> {
  const absolute = await resolveInside(workspace, given, 'Template path');
  let stat;
  try {
    stat = await fs.stat(absolute);
  } catch {
    throw new UserError(
      `Template path "${given}" does not exist in the workspace.`,
      'Check the "templates" input.',
    );
  }
  const file = relativeToWorkspace(workspace, absolute);
  if (stat.isFile()) return [{ file, absolutePath: absolute, origin: originOf(absolute) }];
  if (await isCloudAssembly(absolute)) return readCloudAssembly(workspace, absolute);

  const matches = await glob('**/*', {
    cwd: absolute,
    onlyFiles: true,
    ignore: SKIPPED_DIRS,
    absolute: true,
  });
  const sources: TemplateSource[] = [];
  for (const match of matches.filter((m) => TEMPLATE_EXTENSIONS.test(m)).sort()) {
    const source: TemplateSource = {
      file: relativeToWorkspace(workspace, match),
      absolutePath: match,
      origin: originOf(match),
      scanned: true,
    };
    // A link out of the workspace costs a finding on its own path, not the whole run.
    const refused = await resolveInside(workspace, match, 'Template').then(
      () => undefined,
      (error: Error) => error.message,
    );
    if (refused) sources.push({ ...source, refused });
    else if (await looksLikeTemplate(match)) sources.push(source);
    else onSkipped(source.file);
  }
  return sources;
}

async function looksLikeTemplate(file: string): Promise<boolean> {
  // A pipe or device would block the read: loading reports it as no regular file.
  if (!(await fs.stat(file)).isFile()) return true;
  const handle = await fs.open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(SNIFF_BYTES), 0, SNIFF_BYTES, 0);
    // UTF-16 and UTF-32 hide the keys from this sniff: the parser reports their encoding instead.
    if (wideEncoding(buffer.subarray(0, bytesRead))) return true;
    return LOOKS_LIKE_TEMPLATE.test(buffer.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await handle.close();
  }
}
