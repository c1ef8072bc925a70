import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/model/logger.js';
import { locateCfnLint, type FolderCache } from '../../src/lint/install.js';
import { workspace } from '../helpers/paths.js';

/**
 * The installer runs the real `python3 -m venv` and the real pip. The registry is out of reach
 * here, so pip installs from a local folder holding a small wheel named cfn-lint 1.51.0.
 */
async function wheelhouse(): Promise<string> {
  const dir = await workspace({});
  const script = `
import sys, zipfile
dist = "cfn_lint-1.51.0.dist-info"
files = {
  "fake_cfn_lint/__init__.py": "def main():\\n    print('cfn-lint 1.51.0')\\n",
  dist + "/METADATA": "Metadata-Version: 2.1\\nName: cfn-lint\\nVersion: 1.51.0\\n",
  dist + "/WHEEL": "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
  dist + "/entry_points.txt": "[console_scripts]\\ncfn-lint = fake_cfn_lint:main\\n",
}
with zipfile.ZipFile(sys.argv[1] + "/cfn_lint-1.51.0-py3-none-any.whl", "w") as z:
  for name, text in files.items():
    z.writestr(name, text)
  z.writestr(dist + "/RECORD", "".join(f"{n},,\\n" for n in files) + dist + "/RECORD,,\\n")
`;
  execFileSync('python3', ['-c', script, dir]);
  return dir;
}

/** A PATH with Python and nothing else (the machine's own cfn-lint sits beside its Python). */
async function pythonOnlyPath(): Promise<string> {
  const real = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {
    encoding: 'utf8',
  }).trim();
  const bin = await workspace({});
  await fs.symlink(real, path.join(bin, 'python3'));
  return bin;
}

/** A folder cache backed by real copies on disk, standing in for the Actions cache service. */
function diskCache(root: string): FolderCache & { saved: string[] } {
  const saved: string[] = [];
  return {
    saved,
    async restore(folder, key) {
      try {
        await fs.cp(path.join(root, key), folder, { recursive: true, verbatimSymlinks: true });
        return true;
      } catch {
        return false;
      }
    },
    async save(folder, key) {
      saved.push(key);
      await fs.cp(folder, path.join(root, key), { recursive: true, verbatimSymlinks: true });
    },
  };
}

describe('installing cfn-lint in the action when it is not on PATH', () => {
  it('creates a virtual environment with pip, saves it to the cache, and restores it in the next job', async () => {
    const links = await wheelhouse();
    const env = {
      PATH: await pythonOnlyPath(),
      HOME: process.env.HOME,
      PIP_NO_INDEX: '1',
      PIP_FIND_LINKS: links,
    };
    const cacheRoot = await workspace({});
    const cache = diskCache(cacheRoot);

    const firstJob = await workspace({});
    const executable = await locateCfnLint({
      env,
      version: '1.51.0',
      log: silentLogger,
      toolCache: firstJob,
      cache,
    });
    expect(executable).toBe(
      path.join(firstJob, 'cfn-lint', '1.51.0', process.arch, 'bin', 'cfn-lint'),
    );
    expect(execFileSync(executable, ['--version'], { encoding: 'utf8' }).trim()).toBe(
      'cfn-lint 1.51.0',
    );
    expect(cache.saved).toEqual([
      expect.stringMatching(/^iac-action-cfn-lint-1\.51\.0-linux-\w+-py3\.\d+$/),
    ]);

    // A new job: an empty tool cache and no package index at all; the cache must provide it.
    const secondJob = await workspace({});
    const restored = await locateCfnLint({
      env: { ...env, PIP_FIND_LINKS: '/nonexistent' },
      version: '1.51.0',
      log: silentLogger,
      toolCache: secondJob,
      cache,
    });
    expect(restored.startsWith(secondJob)).toBe(true);
    expect(cache.saved).toHaveLength(1);
  });

  it('says what failed when pip cannot install it', async () => {
    const empty = await workspace({});
    const env = {
      PATH: await pythonOnlyPath(),
      HOME: process.env.HOME,
      PIP_NO_INDEX: '1',
      PIP_FIND_LINKS: empty,
    };
    await expect(
      locateCfnLint({ env, version: '1.51.0', log: silentLogger, toolCache: await workspace({}) }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(
        /^Could not pip install cfn-lint==1\.51\.0 \(cfn-lint install\): .*(No matching distribution|Could not find)/s,
      ),
      hint: expect.stringContaining('pip install cfn-lint'),
    });
  });
});
