// Many templates in one run: every one is read and reported, with few file handles to spare.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths.js';

const TEMPLATES = 2_000;

describe('a run over thousands of templates', () => {
  it('reads them all under a low open-file limit and reports each, the comment errors first', async () => {
    const ws = await fs.mkdtemp(path.join(os.tmpdir(), 'scale-'));
    await fs.mkdir(path.join(ws, 'templates'));
    for (let i = 0; i < TEMPLATES; i++) {
      // Every 500th has a duplicate key, an error of our own parser.
      const body = `Resources:\n  T:\n    Type: AWS::SNS::Topic\n${i % 500 ? '' : '  T:\n    Type: AWS::SQS::Queue\n'}`;
      await fs.writeFile(path.join(ws, 'templates', `t-${i}.yaml`), body);
    }
    await fs.writeFile(path.join(ws, 'templates', 'params.json'), '[{"ParameterKey": "A"}]');
    // cfn-lint itself is not under test here: a stand-in that answers as it does for clean files.
    const bin = path.join(ws, 'bin');
    await fs.mkdir(bin);
    await fs.writeFile(
      path.join(bin, 'cfn-lint'),
      '#!/bin/sh\n[ "$1" = --version ] && { echo "cfn-lint 1.51.0"; exit 0; }\necho "[]"\n',
    );
    await fs.chmod(path.join(bin, 'cfn-lint'), 0o755);
    const tsx = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
    const cli = path.join(ROOT, 'src/cli.ts');
    const command = `ulimit -n 256 && exec "${process.execPath}" --import ${tsx} "${cli}" validate templates/ --format json --markdown comment.md`;
    const run = await promisify(execFile)('sh', ['-c', command], {
      cwd: ws,
      env: { PATH: `${bin}:${process.env.PATH}`, HOME: process.env.HOME },
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: { stdout: string; stderr: string; code: number }) => error);
    const report = JSON.parse(run.stdout);
    expect(report.templates).toHaveLength(TEMPLATES);
    expect(report.skipped).toEqual(['templates/params.json']);
    // None "could not be read" (EMFILE): only the duplicate keys.
    expect(
      report.findings.map((f: { file: string; ruleId: string }) => `${f.file} ${f.ruleId}`),
    ).toEqual([0, 1000, 1500, 500].map((i) => `templates/t-${i}.yaml P1005`));
    const comment = await fs.readFile(path.join(ws, 'comment.md'), 'utf8');
    expect(comment).toContain(`**4 errors, 0 warnings, 0 info** in ${TEMPLATES} templates`);
    expect(comment).toContain('· 1 file skipped: not templates ·');
    expect(comment.split('\n').filter((l) => l.includes('| ❌ error |'))).toHaveLength(4);
    await fs.rm(ws, { recursive: true, force: true });
  });
});
