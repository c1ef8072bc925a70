import fs from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { isInside } from '../core/files.js';

export async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

/** Repository-relative, forward slashes, no `./`: the form GitHub annotations and links expect. */
export function relativeToWorkspace(workspace: string, absolute: string): string {
  return path.relative(workspace, absolute).split(path.sep).join('/');
}

/**
 * Resolve a user-given path against the workspace and refuse anything that lands outside it, also
 * through symbolic links, so a template list cannot read the runner's other files.
 */
export async function resolveInside(
  workspace: string,
  given: string,
  what: string,
): Promise<string> {
  const absolute = path.resolve(workspace, given);
  if (!isInside(workspace, absolute)) {
    throw new UserError(
      `${what} "${given}" resolves outside the workspace (${workspace}) and is refused.`,
      'Use a path inside the repository.',
    );
  }
  let real: string;
  try {
    real = await fs.realpath(absolute);
  } catch {
    return absolute; // does not exist; the caller reports that with its own words
  }
  const realWorkspace = await fs.realpath(workspace);
  if (!isInside(realWorkspace, real)) {
    throw new UserError(
      `${what} "${given}" is a link to ${real}, outside the workspace, and is refused.`,
      'Use a path inside the repository.',
    );
  }
  return absolute;
}

/** Config files (environments, manifests, parameter files) are small; larger ones are refused. */
export const MAX_CONFIG_BYTES = 256 * 1024;

/**
 * Read a small text file the user named, inside the workspace and under the size limit. Returns
 * undefined when it does not exist, so each caller can say what was missing in its own words.
 */
export async function readConfigFile(
  workspace: string,
  given: string,
  what: string,
): Promise<{ text: string; file: string } | undefined> {
  const absolute = await resolveInside(workspace, given, what);
  let stat;
  try {
    stat = await fs.stat(absolute);
  } catch {
    return undefined;
  }
  if (!stat.isFile()) return undefined;
  if (stat.size > MAX_CONFIG_BYTES) {
    throw new UserError(
      `${what} ${given} is ${stat.size} bytes; the limit is ${MAX_CONFIG_BYTES}.`,
    );
  }
  return {
    text: await fs.readFile(absolute, 'utf8'),
    file: relativeToWorkspace(workspace, absolute),
  };
}
