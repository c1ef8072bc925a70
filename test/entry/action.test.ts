import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runActionInProcess } from '../helpers/action.js';
import { workspace } from '../helpers/paths.js';

describe('the action in-process, with real cfn-lint', () => {
  it('validates, sets the outputs and the verdict, writes the JSON report and annotates', async () => {
    const ws = await workspace({
      'templates/ok.yaml': { copy: 'valid/bucket.yaml' },
      'templates/bad.yaml':
        'Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: data\n      "::error::Bogus": 1\n',
    });
    const r = await runActionInProcess(ws, { templates: 'templates/' });
    expect(r.failed).toBe('1 finding at or above fail-on "error".');
    expect(r.outputs).toMatchObject({ errors: '1', warnings: '1', blocking: 'true' });
    const report = JSON.parse(await fs.readFile(r.outputs['report-json']!, 'utf8'));
    expect(report.findings).toEqual([
      expect.objectContaining({ file: 'templates/bad.yaml', line: 6, ruleId: 'E3002' }),
      expect.objectContaining({ file: 'templates/bad.yaml', line: 2, ruleId: 'S1001' }),
    ]);
    // Template text reaches the log only through the stop-commands fence.
    const text = r.log.find((line) => line.includes('templates/bad.yaml:6:7 error E3002'));
    expect(text).toMatch(/^::stop-commands::[0-9a-f]{32}\n/);
    expect(r.annotations).toContainEqual(
      expect.objectContaining({ level: 'error', file: 'templates/bad.yaml', startLine: 6 }),
    );
    expect(r.summary).toContain('iac-action: blocked');
  });

  it('on a runner whose temp folder cannot be written, warns naming each file and keeps the verdict', async () => {
    const ws = await workspace({ 'templates/ok.yaml': { copy: 'valid/bucket.yaml' } });
    // Tests may run as root, where permissions stop no write: a folder below a file stops every one.
    await fs.writeFile(path.join(ws, 'blocker'), '');
    const temp = path.join(ws, 'blocker', 'temp');
    const r = await runActionInProcess(
      ws,
      { templates: 'templates/' },
      { env: { RUNNER_TEMP: temp } },
    );
    expect(r.failed).toBeUndefined();
    expect(r.outputs).toMatchObject({ blocking: 'false', 'report-json': '', 'sarif-file': '' });
    const warnings = r.log.filter((line) => line.startsWith('warning: '));
    expect(warnings).toEqual([
      expect.stringContaining(`the JSON report ${path.join(temp, 'iac-action-report.json')}`),
      expect.stringContaining(`the SARIF file ${path.join(temp, 'iac-action.sarif')}`),
    ]);
    expect(r.summary).toContain('iac-action: passed');
  });
});
