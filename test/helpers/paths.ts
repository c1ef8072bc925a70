import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = path.join(ROOT, 'test/fixtures');
/** Node 24, the action's runtime, installed by npm ci from the `node` package. */
export const NODE24 = path.join(ROOT, 'node_modules/node/bin/node');

/**
 * A fresh workspace folder with the given files: path → content, or `{ copy }` of a file or folder
 * under test/fixtures (or an absolute path). The one workspace helper of the tests.
 */
export async function workspace(files: Record<string, string | { copy: string }>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'iac-test-'));
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(dir, file);
    await fs.mkdir(path.dirname(target), { recursive: true });
    if (typeof content === 'string') await fs.writeFile(target, content);
    else await fs.cp(path.resolve(FIXTURES, content.copy), target, { recursive: true });
  }
  return dir;
}
