// Report files on a degraded runner: a full disk or a path that cannot be a folder.
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { writeFileInside } from '../../src/model/files.js';

// The disk is "full" for files named full*: every write to them fails as the kernel says ENOSPC.
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof real.open = async (file, ...rest) => {
    const handle = await real.open(file, ...rest);
    if (!path.basename(String(file)).startsWith('full')) return handle;
    return Object.assign(handle, {
      writeFile: () =>
        Promise.reject(
          Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }),
        ),
    });
  };
  return { ...real, open, default: { ...real, open } };
});

const fs = await import('node:fs/promises');

describe('writing a report file on a degraded runner', () => {
  it('names the file and the reason: a full disk, a folder that is a file', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'write-failures-'));
    await expect(
      writeFileInside(path.join(root, 'full.sarif'), '{}', [root], 'the SARIF file'),
    ).rejects.toThrow(
      `Could not write the SARIF file ${path.join(root, 'full.sarif')}: the disk is full (ENOSPC).`,
    );
    await fs.writeFile(path.join(root, 'blocker'), '');
    await expect(
      writeFileInside(path.join(root, 'blocker/r.json'), '{}', [root], 'the JSON report'),
    ).rejects.toThrow(/the JSON report .*blocker\/r\.json: .*blocker is not a folder/);
    await writeFileInside(path.join(root, 'ok.json'), '{}', [root], 'the JSON report');
    expect(await fs.readFile(path.join(root, 'ok.json'), 'utf8')).toBe('{}');
    await fs.rm(root, { recursive: true, force: true });
  });
});
