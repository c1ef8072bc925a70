import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LintWarmup, lintTemplates, type LintOptions } from '../../src/lint/cfnlint.js';
import { cfnLintVersion } from '../../src/lint/version.js';
import { locateCfnLint, which } from '../../src/lint/install.js';
import { silentLogger } from '../../src/model/logger.js';
import { FIXTURES, workspace } from '../helpers/paths.js';

// The script pyenv's shim runs, as the pipeline gets it: its Python can start the server.
const cfnLint = await locateCfnLint({ env: process.env, version: '1.51.0', log: silentLogger });
const options = (cwd: string, extra: Partial<LintOptions> = {}): LintOptions => ({
  executable: cfnLint,
  region: 'us-east-1',
  extraArgs: [],
  timeoutSeconds: 120,
  cwd,
  cores: 2,
  env: process.env,
  ...extra,
});

describe('cfn-lint (the real one)', () => {
  it('is installed for the tests', () => {
    expect(cfnLint).toBeTruthy();
  });

  it('maps every result onto our findings, naming the file the user edits', async () => {
    const ws = await workspace({
      'a.yaml':
        'Parameters:\n  Unused:\n    Type: String\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketNam: x\n',
      'b.yaml': { copy: 'valid/bucket.yaml' },
    });
    const findings = await lintTemplates(
      [
        { path: path.join(ws, 'a.yaml'), file: 'templates/a.yaml.njk', size: 10 },
        { path: path.join(ws, 'b.yaml'), file: 'templates/b.yaml', size: 10 },
      ],
      options(ws),
    );
    const error = findings.find((f) => f.ruleId === 'E3002');
    expect(error).toMatchObject({
      source: 'cfn-lint',
      severity: 'error',
      file: 'templates/a.yaml.njk',
      line: 8,
      column: 7,
      endLine: 8,
      logicalId: 'B',
    });
    expect(error!.message).toMatch(/BucketNam/);
    expect(error!.helpUrl).toMatch(/^https:\/\//);
    expect(findings.find((f) => f.ruleId === 'W2001')).toMatchObject({
      severity: 'warning',
      line: 2,
    });
    expect(findings.some((f) => f.file === 'templates/b.yaml')).toBe(false);
  });

  it('lints files whose names look like glob patterns', async () => {
    const ws = await workspace({
      'a[1]*.yaml':
        'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Bogus: 1\n',
    });
    const findings = await lintTemplates(
      [{ path: path.join(ws, 'a[1]*.yaml'), file: 'a[1]*.yaml', size: 1 }],
      options(ws),
    );
    expect(findings).toEqual([
      expect.objectContaining({ file: 'a[1]*.yaml', ruleId: 'E3002', line: 5 }),
    ]);
  });

  it('gives the same findings when the templates are spread over several shards and workers', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 8; i++)
      files[`t${i}.yaml`] =
        `Resources:\n  Q${i}:\n    Type: AWS::SQS::Queue\n    Properties:\n      DelaySeconds: ${i % 2 ? '"x"' : 1}\n`;
    const ws = await workspace(files);
    // Sizes that make 7 shards: one worker runs them one after another, or two share them.
    const targets = Object.keys(files).map((f) => ({
      path: path.join(ws, f),
      file: f,
      size: 40_000,
    }));
    const one = await lintTemplates(targets, options(ws, { cores: 1 }));
    const two = await lintTemplates(targets, options(ws, { cores: 2 }));
    const key = (f: { file: string; line: number; ruleId: string }) =>
      `${f.file}:${f.line}:${f.ruleId}`;
    expect(one.length).toBe(4);
    expect(two.map(key).sort()).toEqual(one.map(key).sort());
  });

  it('finds with its forked workers exactly what the cfn-lint command finds, on every fixture', async () => {
    const fixtures = [
      'valid/bucket.yaml',
      'valid/queue.json',
      'policies/all-types.yaml',
      ...['bucket', 'iam', 'network', 'queue'].map((n) => `sample/templates/${n}.yaml`),
      ...['broken.json', 'duplicate-keys.yaml', 'empty.yaml', 'not-a-template.yaml']
        .concat(['syntax.yaml', 'tabs.yaml', 'unknown-tag.yaml'])
        .map((n) => `malformed/${n}`),
    ];
    const ws = await workspace({});
    // Each fixture a shard of its own, all run by one worker that stays: what one template leaves
    // behind in the worker must not change the findings of the next.
    const targets = fixtures.map((f) => ({ path: path.join(FIXTURES, f), file: f, size: 60_000 }));
    const said: string[] = [];
    const log = { ...silentLogger, info: (m: string) => said.push(m) };
    const forked = await lintTemplates(targets, options(ws, { log, cores: 1 }));
    const command = await lintTemplates(targets, options(ws, { command: true, log }));
    expect(said).toEqual([
      expect.stringMatching(/in workers forked by one Python process/),
      expect.stringMatching(/one cfn-lint process per shard/),
    ]);
    const key = (f: object) => JSON.stringify(f);
    expect(forked.length).toBeGreaterThan(10);
    expect(new Set(forked.map((f) => f.file)).size).toBeGreaterThan(5);
    expect(forked.map(key).sort()).toEqual(command.map(key).sort());
  });

  it('takes the server started early when its options match, once, and starts its own otherwise', async () => {
    const ws = await workspace({ 'a.yaml': { copy: 'valid/bucket.yaml' } });
    const { executable, ...rest } = options(ws);
    const warm = new LintWarmup(Promise.resolve(executable), rest);
    expect(warm.take(['--format', 'json', '--regions', 'eu-west-1'], ws)).toBeUndefined();
    const target = [{ path: path.join(ws, 'a.yaml'), file: 'a.yaml', size: 1 }];
    const said: string[] = [];
    const log = { ...silentLogger, info: (m: string) => said.push(m) };
    // the first run takes it (a second take gets nothing), the second starts a server of its own
    expect(await lintTemplates(target, options(ws, { warm, log }))).toEqual([]);
    expect(warm.take(['--format', 'json', '--regions', 'us-east-1'], ws)).toBeUndefined();
    expect(await lintTemplates(target, options(ws, { warm, log }))).toEqual([]);
    expect(said).toEqual([
      expect.stringMatching(/in workers forked by one Python process/),
      expect.stringMatching(/in workers forked by one Python process/),
    ]);
    warm.close();
  });

  it('passes extra arguments through and reports a bad one clearly', async () => {
    const ws = await workspace({ 'a.yaml': { copy: 'valid/bucket.yaml' } });
    const target = [{ path: path.join(ws, 'a.yaml'), file: 'a.yaml', size: 1 }];
    const bad = await lintTemplates(
      target,
      options(ws, { extraArgs: ['--regions', 'xx-nowhere-1'] }),
    ).catch((e: Error) => e);
    expect(bad).toBeInstanceOf(Error);
    expect((bad as Error).message).toMatch(/cfn-lint failed/);
    expect((bad as Error).message).toMatch(/xx-nowhere-1|region/i);
  });

  /** Reports one finding per template; hangs on a file named slow*, kills itself on bomb*. */
  const FAKE_LINT =
    '#!/bin/sh\nout=""\nfor a in "$@"; do case "$a" in */slow*) exec sleep 30;; */bomb*) kill -SEGV $$;; */*) out="$out${out:+,}{\\"Filename\\":\\"$a\\",\\"Level\\":\\"Warning\\",\\"Message\\":\\"seen\\",\\"Rule\\":{\\"Id\\":\\"W1\\"}}";; esac; done\necho "[$out]"\n';

  it.each([
    ['slow', /could not check this file: timed out after 1 s/],
    ['bomb', /could not check this file: killed by SIGSEGV/],
  ])(
    'isolates a file that makes cfn-lint fail (%s); the other files keep their findings',
    async (culprit, message) => {
      const names = ['a', 'b', culprit, 'c', 'd'];
      const ws = await workspace({
        'fake-lint': FAKE_LINT,
        ...Object.fromEntries(names.map((n) => [`${n}.yaml`, 'Resources: {}\n'])),
      });
      await fs.chmod(path.join(ws, 'fake-lint'), 0o755);
      const targets = names.map((n) => ({
        path: path.join(ws, `${n}.yaml`),
        file: `${n}.yaml`,
        size: 1,
      }));
      const findings = await lintTemplates(
        targets,
        options(ws, { executable: path.join(ws, 'fake-lint'), timeoutSeconds: 1, cores: 1 }),
      );
      expect(findings.map((f) => `${f.file} ${f.ruleId}`).sort()).toEqual(
        ['a.yaml W1', 'b.yaml W1', `${culprit}.yaml L1001`, 'c.yaml W1', 'd.yaml W1'].sort(),
      );
      expect(findings.find((f) => f.file === `${culprit}.yaml`)!.message).toMatch(message);
    },
  );

  /** A trusted .cfnlintrc's own rule (append_rules) that misbehaves on a resource of that name. */
  const misbehaving = (crash: string) => ({
    '.cfnlintrc': 'append_rules:\n  - odd_rules\n',
    'odd_rules/odd.py': [
      'import os, signal, time',
      'from cfnlint.rules import CloudFormationLintRule',
      'class Odd(CloudFormationLintRule):',
      "    id = 'E9901'",
      "    shortdesc = description = 'misbehaves'",
      '    def match(self, cfn):',
      "        resources = cfn.template.get('Resources', {})",
      "        with open(os.path.join(os.path.dirname(__file__), '..', 'seen.log'), 'a') as log:",
      "            log.write(','.join(resources) + '\\n')",
      "        if 'Crash' in resources: os.kill(os.getpid(), signal.SIGSEGV)",
      "        if 'Slow' in resources: time.sleep(60)",
      '        return []',
      '',
    ].join('\n'),
    [`${crash.toLowerCase()}.yaml`]: `Resources:\n  ${crash}:\n    Type: AWS::SNS::Topic\n`,
    'a.yaml': 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Bogus: 1\n',
    'b.yaml': 'Resources:\n  R:\n    Type: AWS::SQS::Queue\n    Properties:\n      Bogus: 1\n',
    'c.yaml': 'Resources:\n  S:\n    Type: AWS::SQS::Queue\n    Properties:\n      Bogus: 1\n',
  });

  it.each([
    ['Crash', /could not check this file: killed by SIGSEGV\./],
    ['Slow', /could not check this file: timed out after 5 s/],
  ])(
    'isolates a file on which a forked worker fails (%s); a killed worker is never "not installed"',
    async (culprit, message) => {
      const ws = await workspace(misbehaving(culprit));
      const file = `${culprit.toLowerCase()}.yaml`;
      // One shard, the culprit in its middle: the worker names it, so nothing is checked twice.
      const targets = ['a.yaml', file, 'b.yaml', 'c.yaml'].map((f) => ({
        path: path.join(ws, f),
        file: f,
        size: 1,
      }));
      const said: string[] = [];
      const log = { ...silentLogger, info: (m: string) => said.push(m) };
      const findings = await lintTemplates(
        targets,
        options(ws, { cores: 1, timeoutSeconds: 5, log }),
      );
      expect(said.join('\n')).toMatch(/forked by one Python process/);
      expect(findings.map((f) => `${f.file} ${f.ruleId}`).sort()).toEqual([
        'a.yaml E3002',
        'b.yaml E3002',
        'c.yaml E3002',
        `${file} L1001`,
      ]);
      expect(findings.find((f) => f.ruleId === 'L1001')!.message).toMatch(message);
      // the probe's template aside, each template was checked once: no halving and re-running
      const seen = (await fs.readFile(path.join(ws, 'seen.log'), 'utf8')).split('\n');
      expect(seen.filter((l) => l && l !== 'Probe').sort()).toEqual(
        [culprit, 'Q', 'R', 'S'].sort(),
      );
    },
  );

  it('reads exit code 128 + N of a wrapper script as the signal N that killed cfn-lint', async () => {
    const ws = await workspace({
      'wrapped-lint': '#!/bin/sh\ncase "$*" in *bad*) exit 139;; esac\necho "[]"\n',
      'a.yaml': 'Resources: {}\n',
      'bad.yaml': 'Resources: {}\n',
    });
    await fs.chmod(path.join(ws, 'wrapped-lint'), 0o755);
    const targets = ['a.yaml', 'bad.yaml'].map((f) => ({
      path: path.join(ws, f),
      file: f,
      size: 1,
    }));
    const findings = await lintTemplates(
      targets,
      options(ws, { executable: path.join(ws, 'wrapped-lint') }),
    );
    expect(findings).toEqual([
      expect.objectContaining({
        file: 'bad.yaml',
        ruleId: 'L1001',
        message: expect.stringMatching(/killed by SIGSEGV \(exit code 139\)/),
      }),
    ]);
  });

  it('tells a missing executable and a broken setup from a file cfn-lint cannot check', async () => {
    const ws = await workspace({
      'noisy-lint': '#!/bin/sh\necho "Traceback: boom" >&2\nexit 1\n',
      'a.yaml': 'Resources: {}\n',
    });
    await fs.chmod(path.join(ws, 'noisy-lint'), 0o755);
    const target = [{ path: path.join(ws, 'a.yaml'), file: 'a.yaml', size: 1 }];
    await expect(
      lintTemplates(target, options(ws, { executable: path.join(ws, 'nope') })),
    ).rejects.toThrow(/cfn-lint was not found/);
    await expect(
      lintTemplates(target, options(ws, { executable: path.join(ws, 'noisy-lint') })),
    ).rejects.toThrow(/one-resource template too: exit code 1.*\n.*Traceback: boom/);
  });

  it('reports its version, read from the package metadata or from cfn-lint itself', async () => {
    const { execFileSync } = await import('node:child_process');
    const asked = /(\d+\.\d+\.\d+)/.exec(
      execFileSync(cfnLint, ['--version'], { encoding: 'utf8' }),
    )![1];
    expect(await cfnLintVersion(cfnLint, process.env)).toBe(asked);
    const ws = await workspace({ 'fake-lint': '#!/bin/sh\necho "cfn-lint 9.8.7"\n' });
    await fs.chmod(path.join(ws, 'fake-lint'), 0o755);
    expect(await cfnLintVersion(path.join(ws, 'fake-lint'), process.env)).toBe('9.8.7');
  });
});

describe('locating cfn-lint', () => {
  it('uses the one on PATH, skipping a pyenv shim for the script it runs', async () => {
    const onPath = (await which('cfn-lint', process.env))!;
    const { execFileSync } = await import('node:child_process');
    const isShim = path.basename(path.dirname(onPath)) === 'shims';
    const expected = isShim
      ? execFileSync('pyenv', ['which', 'cfn-lint'], { encoding: 'utf8' }).trim()
      : onPath;
    expect(cfnLint).toBe(expected);
    expect(execFileSync(cfnLint, ['--version'], { encoding: 'utf8' })).toMatch(/cfn-lint 1\./);
  });
});
