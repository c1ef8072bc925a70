import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { UserError } from './errors.js';

/** Whether target is root itself or lies below it (a sibling such as `root-other` does not). */
export function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

async function realOrResolved(p: string): Promise<string> {
  return fs.realpath(p).catch(() => path.resolve(p));
}

/**
 * Write a report file without following a link a pull request may have planted: the file must
 * lie inside one of the allowed folders (the workspace, the runner's temp folder) by its real
 * path, every folder on the way is a real folder, and the file itself is opened with O_NOFOLLOW
 * and must be a regular file with no other name (no hard link to a file elsewhere).
 */
export async function writeFileInside(
  file: string,
  data: string,
  allowedRoots: readonly string[],
  what: string,
): Promise<void> {
  try {
    await writeChecked(file, data, allowedRoots, what);
  } catch (error) {
    if (error instanceof UserError) throw error;
    // A read-only folder, a full disk: say which file, so the user knows what is missing.
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(
      `Could not write ${what} ${file}: ${WRITE_FAILURES[code ?? ''] ?? (error as Error).message}${code ? ` (${code})` : ''}.`,
    );
  }
}

const WRITE_FAILURES: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

async function writeChecked(
  file: string,
  data: string,
  allowedRoots: readonly string[],
  what: string,
): Promise<void> {
  const target = path.resolve(file);
  const refuse = (why: string): never => {
    throw new UserError(
      `Refusing to write ${what} ${file}: ${why}.`,
      `Choose a path inside ${allowedRoots.join(' or ')} that is not a link.`,
    );
  };
  const roots = allowedRoots.map((r) => path.resolve(r));
  const realRoots = await Promise.all(roots.map(realOrResolved));
  if (!roots.some((r) => isInside(r, target)) && !realRoots.some((r) => isInside(r, target)))
    refuse('it is outside the folders this run may write to');

  // Create missing folders one at a time, checking each existing one by its real path.
  const parent = path.dirname(target);
  const missing: string[] = [];
  let existing = parent;
  for (;;) {
    try {
      await fs.lstat(existing);
      break;
    } catch {
      missing.unshift(existing);
      const up = path.dirname(existing);
      if (up === existing) break;
      existing = up;
    }
  }
  const checkFolder = async (folder: string) => {
    const real = await fs.realpath(folder);
    if (!(await fs.stat(real)).isDirectory()) refuse(`${folder} is not a folder`);
    if (!realRoots.some((r) => isInside(r, real)))
      refuse(`its folder ${folder} leads to ${real}, outside the folders this run may write to`);
  };
  await checkFolder(existing);
  for (const folder of missing) {
    await fs.mkdir(folder).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    const stat = await fs.lstat(folder);
    if (stat.isSymbolicLink() || !stat.isDirectory()) refuse(`${folder} is not a folder`);
  }
  await checkFolder(parent);

  let handle: fs.FileHandle;
  try {
    handle = await fs.open(
      target,
      constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK,
      0o644,
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK') return refuse('it is a symbolic link');
    if (code === 'ENXIO') return refuse('it is not a regular file');
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) refuse('it is not a regular file');
    if (stat.nlink > 1) refuse('it has another name (a hard link), which may lie elsewhere');
    await handle.truncate(0);
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
}

/**
 * A file's text when it is a regular file (not through a link) of at most `maxBytes`; undefined
 * when it is missing, a link, not a file, or larger. For files a previous run or a cache left.
 */
export async function readFileBounded(file: string, maxBytes: number): Promise<string | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile() || stat.size > maxBytes) return undefined;
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

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
