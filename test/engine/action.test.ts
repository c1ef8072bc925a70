import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { NODE24, ROOT, workspace } from '../helpers/paths.js';

/** Run the committed dist/index.js the way the runner does: inputs as INPUT_* variables, Node 24. */
async function runAction(
  ws: string,
  inputs: Record<string, string>,
  extraEnv: Record<string, string> = {},
) {
  const runner = path.join(ws, '.runner');
  await fs.mkdir(runner, { recursive: true });
  const outputFile = path.join(runner, 'output');
  const summaryFile = path.join(runner, 'summary');
  await fs.writeFile(outputFile, '');
  await fs.writeFile(summaryFile, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    GITHUB_WORKSPACE: ws,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_EVENT_NAME: 'push',
    RUNNER_TEMP: runner,
    ...extraEnv,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const result = await promisify(execFile)(NODE24, [path.join(ROOT, 'dist/index.js')], {
    env,
    cwd: ws,
  }).catch((e: { code: number; stdout: string; stderr: string }) => e);
  const outputs: Record<string, string> = {};
  const text = await fs.readFile(outputFile, 'utf8');
  for (const m of text.matchAll(/^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm)) outputs[m[1]!] = m[3]!;
  const summary = await fs.readFile(summaryFile, 'utf8');
  return { code: 'code' in result ? result.code : 0, stdout: result.stdout, outputs, summary };
}

describe('the built action (dist/index.js on Node 24)', () => {
  it('validates, logs the report safely, writes the JSON report and sets the outputs', async () => {
    const ws = await workspace({
      'templates/ok.yaml': { copy: 'valid/bucket.yaml' },
      'templates/bad.yaml':
        'Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: data\n      "::error::Bogus": 1\n',
    });
    const r = await runAction(ws, { templates: 'templates/' });
    expect(r.code).toBe(1);
    // The bucket has no DeletionPolicy: the stateful-resource check warns about it.
    expect(r.outputs).toMatchObject({ errors: '1', warnings: '1', blocking: 'true' });
    const report = JSON.parse(await fs.readFile(r.outputs['report-json']!, 'utf8'));
    expect(report.findings).toEqual([
      expect.objectContaining({ file: 'templates/bad.yaml', line: 6, ruleId: 'E3002' }),
      expect.objectContaining({ file: 'templates/bad.yaml', line: 2, ruleId: 'S1001' }),
    ]);
    // Template text in the log cannot issue workflow commands: it sits between stop-commands markers.
    const stop = /::stop-commands::([0-9a-f]{32})\n([\s\S]*?)\n::\1::/.exec(r.stdout);
    expect(stop?.[2]).toContain('templates/bad.yaml:6:7 error E3002');
    expect(stop?.[2]).toContain('::error::Bogus');
    // Outside that block the only bare ::error:: line is the action's own verdict (annotations carry
    // the text as escaped command data, which the runner does not parse again).
    const outside = r.stdout.split(stop![0]).join('').split('\n');
    expect(outside.filter((l) => l.startsWith('::error::'))).toEqual([
      '::error::1 finding at or above fail-on "error".',
    ]);
    expect(r.stdout).toMatch(/::error::1 finding at or above fail-on "error"\./);
  });

  it('passes and reports zero findings on clean templates', async () => {
    const ws = await workspace({ 'infra/q.json': { copy: 'valid/queue.json' } });
    const r = await runAction(ws, { templates: 'infra/q.json', 'fail-on': 'warning' });
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ errors: '0', warnings: '0', blocking: 'false' });
  });

  it('fails with one message for a wrong input, and refuses to deploy from a pull request', async () => {
    const ws = await workspace({ 'templates/q.json': { copy: 'valid/queue.json' } });
    const wrong = await runAction(ws, { 'fail-on': 'often' });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain(
      '::error::Input "fail-on" is "often", which is not one of: error, warning, none.',
    );
    expect(wrong.summary).toContain('iac-action could not run');
    expect(wrong.summary).toContain('Input &quot;fail-on&quot; is &quot;often&quot;');
    const pr = await runAction(ws, { mode: 'deploy' }, { GITHUB_EVENT_NAME: 'pull_request' });
    expect(pr.code).toBe(1);
    expect(pr.stdout).toMatch(/::error::Input "mode: deploy" is refused on pull_request events/);
  });
});
