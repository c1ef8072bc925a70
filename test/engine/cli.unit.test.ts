import { describe, expect, it } from 'vitest';
import { cli, noCredentials } from '../helpers/cli.js';
import { workspace } from '../helpers/paths.js';

describe('iac-action validate', () => {
  it('exits 2 with one clear message for bad usage and bad input', async () => {
    const ws = await workspace({ 'templates/a.yaml': { copy: 'valid/queue.json' } });
    const cases: [string[], RegExp][] = [
      [[], /No command given/],
      [['deploy-everything'], /Unknown command "deploy-everything"/],
      [['validate', '--format', 'xml'], /--format "xml" is not one of: text, json/],
      [['validate', '--fail-on', 'sometimes'], /Input "fail-on" is "sometimes"/],
      [['validate', '--bogus'], /^iac-action: Unknown option '--bogus'\.\nRun `iac-action --help`/],
      [['validate', '--format'], /^iac-action: Option '--format <value>' argument missing/],
      [['validate', 'nothing-here.yaml'], /"nothing-here.yaml" does not exist/],
      [['validate', '../outside.yaml'], /outside the workspace/],
      [['validate', '--environment', 'nope'], /Environment "nope" was not found/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args, ws, noCredentials);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('exits 2 when cfn-lint is missing, with the install command', async () => {
    const ws = await workspace({ 'templates/a.yaml': { copy: 'valid/bucket.yaml' } });
    const r = await cli(['validate'], ws, { PATH: '/nonexistent' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cfn-lint is not installed[\s\S]*pip install cfn-lint==1\.51\.0/);
  });
});
