import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// Only the manifest reader: the package's other entry points (integ tests, asset types) are not needed.
import { Manifest } from '@aws-cdk/cloud-assembly-schema/lib/manifest.js';
import type { CdkTemplate, ConstructInfo } from '../model/cdk.js';
import { UserError } from '../model/errors.js';
import { exists, isInside, relativeToWorkspace, resolveInside } from '../model/files.js';
import type { TemplateSource } from './find.js';

/** Manifests carry feature-flag reports and metadata files a trace per construct: generous, bounded. */
const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;
/** Stages inside stages (CDK Pipelines nest one level; anything deeper than this is not an app). */
const MAX_ASSEMBLY_DEPTH = 8;
const MAX_STACKS = 1_000;
const MAX_CONSTRUCT_PATH = 1_000;

type MetadataEntry = { type: string; data?: unknown; trace?: string[] };
type Metadata = Record<string, MetadataEntry[]>;

export function isCloudAssembly(dir: string): Promise<boolean> {
  return exists(path.join(dir, 'manifest.json'));
}

/**
 * A CDK cloud assembly (`cdk.out`): every stack of it and of its nested assemblies (Stages), and
 * every nested stack template, each with its environment and the construct behind each resource.
 */
export async function readCloudAssembly(workspace: string, dir: string): Promise<TemplateSource[]> {
  const sources: TemplateSource[] = [];
  await readAssembly(workspace, dir, 0, sources);
  return sources.sort((a, b) => a.file.localeCompare(b.file));
}

async function readAssembly(
  workspace: string,
  dir: string,
  depth: number,
  sources: TemplateSource[],
): Promise<void> {
  // A planted link must not make the action read a file outside the workspace.
  const manifestPath = await resolveInside(
    workspace,
    path.join(dir, 'manifest.json'),
    'CDK manifest',
  );
  const manifestFile = relativeToWorkspace(workspace, manifestPath);
  await checkSize(manifestPath, manifestFile);
  let manifest;
  try {
    manifest = Manifest.loadAssemblyManifest(manifestPath);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UserError(
      `${manifestFile}: cannot be read as a CDK cloud assembly (${message.slice(0, 500)}).`,
      message.includes('version mismatch')
        ? `This action reads cloud assembly schema versions up to ${Manifest.version()}: synthesize with an aws-cdk-lib of that schema or older, or update the action.`
        : 'Run `cdk synth` again to produce a complete cloud assembly.',
    );
  }
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'cdk:cloud-assembly') {
      const directoryName = (artifact.properties as { directoryName?: string } | undefined)
        ?.directoryName;
      if (!directoryName)
        throw new UserError(`${manifestFile}: artifact "${id}" names no directoryName.`);
      if (depth >= MAX_ASSEMBLY_DEPTH)
        throw new UserError(
          `${manifestFile}: nested cloud assemblies deeper than ${MAX_ASSEMBLY_DEPTH} levels.`,
        );
      const nested = await resolveInside(
        workspace,
        path.join(dir, directoryName),
        'CDK nested assembly',
      );
      if (!(await isCloudAssembly(nested)))
        throw new UserError(
          `${manifestFile}: nested assembly "${id}" (${directoryName}) has no manifest.json.`,
          'Run `cdk synth` again.',
        );
      await readAssembly(workspace, nested, depth + 1, sources);
      continue;
    }
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    if (sources.length >= MAX_STACKS)
      throw new UserError(`${manifestFile}: more than ${MAX_STACKS} stacks in one cloud assembly.`);
    const properties = (artifact.properties ?? {}) as { templateFile?: string; stackName?: string };
    if (!properties.templateFile)
      throw new UserError(
        `${manifestFile}: stack artifact "${id}" has no properties.templateFile.`,
      );
    const metadata = {
      ...(artifact.metadata as Metadata | undefined),
      ...(artifact.additionalMetadataFile
        ? await readMetadataFile(workspace, dir, artifact.additionalMetadataFile, manifestFile)
        : {}),
    };
    const environment = parseEnvironment(artifact.environment);
    const stackName = properties.stackName ?? artifact.displayName ?? id;
    const templates = templatesOf(workspace, properties.templateFile, metadata);
    for (const { templateFile, constructs, nested } of templates) {
      const absolute = await resolveInside(workspace, path.join(dir, templateFile), 'CDK template');
      if (!(await exists(absolute))) {
        throw new UserError(
          `${manifestFile}: stack "${id}" names ${templateFile}, which does not exist.`,
          'Run `cdk synth` again.',
        );
      }
      const cdk: CdkTemplate = { artifactId: id, ...environment, constructs };
      sources.push({
        file: relativeToWorkspace(workspace, absolute),
        absolutePath: absolute,
        origin: 'cdk',
        stackName: nested ? `${stackName} (nested ${nested})` : stackName,
        cdk,
      });
    }
  }
}

