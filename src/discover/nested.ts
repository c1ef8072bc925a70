import fs from 'node:fs/promises';
import path from 'node:path';
import { exists, relativeToWorkspace, resolveInside } from '../model/files.js';
import {
  at,
  child,
  isMap,
  resourceTypeOf,
  isScalar,
  LIMITS,
  type ParsedTemplate,
  type TemplateNode,
} from '../model/template.js';
import type { TemplateSource } from './find.js';

/** Nesting deeper than this is a loop or not a real template set. */
const MAX_NESTING = 5;
const MAX_NESTED = 500;

const NESTED_STACK_TYPE = 'AWS::CloudFormation::Stack';

/** TemplateURL values that name a place in AWS or on the web, not a file of the repository. */
const REMOTE = /^(https?|s3):\/\//i;

/**
 * The templates plus every nested stack template they name as a local file: a relative
 * TemplateURL (as `aws cloudformation package` takes it) or the CDK's `aws:asset:path` metadata.
 * Each child records the parameter values its parent passes where they are plain values.
 */
export async function withNestedStacks(
  workspace: string,
  sources: readonly TemplateSource[],
  parse: (content: Uint8Array, file: string) => ParsedTemplate | undefined,
): Promise<TemplateSource[]> {
  const all = new Map(sources.map((s) => [s.absolutePath, s]));
  let added = 0;
  let level = sources.filter((s) => s.origin === 'file');
  for (let depth = 0; depth < MAX_NESTING && level.length; depth++) {
    const next: TemplateSource[] = [];
    for (const parent of level) {
      const template = await readParsed(parent, parse);
      for (const nested of template ? nestedStacks(template) : []) {
        const absolute = await resolveInside(
          workspace,
          path.join(path.dirname(parent.absolutePath), nested.location),
          `Nested stack template of ${parent.file} (${nested.logicalId})`,
        );
        if (all.has(absolute) || !(await exists(absolute)) || added >= MAX_NESTED) continue;
        added++;
        const source: TemplateSource = {
          file: relativeToWorkspace(workspace, absolute),
          absolutePath: absolute,
          origin: 'file',
          nestedIn: { file: parent.file, logicalId: nested.logicalId },
          passedParameters: nested.parameters,
        };
        all.set(absolute, source);
        next.push(source);
      }
    }
    level = next;
  }
  return [...all.values()];
}

async function readParsed(
  source: TemplateSource,
  parse: (content: Uint8Array, file: string) => ParsedTemplate | undefined,
): Promise<ParsedTemplate | undefined> {
  try {
    if ((await fs.stat(source.absolutePath)).size > LIMITS.maxBytes) return undefined;
    const content = await fs.readFile(source.absolutePath);
    // Most templates nest no stack: they are not parsed twice (the load stage parses them).
    return content.includes(NESTED_STACK_TYPE) ? parse(content, source.file) : undefined;
  } catch {
    return undefined; // the load stage reports unreadable files in its own words
  }
}

/** `AWS::CloudFormation::Stack` resources whose template is a local file, with plain parameters. */
function nestedStacks(
  template: ParsedTemplate,
): { logicalId: string; location: string; parameters: Record<string, string> }[] {
  const resources = child(template.root, 'Resources');
  if (!isMap(resources)) return [];
  const found: { logicalId: string; location: string; parameters: Record<string, string> }[] = [];
  for (const { key, value } of resources.entries) {
    if (resourceTypeOf(value) !== NESTED_STACK_TYPE) continue;
    const url = at(value, 'Properties', 'TemplateURL');
    const asset = at(value, 'Metadata', 'aws:asset:path');
    const location = [url, asset].map(localPath).find(Boolean);
    if (!location) continue;
    found.push({
      logicalId: key,
      location,
      parameters: plainValues(at(value, 'Properties', 'Parameters')),
    });
  }
  return found;
}

function localPath(node: TemplateNode | undefined): string | undefined {
  if (!isScalar(node) || typeof node.value !== 'string' || REMOTE.test(node.value))
    return undefined;
  return node.value || undefined;
}

/** Values the parent passes literally; anything computed in AWS stays unknown to the child. */
function plainValues(node: TemplateNode | undefined): Record<string, string> {
  const values: Record<string, string> = {};
  if (!isMap(node)) return values;
  for (const { key, value } of node.entries) {
    if (isScalar(value) && value.value !== null) values[key] = String(value.value);
  }
  return values;
}
