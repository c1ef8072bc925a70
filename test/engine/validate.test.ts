import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { which } from '../../src/lint/install.js';
import { silentLogger } from '../../src/model/logger.js';
import { readSettings } from '../../src/model/settings.js';
import { realEdges } from '../../src/pipeline/edges.js';
import { validate } from '../../src/pipeline/validate.js';
import { ROOT, workspace } from '../helpers/paths.js';

const cfnLint = (await which('cfn-lint', process.env))!;
const env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_REGION: 'us-east-1' };

/** Validate a workspace with the real cfn-lint behind a wrapper that records every path it gets. */
async function validateRecorded(ws: string, templates: string) {
  const log = path.join(ws, '..', `${path.basename(ws)}-cfn-lint-args.log`);
  const wrapper = path.join(ws, '..', `${path.basename(ws)}-cfn-lint`);
  await fs.writeFile(wrapper, `#!/bin/sh\necho "$@" >> '${log}'\nexec '${cfnLint}' "$@"\n`);
  await fs.chmod(wrapper, 0o755);
  const settings = readSettings(
    (name) => ({ templates, 'policy-validation': 'offline' })[name as string],
    { env, workspace: ws },
  );
  const edges = realEdges(settings, { log: silentLogger, env });
  const validation = await validate(settings, { ...edges, locateCfnLint: async () => wrapper });
  const args = await fs.readFile(log, 'utf8').catch(() => '');
  return { validation, args };
}

const UNUSED_PARAMETER =
  'Parameters:\n  Unused:\n    Type: String\nResources:\n  T:\n    Type: AWS::SNS::Topic\n';

describe('validation around cfn-lint', () => {
  it('refuses bombs and deep nesting before cfn-lint; unknown tags and syntax errors still get cfn-lint', async () => {
    const ws = await workspace({
      'templates/good.yaml': UNUSED_PARAMETER,
      'templates/bomb.yaml': { copy: 'malformed/alias-bomb.yaml' },
      'templates/deep.json': `{"Resources": ${'['.repeat(5000)}${']'.repeat(5000)}}`,
      'templates/tagged.yaml': `${UNUSED_PARAMETER}    Properties:\n      TopicName: !Rain::Embed name.txt\n`,
      'templates/duplicate.yaml': `${UNUSED_PARAMETER}  T:\n    Type: AWS::SQS::Queue\n`,
      // Strict JSON refuses the trailing commas, but cfn-lint reads the file and has findings.
      'templates/trailing.json':
        '{"Parameters": {"Unused": {"Type": "String"}},\n "Resources": {"T": {"Type": "AWS::SNS::Topic"},},}\n',
    });
    const { validation, args } = await validateRecorded(
      ws,
      ['bomb', 'good', 'tagged', 'duplicate']
        .map((n) => `templates/${n}.yaml`)
        .concat('templates/deep.json', 'templates/trailing.json')
        .join('\n'),
    );
    expect(args).toMatch(/good\.yaml/);
    expect(args).not.toMatch(/bomb\.yaml|deep\.json/);
    const seen = validation.findings.map((f) => `${f.file} ${f.ruleId}`).sort();
    expect(seen).toEqual([
      'templates/bomb.yaml P1004',
      'templates/deep.json P1004',
      // cfn-lint names both places of the duplicate key; ours, at the second, would repeat it.
      'templates/duplicate.yaml E0000',
      'templates/duplicate.yaml E0000',
      'templates/good.yaml W2001',
      'templates/tagged.yaml E3012',
      'templates/tagged.yaml P1008',
      'templates/tagged.yaml W2001',
      'templates/trailing.json P1000',
      'templates/trailing.json W2001',
    ]);
    expect(validation.targets.map((t) => t.file).sort()).toEqual([
      'templates/good.yaml',
      'templates/tagged.yaml',
    ]);
  });

  it('in a folder scan, reports what it could not read and counts what is no template', async () => {
    const ws = await workspace({
      'templates/good.yaml': UNUSED_PARAMETER,
      'templates/params.json': '[{"ParameterKey": "A"}]',
      'templates/nested.json': '{"Outputs": {"X": {"Value": {"Resources": 1}}}}',
      'templates/wide.yaml': '',
    });
    await fs.writeFile(
      path.join(ws, 'templates/wide.yaml'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(UNUSED_PARAMETER, 'utf16le')]),
    );
    // UTF-32 big-endian: each character four bytes, the byte order mark first.
    const utf32 = Buffer.alloc(4 * (UNUSED_PARAMETER.length + 1));
    [0xfeff, ...Buffer.from(UNUSED_PARAMETER)].forEach((c, i) => utf32.writeUInt32BE(c, 4 * i));
    await fs.writeFile(path.join(ws, 'templates/wide32.yaml'), utf32);
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'outside-'));
    await fs.writeFile(path.join(outside, 'secret.yaml'), UNUSED_PARAMETER);
    await fs.symlink(path.join(outside, 'secret.yaml'), path.join(ws, 'templates/secret.yaml'));
    const { validation, args } = await validateRecorded(ws, 'templates/');
    expect(args).not.toMatch(/wide|secret|nested|params/);
    expect(validation.findings.map((f) => `${f.file} ${f.ruleId}`).sort()).toEqual([
      'templates/good.yaml W2001',
      'templates/secret.yaml P1007',
      'templates/wide.yaml P1002',
      'templates/wide32.yaml P1002',
    ]);
    expect(validation.notices).toContainEqual(
      expect.stringMatching(
        /^2 files skipped: not templates .*: templates\/nested\.json, templates\/params\.json\.$/,
      ),
    );
    expect(validation.templates.map((t) => t.file)).not.toContain('templates/nested.json');
    expect(validation.skipped).toEqual(['templates/nested.json', 'templates/params.json']);
  });

  it('on SIGTERM stops cfn-lint, removes its scratch folder and ends by the signal', async () => {
    const ws = await workspace({ 'templates/a.yaml': UNUSED_PARAMETER });
    const bin = await fs.mkdtemp(path.join(os.tmpdir(), 'slow-bin-'));
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'scratch-'));
    const pidFile = path.join(bin, 'pid');
    await fs.writeFile(
      path.join(bin, 'cfn-lint'),
      `#!/bin/sh\n[ "$1" = --version ] && { echo "cfn-lint 1.51.0"; exit 0; }\necho $$ > '${pidFile}'\nexec sleep 60\n`,
    );
    await fs.chmod(path.join(bin, 'cfn-lint'), 0o755);
    const child = spawn(
      process.execPath,
      [
        '--import',
        pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href,
        path.join(ROOT, 'src/cli.ts'),
        'validate',
        'templates/',
      ],
      {
        cwd: ws,
        env: { PATH: `${bin}:${process.env.PATH}`, HOME: process.env.HOME, TMPDIR: tmp },
        stdio: 'ignore',
      },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_, signal) => resolve(signal)),
    );
    while (!(await fs.readFile(pidFile, 'utf8').catch(() => ''))) await setTimeout(50);
    const lintPid = Number(await fs.readFile(pidFile, 'utf8'));
    const scratch = async () => (await fs.readdir(tmp)).filter((f) => f.startsWith('iac-action-'));
    expect(await scratch()).toHaveLength(1);
    child.kill('SIGTERM');
    expect(await exited).toBe('SIGTERM');
    expect(await scratch()).toEqual([]);
    for (let i = 0; i < 100 && isAlive(lintPid); i++) await setTimeout(50);
    expect(isAlive(lintPid)).toBe(false);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
