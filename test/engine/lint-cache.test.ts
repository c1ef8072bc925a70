import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CacheStore } from '../../src/lint/cache.js';
import { silentLogger } from '../../src/model/logger.js';
import { readSettings } from '../../src/model/settings.js';
import { realEdges } from '../../src/pipeline/edges.js';
import { validate } from '../../src/pipeline/validate.js';
import { cli, noCredentials } from '../helpers/cli.js';
import { workspace } from '../helpers/paths.js';

/** Records every template path it is given and reports one warning per template. */
const RECORDING_LINT = (log: string) =>
  [
    '#!/bin/sh',
    'case "$1" in --version) echo "cfn-lint 1.51.0"; exit 0;; esac',
    'out=""',
    'for a in "$@"; do case "$a" in /*)',
    `  echo "$a" >> '${log}'`,
    '  out="$out${out:+,}{\\"Filename\\":\\"$a\\",\\"Level\\":\\"Warning\\",\\"Message\\":\\"seen\\",\\"Rule\\":{\\"Id\\":\\"W1\\"},\\"Location\\":{\\"Start\\":{\\"LineNumber\\":2,\\"ColumnNumber\\":3}}}";;',
    'esac; done',
    'echo "[$out]"',
    '',
  ].join('\n');

describe('cfn-lint results cached by content', () => {
  it('a change to one template of 200 lints that one template', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 200; i++)
      files[`templates/t${String(i).padStart(3, '0')}.yaml`] =
        `Resources:\n  Queue${i}:\n    Type: AWS::SQS::Queue\n`;
    const ws = await workspace(files);
    const linted = path.join(ws, '..', `${path.basename(ws)}-linted.log`);
    const fake = path.join(ws, '..', `${path.basename(ws)}-cfn-lint`);
    await fs.writeFile(fake, RECORDING_LINT(linted));
    await fs.chmod(fake, 0o755);
    let stored: string | undefined;
    const store: CacheStore = { read: async () => stored, write: async (t) => void (stored = t) };
    const env = { PATH: process.env.PATH };
    const settings = readSettings(
      (name) => ({ templates: 'templates/', 'policy-validation': 'off' })[name as string],
      { env, workspace: ws },
    );
    const run = async () => {
      await fs.rm(linted, { force: true });
      const edges = realEdges(settings, { log: silentLogger, env, lintCache: store });
      const { findings } = await validate(settings, { ...edges, locateCfnLint: async () => fake });
      const paths = (await fs.readFile(linted, 'utf8').catch(() => '')).split('\n').filter(Boolean);
      return { findings: findings.filter((f) => f.ruleId === 'W1'), paths };
    };

    const cold = await run();
    expect(cold.paths).toHaveLength(200);
    expect(cold.findings).toHaveLength(200);

    await fs.appendFile(
      path.join(ws, 'templates/t007.yaml'),
      '  Other:\n    Type: AWS::SNS::Topic\n',
    );
    const warm = await run();
    expect(warm.paths).toEqual([path.join(ws, 'templates/t007.yaml')]);
    expect(warm.findings.map((f) => `${f.file}:${f.line}:${f.column}`).sort()).toEqual(
      cold.findings.map((f) => `${f.file}:${f.line}:${f.column}`).sort(),
    );

    expect((await run()).paths).toEqual([]); // nothing changed: nothing linted
  });

  it('the CLI keeps them in node_modules/.cache, checks again with --no-cache, drops a bad cache', async () => {
    const ws = await workspace({
      'templates/a.yaml':
        'Resources:\n  Q:\n    Type: AWS::SNS::Topic\n    Properties:\n      Bogus: 1\n',
      'templates/b.yaml':
        'Parameters:\n  Unused:\n    Type: String\nResources:\n  T:\n    Type: AWS::SNS::Topic\n',
    });
    const args = ['validate', 'templates/', '--format', 'json', '--policy-validation', 'off'];
    const rules = (stdout: string) =>
      (
        JSON.parse(stdout) as { findings: { file: string; ruleId: string; line: number }[] }
      ).findings
        .map((f) => `${f.file}:${f.line} ${f.ruleId}`)
        .sort();
    const first = await cli(args, ws, noCredentials);
    expect(rules(first.stdout)).toEqual(['templates/a.yaml:5 E3002', 'templates/b.yaml:2 W2001']);
    const file = path.join(ws, 'node_modules/.cache/iac-action/cfn-lint-results.json');
    const stored = JSON.parse(await fs.readFile(file, 'utf8')) as {
      entries: Record<string, { Message: string }[]>;
    };
    expect(Object.keys(stored.entries)).toHaveLength(2);

    // A hostile or corrupt cache: the entry in the wrong shape is dropped, its template checked again.
    const [key] = Object.entries(stored.entries).find(([, r]) => r[0]?.Message.includes('Bogus'))!;
    stored.entries[key] = [{ Level: 'Error', Message: { toString: 'x' } } as never];
    await fs.writeFile(file, JSON.stringify(stored));
    const again = await cli(args, ws, noCredentials);
    expect(rules(again.stdout)).toEqual(rules(first.stdout));
    expect(again.stderr).toMatch(/cfn-lint cache held 1 malformed entry/);

    // --no-cache neither reads nor writes it.
    await fs.writeFile(file, 'left alone');
    expect(rules((await cli([...args, '--no-cache'], ws, noCredentials)).stdout)).toEqual(
      rules(first.stdout),
    );
    expect(await fs.readFile(file, 'utf8')).toBe('left alone');
  });
});
