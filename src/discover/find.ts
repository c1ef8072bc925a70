import fs from 'node:fs/promises';
import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { UserError } from '../model/errors.js';
import { exists, relativeToWorkspace, resolveInside } from '../model/files.js';
import { wideEncoding } from '../model/text.js';

/** A template file the user edits, before it is read or rendered. */
export interface TemplateSource {
  /** Repository-relative path with forward slashes. */
  file: string;
  absolutePath: string;
  origin: 'file' | 'nunjucks' | 'cdk';
  /** For CDK stacks: the stack name from manifest.json. */
  stackName?: string;
  /** Found by scanning a folder: a file that turns out not to be a template is skipped, not an error. */
  scanned?: true;
  /** Why the file is not read at all (a link out of the workspace): a finding on this path. */
  refused?: string;
}

const TEMPLATE_EXTENSIONS = /\.(ya?ml|json|template|j2|njk)$/i;
const RENDERED_EXTENSIONS = /\.(j2|njk)$/i;
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
  const matches = await glob(pattern, {
    cwd: workspace,
    onlyFiles: true,
    ignore: SKIPPED_DIRS,
    absolute: true,
    expandDirectories: false,
  });
  const sources: TemplateSource[] = [];
  for (const absolute of matches.sort()) {
    await resolveInside(workspace, absolute, 'Template');
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

function isCloudAssembly(dir: string): Promise<boolean> {
  return exists(path.join(dir, 'manifest.json'));
}

interface CloudAssemblyManifest {
  artifacts?: Record<
    string,
    {
      type?: string;
      displayName?: string;
      properties?: { templateFile?: string; stackName?: string };
    }
  >;
}

/** A CDK `cdk.out` folder: every CloudFormation stack artifact named in manifest.json. */
async function readCloudAssembly(workspace: string, dir: string): Promise<TemplateSource[]> {
  const manifestFile = relativeToWorkspace(workspace, path.join(dir, 'manifest.json'));
  let manifest: CloudAssemblyManifest;
  try {
    manifest = JSON.parse(
      await fs.readFile(path.join(dir, 'manifest.json'), 'utf8'),
    ) as CloudAssemblyManifest;
  } catch (error) {
    throw new UserError(
      `${manifestFile}: not valid JSON (${error instanceof Error ? error.message : String(error)}).`,
      'Run `cdk synth` again to produce a complete cloud assembly.',
    );
  }
  const sources: TemplateSource[] = [];
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const templateFile = artifact.properties?.templateFile;
    if (!templateFile)
      throw new UserError(
        `${manifestFile}: stack artifact "${id}" has no properties.templateFile.`,
      );
    const absolute = await resolveInside(workspace, path.join(dir, templateFile), 'CDK template');
    if (!(await exists(absolute))) {
      throw new UserError(
        `${manifestFile}: stack "${id}" names ${templateFile}, which does not exist.`,
        'Run `cdk synth` again.',
      );
    }
    sources.push({
      file: relativeToWorkspace(workspace, absolute),
      absolutePath: absolute,
      origin: 'cdk',
      stackName: artifact.properties?.stackName ?? artifact.displayName ?? id,
    });
  }
  return sources.sort((a, b) => a.file.localeCompare(b.file));
}
