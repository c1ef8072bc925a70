import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBuiltCli } from '../helpers/built.js';
import { cli, noCredentials } from '../helpers/cli.js';
import { workspace } from '../helpers/paths.js';

describe('iac-action validate', () => {
  it('exits 0 and prints a summary line when nothing blocks', async () => {
    const ws = await workspace({ 'templates/bucket.yaml': { copy: 'valid/bucket.yaml' } });
    const r = await cli(['validate'], ws, noCredentials);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /0 errors, 0 warnings, 0 info in 1 template \(cfn-lint 1\.\d+\.\d+.*\): passed\.$/,
    );
  });

  it('exits 1 with compiler-style lines when findings block, and --fail-on none lets it pass', async () => {
    const ws = await workspace({
      'infra/bad.yaml':
        'Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketNam: x\n',
      'infra/tabs.yaml': { copy: 'malformed/tabs.yaml' },
    });
    const r = await cli(['validate', 'infra/bad.yaml', 'infra/tabs.yaml'], ws, noCredentials);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('infra/bad.yaml:5:7 error E3002 ');
    expect(r.stdout).toContain(
      'infra/tabs.yaml:3:1 error E0000 found character that cannot start any token (YAML syntax error: Tabs are not allowed as indentation.)',
    );
    expect(r.stdout).toMatch(
      /2 errors, .* in 2 templates .*blocked: 2 at or above fail-on "error"\.$/,
    );
    expect((await cli(['validate', 'infra/', '--fail-on', 'none'], ws, noCredentials)).status).toBe(
      0,
    );
  });

  it('works in the runner temp folder when /tmp cannot be written, and says so when neither can', async () => {
    const ws = await workspace({ 'templates/bucket.yaml': { copy: 'valid/bucket.yaml' } });
    const notAFolder = path.join(ws, 'tmp-is-a-file');
    await fs.writeFile(notAFolder, '');
    const runnerTemp = path.join(ws, 'runner-temp');
    await fs.mkdir(runnerTemp);
    const fallback = await cli(['validate'], ws, {
      ...noCredentials,
      TMPDIR: notAFolder,
      RUNNER_TEMP: runnerTemp,
    });
    expect(fallback.status).toBe(0);
    expect(fallback.stderr).toContain(
      `No scratch folder could be made in ${notAFolder} (ENOTDIR); using ${runnerTemp}.`,
    );
    const neither = await cli(['validate'], ws, {
      ...noCredentials,
      TMPDIR: notAFolder,
      RUNNER_TEMP: path.join(notAFolder, 'x'),
    });
    expect(neither.status).toBe(2);
    expect(neither.stderr).toContain(`No scratch folder could be made in ${notAFolder} (ENOTDIR)`);
    expect(neither.stderr).toMatch(/Point TMPDIR \(or RUNNER_TEMP\) to a writable folder/);
    expect(neither.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('--fail-on warning blocks on warnings', async () => {
    const ws = await workspace({
      't.yaml':
        'Parameters:\n  Unused:\n    Type: String\nResources:\n  T:\n    Type: AWS::SNS::Topic\n',
    });
    expect((await cli(['validate', 't.yaml'], ws, noCredentials)).status).toBe(0);
    const r = await cli(['validate', 't.yaml', '--fail-on', 'warning'], ws, noCredentials);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('t.yaml:2:3 warning W2001');
  });

  it('prints the JSON report with templates, findings and summary', async () => {
    const ws = await workspace({ 'cdk.out': { copy: 'cdk/cdk.out' } });
    const r = await cli(['validate', 'cdk.out', '--format', 'json'], ws, noCredentials);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.templates).toEqual([
      expect.objectContaining({
        file: 'cdk.out/AppStack.template.json',
        origin: 'cdk',
        stackName: 'AppStack',
        resources: 2,
      }),
    ]);
    expect(report.findings[0]).toMatchObject({
      source: 'cfn-lint',
      ruleId: expect.stringMatching(/^E/),
      severity: 'error',
      file: 'cdk.out/AppStack.template.json',
      line: expect.any(Number),
      column: expect.any(Number),
      message: expect.any(String),
    });
    expect(report.summary).toMatchObject({ error: 1, blocking: true, failOn: 'error' });
  });

  it('checks the rendering of nunjucks templates and names the source file', async () => {
    const ws = await workspace({
      environments: { copy: 'rendered/environments' },
      templates: { copy: 'rendered/templates' },
    });
    const r = await cli(
      ['validate', '--environment', 'dev', '--format', 'json'],
      ws,
      noCredentials,
    );
    const report = JSON.parse(r.stdout);
    expect(report.environment).toBe('dev');
    expect(
      report.templates.map((t: { file: string; origin: string }) => `${t.file}:${t.origin}`),
    ).toEqual(['templates/broken.yaml.njk:nunjucks', 'templates/lake.yaml.njk:nunjucks']);
    expect(report.findings).toEqual([
      expect.objectContaining({ file: 'templates/broken.yaml.njk', ruleId: 'R1001', line: 5 }),
    ]);
    expect(r.status).toBe(1);
  });

  it('points cfn-lint findings on a rendering at the template line that produced them', async () => {
    const ws = await workspace({
      'environments/dev.yaml': 'variables:\n  queues: [a, b, c]\n',
      'q.yaml.njk':
        'Resources:\n{% for q in queues %}\n  Queue{{ q | upper }}:\n    Type: AWS::SQS::Queue\n    Properties:\n      DelaySeconds: "{{ q }}"\n{% endfor %}\n',
    });
    const r = await cli(
      ['validate', 'q.yaml.njk', '--environment', 'dev', '--format', 'json'],
      ws,
      noCredentials,
    );
    const report = JSON.parse(r.stdout);
    const lint = report.findings.filter((f: { source: string }) => f.source === 'cfn-lint');
    expect(lint.length).toBe(3);
    for (const f of lint)
      expect(f).toMatchObject({ file: 'q.yaml.njk', line: 6, source: 'cfn-lint' });
  });

  it('honours a repository .cfnlintrc only when the repository is trusted', async () => {
    const ws = await workspace({
      '.cfnlintrc': 'ignore_checks:\n  - W2001\n',
      't.yaml':
        'Parameters:\n  Unused:\n    Type: String\nResources:\n  T:\n    Type: AWS::SNS::Topic\n',
    });
    const untrusted = JSON.parse(
      (await cli(['validate', 't.yaml', '--format', 'json'], ws, noCredentials)).stdout,
    );
    expect(untrusted.findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(['W2001']);
    const trusted = JSON.parse(
      (
        await cli(
          ['validate', 't.yaml', '--format', 'json', '--trust-repo-config', 'true'],
          ws,
          noCredentials,
        )
      ).stdout,
    );
    expect(trusted.findings).toEqual([]);
  });

  it('warns about a report file it cannot write, writes the others and keeps the exit status', async () => {
    const ws = await workspace({
      't.yaml':
        'Parameters:\n  Unused:\n    Type: String\nResources:\n  T:\n    Type: AWS::SNS::Topic\n',
      blocker: '',
    });
    const r = await cli(
      ['validate', 't.yaml', '--markdown', 'blocker/comment.md', '--summary', 'out/summary.md'],
      ws,
      noCredentials,
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(
      /^warning: Refusing to write the --markdown file \S*\/blocker\/comment\.md: .*blocker is not a folder/m,
    );
    expect(await fs.readFile(path.join(ws, 'out/summary.md'), 'utf8')).toContain('W2001');
  });

  it('keeps the regions a trusted .cfnlintrc names instead of the aws-region input', async () => {
    const ws = await workspace({
      '.cfnlintrc': 'regions:\n  - eu-west-1\n  - ap-southeast-2\n',
      't.yaml': 'Resources:\n  T:\n    Type: AWS::Foo::Bar\n',
    });
    const run = async (trust: string) =>
      JSON.parse(
        (
          await cli(['validate', 't.yaml', '--format', 'json', '--trust-repo-config', trust], ws, {
            ...noCredentials,
            AWS_REGION: 'us-east-2',
          })
        ).stdout,
      ).findings.map((f: { message: string }) => /in '([a-z0-9-]+)'/.exec(f.message)?.[1]);
    expect(await run('true')).toEqual(['eu-west-1', 'ap-southeast-2']);
    expect(await run('false')).toEqual(['us-east-2']);
  });

  it('the built dist/cli.js runs on Node 24 with the same exit codes', async () => {
    const ws = await workspace({
      'templates/bucket.yaml': { copy: 'valid/bucket.yaml' },
      'bad/x.yaml': { copy: 'malformed/duplicate-keys.yaml' },
    });
    const ok = await runBuiltCli(ws, ['validate', '--format', 'json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).summary.blocking).toBe(false);
    const bad = await runBuiltCli(ws, ['validate', 'bad/x.yaml']);
    expect(bad).toMatchObject({
      code: 1,
      stdout: expect.stringContaining(
        "bad/x.yaml:4:3 error E0000 Duplicate found 'Bucket' (line 4) (Duplicate key:",
      ),
    });
    const usage = await runBuiltCli(ws, ['validate', '--format', 'xml']);
    expect(usage).toMatchObject({ code: 2 });
  });
});