async function checkSize(absolute: string, file: string): Promise<void> {
  const { size } = await fs.stat(absolute);
  if (size > MAX_MANIFEST_BYTES)
    throw new UserError(
      `${file} is ${size} bytes; cloud assembly files over ${MAX_MANIFEST_BYTES} bytes are refused.`,
    );
}

async function readMetadataFile(
  workspace: string,
  dir: string,
  name: string,
  manifestFile: string,
): Promise<Metadata> {
  const absolute = await resolveInside(workspace, path.join(dir, name), 'CDK metadata file');
  const file = relativeToWorkspace(workspace, absolute);
  if (!(await exists(absolute))) return {};
  await checkSize(absolute, file);
  try {
    const parsed: unknown = JSON.parse(await fs.readFile(absolute, 'utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Metadata)
      : {};
  } catch (error) {
    throw new UserError(
      `${file} (named by ${manifestFile}): not valid JSON (${error instanceof Error ? error.message : String(error)}).`,
      'Run `cdk synth` again.',
    );
  }
}

/** `aws://123456789012/eu-west-1`; `unknown-account` / `unknown-region` mean environment-agnostic. */
function parseEnvironment(environment: string | undefined): { account?: string; region?: string } {
  const match = /^aws:\/\/([^/]+)\/([^/]+)$/.exec(environment ?? '');
  if (!match) return {};
  const [, account, region] = match;
  return {
    ...(account && /^\d{12}$/.test(account) ? { account } : {}),
    ...(region && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(region) ? { region } : {}),
  };
}

/**
 * The stack's template and its nested stack templates. The metadata names each template at the
 * construct that owns it (`aws:cdk:templateFile`); a resource belongs to the deepest owner above it.
 */
function templatesOf(
  workspace: string,
  stackTemplate: string,
  metadata: Metadata,
): { templateFile: string; constructs: Record<string, ConstructInfo>; nested?: string }[] {
  const owners = new Map<string, string>(); // construct path -> template file
  for (const [constructPath, entries] of Object.entries(metadata)) {
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      if (entry?.type === 'aws:cdk:templateFile' && typeof entry.data === 'string')
        owners.set(constructPath, entry.data);
    }
  }
  const byTemplate = new Map<string, Record<string, ConstructInfo>>([[stackTemplate, {}]]);
  const nestedPath = new Map<string, string>();
  for (const [owner, file] of owners) {
    if (!byTemplate.has(file)) byTemplate.set(file, {});
    if (file !== stackTemplate) nestedPath.set(file, owner.replace(/^\//, ''));
  }
  const ownerPaths = [...owners.keys()].sort((a, b) => b.length - a.length);
  for (const [constructPath, entries] of Object.entries(metadata)) {
    if (!Array.isArray(entries)) continue;
    const logicalId = entries.find((e) => e?.type === 'aws:cdk:logicalId')?.data;
    if (typeof logicalId !== 'string') continue;
    const owner = ownerPaths.find((o) => constructPath.startsWith(`${o}/`));
    const file = owner ? owners.get(owner)! : stackTemplate;
    const info: ConstructInfo = {
      path: constructPath.replace(/^\//, '').slice(0, MAX_CONSTRUCT_PATH),
    };
    const source = appSource(workspace, entries);
    if (source) info.source = source;
    byTemplate.get(file)![logicalId] = info;
  }
  return [...byTemplate].map(([templateFile, constructs]) => ({
    templateFile,
    constructs,
    ...(nestedPath.has(templateFile) ? { nested: nestedPath.get(templateFile)! } : {}),
  }));
}

/** A frame such as `new LakeStack (file:///repo/app.mjs:28:18)` or `/repo/bin/app.js:52`. */
const FRAME = /((?:file:\/\/)?\/[^()\s]+?):(\d+)(?::(\d+))?(?:\)|\s|$)/;

/**
 * The first frame of the construct's creation stack (`cdk synth --debug`) in the app's own files:
 * inside the workspace and outside node_modules. Traces from another machine point nowhere here.
 */
function appSource(workspace: string, entries: MetadataEntry[]): ConstructInfo['source'] {
  const stack = entries.find((e) => e?.type === 'aws:cdk:creationStack')?.data;
  const frames = Array.isArray(stack) ? stack : [];
  for (const frame of frames.slice(0, 50)) {
    if (typeof frame !== 'string') continue;
    const match = FRAME.exec(frame);
    if (!match) continue;
    let absolute: string;
    try {
      absolute = match[1]!.startsWith('file://') ? fileURLToPath(match[1]!) : match[1]!;
    } catch {
      continue;
    }
    if (!isInside(workspace, absolute) || absolute.split(path.sep).includes('node_modules'))
      continue;
    return {
      file: relativeToWorkspace(workspace, absolute),
      line: Number(match[2]),
      column: match[3] ? Number(match[3]) : 1,
    };
  }
  return undefined;
}
