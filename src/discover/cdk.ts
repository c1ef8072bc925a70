import { isRecord } from '../model/values.js';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// Only the manifest reader: the package's other entry points (integ tests, asset types) are not needed.
import { Manifest } from '@aws-cdk/cloud-assembly-schema/lib/manifest.js';
import type { CdkDeployment, CdkFileAsset, CdkTemplate, ConstructInfo } from '../model/cdk.js';
import { UserError } from '../model/errors.js';
import type { StackSelection, StackSpec } from '../model/stacks.js';
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
  await forEachStack(workspace, dir, depth, async ({ id, artifact, dir: at, manifestFile }) => {
    if (sources.length >= MAX_STACKS)
      throw new UserError(`${manifestFile}: more than ${MAX_STACKS} stacks in one cloud assembly.`);
    const properties = stackProperties(id, artifact, manifestFile);
    const metadata = {
      ...(artifact.metadata as Metadata | undefined),
      ...(artifact.additionalMetadataFile
        ? await readMetadataFile(workspace, at, artifact.additionalMetadataFile, manifestFile)
        : {}),
    };
    const environment = parseEnvironment(artifact.environment);
    const stackName = properties.stackName ?? artifact.displayName ?? id;
    const templates = templatesOf(workspace, properties.templateFile, metadata);
    for (const { templateFile, constructs, nested } of templates) {
      const absolute = await assemblyTemplate(workspace, at, templateFile, id, manifestFile);
      const cdk: CdkTemplate = { artifactId: id, ...environment, constructs };
      sources.push({
        file: relativeToWorkspace(workspace, absolute),
        absolutePath: absolute,
        origin: 'cdk',
        stackName: nested ? `${stackName} (nested ${nested})` : stackName,
        cdk,
      });
    }
  });
}

type ArtifactManifest = NonNullable<
  ReturnType<typeof Manifest.loadAssemblyManifest>['artifacts']
>[string];

interface StackProperties {
  templateFile: string;
  stackName?: string;
  parameters?: Record<string, string>;
  tags?: Record<string, string>;
  terminationProtection?: boolean;
  assumeRoleArn?: string;
  assumeRoleExternalId?: string;
  cloudFormationExecutionRoleArn?: string;
}

function stackProperties(
  id: string,
  artifact: ArtifactManifest,
  manifestFile: string,
): StackProperties {
  const properties = (artifact.properties ?? {}) as Partial<StackProperties>;
  if (!properties.templateFile)
    throw new UserError(`${manifestFile}: stack artifact "${id}" has no properties.templateFile.`);
  return properties as StackProperties;
}

async function assemblyTemplate(
  workspace: string,
  dir: string,
  templateFile: string,
  id: string,
  manifestFile: string,
): Promise<string> {
  const absolute = await resolveInside(workspace, path.join(dir, templateFile), 'CDK template');
  if (!(await exists(absolute))) {
    throw new UserError(
      `${manifestFile}: stack "${id}" names ${templateFile}, which does not exist.`,
      'Run `cdk synth` again.',
    );
  }
  return absolute;
}

interface StackArtifact {
  id: string;
  artifact: ArtifactManifest;
  /** The assembly folder holding it (a Stage's stacks are in a nested one). */
  dir: string;
  manifestFile: string;
  /** Every artifact of that assembly, for what a stack depends on. */
  artifacts: Record<string, ArtifactManifest>;
  /** The top assembly folder, which holds the assets of every Stage. */
  root: string;
}

/** Every stack artifact of an assembly and of its nested assemblies (Stages), bounded. */
async function forEachStack(
  workspace: string,
  dir: string,
  depth: number,
  visit: (stack: StackArtifact) => Promise<void>,
  root = dir,
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
  const artifacts = manifest.artifacts ?? {};
  for (const [id, artifact] of Object.entries(artifacts)) {
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
      await forEachStack(workspace, nested, depth + 1, visit, root);
      continue;
    }
    if (artifact.type === 'aws:cloudformation:stack')
      await visit({ id, artifact, dir, manifestFile, artifacts, root });
  }
}

export interface AssemblyContext {
  partition: string;
  /** The action's region and account, for environment-agnostic stacks. */
  region: string;
  accountId?: string;
}

/**
 * The stacks of an assembly as the deploy stage takes them, no manifest needed: names,
 * dependencies, termination protection, tags, parameters and the bootstrap roles come from the
 * assembly, as `cdk deploy` reads them. Nested stack templates deploy with their parent.
 */
