import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { workspace } from './paths.js';

const run = promisify(execFile);

/** A git repository whose main branch holds `base` and whose working tree holds `head`. */
export async function repository(base: Record<string, string>, head: Record<string, string>) {
  const dir = await workspace(base);
  const git = (...args: string[]) => run('git', args, { cwd: dir });
  await git('init', '-q', '-b', 'main');
  await git('add', '.');
  await git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'base');
  for (const [file, text] of Object.entries(head)) {
    await fs.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await fs.writeFile(path.join(dir, file), text);
  }
  return dir;
}
