import fs from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runBuiltAction } from '../helpers/built.js';
import { workspace } from '../helpers/paths.js';

describe('the built action (dist/index.js on Node 24)', () => {
  it('validates, logs the report safely, writes the JSON report and sets the outputs', async () => {
    const ws = await workspace({
      'templates/ok.yaml': { copy: 'valid/bucket.yaml' },
      'templates/bad.yaml':
        'Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: data\n      "::error::Bogus": 1\n',
    });
    const r = await runBuiltAction(ws, { templates: 'templates/' });
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
    const r = await runBuiltAction(ws, { templates: 'infra/q.json', 'fail-on': 'warning' });
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ errors: '0', warnings: '0', blocking: 'false' });
  });

  it('fails with one message for a wrong input, and refuses to deploy from a pull request', async () => {
    const ws = await workspace({ 'templates/q.json': { copy: 'valid/queue.json' } });
    const wrong = await runBuiltAction(ws, { 'fail-on': 'often' });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain(
      '::error::Input "fail-on" is "often", which is not one of: error, warning, none.',
    );
    expect(wrong.summary).toContain('iac-action could not run');
    expect(wrong.summary).toContain('Input &quot;fail-on&quot; is &quot;often&quot;');
    const pr = await runBuiltAction(
      ws,
      { mode: 'deploy' },
      { env: { GITHUB_EVENT_NAME: 'pull_request' } },
    );
    expect(pr.code).toBe(1);
    expect(pr.stdout).toMatch(/::error::Input "mode: deploy" is refused on pull_request events/);
  });
});