export async function assemblyStacks(
  workspace: string,
  dir: string,
  context: AssemblyContext,
): Promise<AssemblyStack[]> {
  const stacks: AssemblyStack[] = [];
  await forEachStack(
    workspace,
    dir,
    0,
    async ({ id, artifact, dir: at, manifestFile, artifacts, root }) => {
      if (stacks.length >= MAX_STACKS)
        throw new UserError(
          `${manifestFile}: more than ${MAX_STACKS} stacks in one cloud assembly.`,
        );
      const properties = stackProperties(id, artifact, manifestFile);
      const absolute = await assemblyTemplate(
        workspace,
        at,
        properties.templateFile,
        id,
        manifestFile,
      );
      const environment = parseEnvironment(artifact.environment);
      const account = environment.account ?? context.accountId;
      const region = environment.region ?? context.region;
      const fill = (text: string | undefined) =>
        text === undefined ? undefined : fillPlaceholders(text, context.partition, region, account);
      const assets = (artifact.dependencies ?? [])
        .map((dep) => artifacts[dep])
        .filter((a): a is ArtifactManifest => a?.type === 'cdk:asset-manifest');
      stacks.push({
        id,
        manifestFile,
        template: relativeToWorkspace(workspace, absolute),
        stackName: properties.stackName ?? artifact.displayName ?? id,
        region: environment.region ?? '',
        ...(environment.account ? { account: environment.account } : {}),
        executionRoleArn: fill(properties.cloudFormationExecutionRoleArn) ?? '',
        ...(properties.assumeRoleArn ? { deployRoleArn: fill(properties.assumeRoleArn)! } : {}),
        tags: stringRecord(properties.tags),
        parameters: stringRecord(properties.parameters),
        terminationProtection: properties.terminationProtection === true,
        dependsOn: (artifact.dependencies ?? []).filter(
          (dep) => artifacts[dep]?.type === 'aws:cloudformation:stack',
        ),
        ...(await assetsOf(workspace, at, root, assets, {
          templateFile: path.basename(properties.templateFile),
          partition: context.partition,
          region,
          ...(account ? { account } : {}),
        })),
        ...(properties.assumeRoleExternalId
          ? { deployRoleExternalId: properties.assumeRoleExternalId }
          : {}),
      });
    },
  );
  return stacks;
}

/** A stack of a cloud assembly, with what deploying it needs. */
export interface AssemblyStack {
  /** The artifact id, which is what other stacks' dependencies name. */
  id: string;
  manifestFile: string;
  template: string;
  stackName: string;
  /** Empty: environment-agnostic, the action's region. */
  region: string;
  account?: string;
  executionRoleArn: string;
  deployRoleArn?: string;
  deployRoleExternalId?: string;
  tags: Record<string, string>;
  parameters: Record<string, string>;
  terminationProtection: boolean;
  dependsOn: string[];
  /** File and container assets the stack needs published first (its own template aside). */
  assets: { files: number; images: number; manifest?: string };
  /** The file assets to publish, and those this action cannot publish. */
  publish: Pick<CdkDeployment, 'files' | 'unsupported'>;
}

/**
 * `${AWS::Partition}`, `${AWS::AccountId}` and `${AWS::Region}` in role ARNs, buckets and keys, as
 * cdk deploy fills them; an unknown account stays a placeholder.
 */
function fillPlaceholders(
  text: string,
  partition: string,
  region: string,
  account: string | undefined,
): string {
  return text
    .replaceAll('${AWS::Partition}', partition)
    .replaceAll('${AWS::Region}', region)
    .replaceAll('${AWS::AccountId}', account ?? '${AWS::AccountId}');
}

/**
 * The assets of a stack's asset manifests (`*.assets.json`), read with the schema package (which
 * checks the manifest's version and shape). The stack's own template is sent inline, not published.
 */
