import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintEnvironment } from '../../src/lint/cfnlint.js';
import { toFinding } from '../../src/lint/findings.js';
import { shorten } from '../../src/model/text.js';
import { locateCfnLint } from '../../src/lint/install.js';
import { forkedShardCount, planShards, workerCount } from '../../src/lint/shards.js';
import { silentLogger } from '../../src/model/logger.js';
import { workspace } from '../helpers/paths.js';

describe('locating cfn-lint', () => {
  it('keeps an executable named like a shim that pyenv does not run', async () => {
    const ws = await workspace({ 'shims/cfn-lint': '#!/bin/sh\necho "cfn-lint 1.0.0"\n' });
    await fs.chmod(path.join(ws, 'shims/cfn-lint'), 0o755);
    const env = { PATH: path.join(ws, 'shims') };
    expect(await locateCfnLint({ env, version: '1.51.0', log: silentLogger })).toBe(
      path.join(ws, 'shims/cfn-lint'),
    );
  });

  it('outside the action, says how to install it', async () => {
    const ws = await workspace({});
    await expect(
      locateCfnLint({ env: { PATH: ws }, version: '1.51.0', log: silentLogger }),
    ).rejects.toThrow(/cfn-lint is not installed/);
  });

  it('in the action without Python, says what to add', async () => {
    const ws = await workspace({});
    await expect(
      locateCfnLint({ env: { PATH: ws }, version: '1.51.0', log: silentLogger, toolCache: ws }),
    ).rejects.toThrow(/Python is not installed/);
  });

  it('in the action, reuses a virtual environment already in the tool cache', async () => {
    const ws = await workspace({});
    const bin = path.join(ws, 'cfn-lint', '1.51.0', process.arch, 'bin');
    await fs.mkdir(bin, { recursive: true });
    await fs.writeFile(path.join(bin, 'cfn-lint'), '#!/bin/sh\n');
    expect(
      await locateCfnLint({
        env: { PATH: path.join(ws, 'empty') },
        version: '1.51.0',
        log: silentLogger,
        toolCache: ws,
      }),
    ).toBe(path.join(bin, 'cfn-lint'));
  });
});

describe('pure helpers', () => {
  it('never hands credentials to cfn-lint', () => {
    const env = lintEnvironment({
      PATH: '/bin',
      AWS_SECRET_ACCESS_KEY: 's',
      GITHUB_TOKEN: 't',
      ACTIONS_RUNTIME_TOKEN: 'r',
      PYTHONPATH: '/p',
    });
    expect(env).toEqual({ PATH: '/bin', PYTHONPATH: '/p' });
  });

  it('balances shards by size and keeps small runs in one process', () => {
    expect(
      planShards(
        [
          { size: 1, path: 'a' },
          { size: 2, path: 'b' },
        ],
        2,
      ),
    ).toHaveLength(1);
    const shards = planShards(
      [9, 1, 1, 1, 3, 3, 2, 2].map((size, i) => ({ size, path: `t${i}.yaml` })),
      2,
    );
    expect(shards).toHaveLength(2);
    const sums = shards.map((s) => s.reduce((n, t) => n + t.size, 0));
    expect(Math.abs(sums[0]! - sums[1]!)).toBeLessThanOrEqual(1);
  });

  it("keeps every shard's path list under the argument limit, whatever the cores", () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ size: 1, path: `/w/${i}`.padEnd(91) }));
    const shards = planShards(items, 2, 4, 10_000);
    expect(shards.length).toBe(10);
    expect(Math.max(...shards.map((s) => s.length))).toBe(100);
    expect(shards.flat()).toHaveLength(1000);
  });

  it('uses a second worker only for enough text, and keeps forked shards small', () => {
    const small = Array.from({ length: 10_000 }, () => ({ size: 90 }));
    expect(workerCount([{ size: 5_000 }, { size: 5_000 }], 2)).toBe(1);
    expect(workerCount(small, 2)).toBe(2);
    expect(workerCount(small, 1)).toBe(1);
    expect(forkedShardCount(small, 2)).toBe(313); // 32 templates a shard
    expect(forkedShardCount([{ size: 1_300_000 }], 2)).toBe(27); // 48 KiB a shard
    expect(forkedShardCount([{ size: 10 }], 2)).toBe(2);
  });

  it('shortens long messages and says by how much', () => {
    expect(shorten('x'.repeat(600))).toMatch(/^x{499}… \(101 more characters\)$/);
    expect(shorten('a\n  b')).toBe('a b');
  });

  it('ignores malformed results and maps informational findings', () => {
    expect(toFinding({ Level: 'Error' } as never, () => undefined)).toBeUndefined();
    const f = toFinding(
      {
        Filename: '/x/a.yaml',
        Level: 'Informational',
        Message: 'm',
        Rule: { Id: 'I3011' },
        Location: { Start: { LineNumber: 4, ColumnNumber: 2 } },
      },
      () => 'a.yaml',
    );
    expect(f).toMatchObject({
      severity: 'info',
      file: 'a.yaml',
      line: 4,
      column: 2,
      helpUrl: expect.stringContaining('#i3011'),
    });
  });
});