async function assetsOf(
  workspace: string,
  dir: string,
  root: string,
  manifests: readonly ArtifactManifest[],
  stack: { templateFile: string; partition: string; region: string; account?: string },
): Promise<Pick<AssemblyStack, 'assets' | 'publish'>> {
  const assets: AssemblyStack['assets'] = { files: 0, images: 0 };
  const publish: AssemblyStack['publish'] = { files: [], unsupported: [] };
  const realRoot = await fs.realpath(root);
  for (const artifact of manifests) {
    const name = (artifact.properties as { file?: string } | undefined)?.file ?? '';
    const absolute = await resolveInside(workspace, path.join(dir, name), 'CDK asset manifest');
    const file = relativeToWorkspace(workspace, absolute);
    if (!(await exists(absolute))) continue;
    await checkSize(absolute, file);
    let manifest: ReturnType<typeof Manifest.loadAssetManifest>;
    try {
      manifest = Manifest.loadAssetManifest(absolute);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new UserError(
        `${file}: not a CDK asset manifest (${message.slice(0, 500)}).`,
        'Run `cdk synth` again.',
      );
    }
    const files = Object.entries(manifest.files ?? {}).filter(
      ([, asset]) => asset.source.path !== stack.templateFile,
    );
    const images = Object.keys(manifest.dockerImages ?? {});
    if (files.length || images.length) assets.manifest ??= file;
    assets.files += files.length;
    assets.images += images.length;
    publish.unsupported.push(...images.map((id) => ({ id, kind: 'container image' as const })));
    for (const [id, asset] of files) {
      if (asset.source.executable || !asset.source.path) {
        publish.unsupported.push({ id, kind: 'executable file' });
        continue;
      }
      const source = await resolveInside(
        workspace,
        path.join(dir, asset.source.path),
        `${file}: asset ${id}`,
      );
      // The source is the assembly's own copy (asset.HASH): nothing outside the assembly folder.
      const real = await fs.realpath(source).catch(() => source);
      if (!isInside(realRoot, real))
        throw new UserError(
          `${file}: asset ${id} names ${asset.source.path}, outside the cloud assembly folder, and is refused.`,
          'Run `cdk synth` again.',
        );
      const fill = (text: string, region: string) =>
        fillPlaceholders(text, stack.partition, region, stack.account);
      publish.files.push({
        id,
        source,
        file: relativeToWorkspace(workspace, source),
        packaging: asset.source.packaging === 'zip' ? 'zip' : 'file',
        template: asset.source.path.endsWith('.template.json'),
        destinations: Object.values(asset.destinations).map((d) => {
          const region = d.region ? fill(d.region, stack.region) : stack.region;
          return {
            bucket: fill(d.bucketName, region),
            key: fill(d.objectKey, region),
            region,
            ...(d.assumeRoleArn
              ? {
                  role: {
                    arn: fill(d.assumeRoleArn, region),
                    ...(d.assumeRoleExternalId ? { externalId: d.assumeRoleExternalId } : {}),
                  },
                }
              : {}),
          };
        }),
      } satisfies CdkFileAsset);
    }
  }
  return { assets, publish };
}

function stringRecord(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => typeof v === 'string')
      .map(([k, v]) => [k, v as string]),
  );
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

/** What `cdk deploy` asks CloudFormation for: every CDK stack may create named IAM resources and use macros. */
const CDK_CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'];

/**
 * The assembly's stacks as a selection the deploy stage takes, dependencies first. Input
 * `stacks` selects by artifact id or stack name; a name that matches nothing is an error.
 */
export function assemblySelection(
  stacks: readonly AssemblyStack[],
  selection: readonly string[],
): StackSelection {
  const byId = new Map(stacks.map((s) => [s.id, s]));
  const order: AssemblyStack[] = [];
  const visit = (stack: AssemblyStack, seen: string[]) => {
    if (order.includes(stack)) return;
    if (seen.includes(stack.id))
      throw new UserError(
        `${stack.manifestFile}: stacks depend on each other in a cycle (${[...seen, stack.id].join(' -> ')}).`,
      );
    for (const dep of stack.dependsOn) {
      const needed = byId.get(dep);
      if (needed) visit(needed, [...seen, stack.id]);
    }
    order.push(stack);
  };
  for (const stack of stacks) visit(stack, []);
  const unknown = selection.filter(
    (name) => !stacks.some((s) => s.id === name || s.stackName === name),
  );
  if (unknown.length) {
    throw new UserError(
      `Input "stacks" names ${unknown.map((n) => `"${n}"`).join(', ')}, not a stack of the cloud assembly.`,
      `Known stacks: ${stacks.map((s) => s.stackName).join(', ')}.`,
    );
  }
  const all = new Map<string, StackSpec>(order.map((s) => [s.id, stackSpecOf(s, byId)]));
  const wanted = (s: StackSpec) =>
    !selection.length || selection.includes(s.id) || selection.includes(s.stackName);
  return { selected: [...all.values()].filter(wanted), all };
}

function stackSpecOf(stack: AssemblyStack, byId: ReadonlyMap<string, AssemblyStack>): StackSpec {
  const where = `${stack.manifestFile} (stack ${stack.id})`;
  return {
    id: stack.id,
    template: stack.template,
    stackName: stack.stackName,
    region: stack.region,
    roleArn: stack.executionRoleArn,
    tags: stack.tags,
    capabilities: CDK_CAPABILITIES,
    terminationProtection: stack.terminationProtection,
    disableRollback: false,
    dependsOn: stack.dependsOn.filter((dep) => byId.has(dep)),
    parameters: Object.keys(stack.parameters).length
      ? [{ from: where, values: stack.parameters, shared: false }]
      : [],
    where,
    cdk: {
      manifestFile: stack.manifestFile,
      ...(stack.deployRoleArn
        ? {
            deployRole: {
              arn: stack.deployRoleArn,
              ...(stack.deployRoleExternalId ? { externalId: stack.deployRoleExternalId } : {}),
            },
          }
        : {}),
      ...stack.publish,
    },
  };
}
