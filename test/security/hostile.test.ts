// The product's own hostile cases, one or more per class of attack a pull request can bring,
// run against the built action and CLI with canary secrets in the environment. Each asserts that
// no canary appears in any channel, no file outside the workspace changes, and no workflow command
// comes from repository text.
import http from 'node:http';
import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnalyzer } from '../helpers/access-analyzer-server.js';
import { runBuiltAction, runBuiltCli, type BuiltRun } from '../helpers/built.js';

const CANARIES = {
  AWS_ACCESS_KEY_ID: 'AKIACANARY7Q2W4E6R8T',
  AWS_SECRET_ACCESS_KEY: 'canary-aws-secret-f3e9a1c7',
  AWS_SESSION_TOKEN: 'canary-session-token-55aa0b1c',
  GITHUB_TOKEN: 'ghs_canaryGitHubToken000000000000000',
  'INPUT_GITHUB-TOKEN': 'ghs_canaryInputToken0000000000000000',
  DATABASE_PASSWORD: 'canary-db-password-6d2f',
};
/** In files outside the workspace, and as secret values inside it. */
const OUTSIDE_CANARY = 'outside-file-canary-4242';
const NOECHO_CANARY = 'NoEchoCanary93ab71';
const MARKED_CANARY = 'MarkedSecretCanary0c7e';
const canaries = [...Object.values(CANARIES), OUTSIDE_CANARY, NOECHO_CANARY, MARKED_CANARY];

let root: string;
let outside: string;
let outsideBefore: Map<string, string>;

beforeAll(async () => {
  root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'iac-hostile-')));
  outside = path.join(root, 'outside');
  await fs.mkdir(outside);
  await fs.writeFile(path.join(outside, 'secret.txt'), `${OUTSIDE_CANARY}\n`);
  await fs.writeFile(path.join(outside, 'target.txt'), 'untouched\n');
  outsideBefore = await snapshot(root, ['ws']);
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** Every file below dir (but the skipped top-level names) with its content. */
async function snapshot(dir: string, skip: string[] = []): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    if (skip.includes(path.relative(dir, full).split(path.sep)[0]!)) continue;
    if (entry.isFile()) files.set(full, await fs.readFile(full, 'utf8'));
  }
  return files;
}

async function workspace(name: string, files: Record<string, string>): Promise<string> {
  const ws = path.join(root, 'ws', name);
  for (const [file, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(ws, file)), { recursive: true });
    await fs.writeFile(path.join(ws, file), text);
  }
  return ws;
}

/**
 * Lines the runner would execute: outside stop-commands blocks, after leading white space.
 * Returns them so a test can check each is one of the action's own.
 */
function workflowCommands(log: string): string[] {
  const commands: string[] = [];
  let stopToken: string | undefined;
  for (const raw of log.split('\n')) {
    const line = raw.trim();
    if (stopToken) {
      if (line === `::${stopToken}::`) stopToken = undefined;
      continue;
    }
    const stop = /^::stop-commands::(.+)$/.exec(line);
    if (stop) stopToken = stop[1];
    else if (line.startsWith('::') || line.startsWith('##[')) commands.push(line);
  }
  return commands;
}

/**
 * The action's own commands only: annotations, debug, masks. Repository text may appear in a
 * message or (escaped) in a file property, but never as a command or a property of its own.
 */
function expectOwnCommandsOnly(log: string): void {
  for (const command of workflowCommands(log)) {
    const head = /^::([a-z-]+)(?: ([^:]*))?::/.exec(command);
    expect(head?.[1], command).toMatch(/^(error|warning|notice|debug|add-mask)$/);
    for (const property of head?.[2]?.split(',') ?? []) {
      const [key, value] = property.split('=');
      expect(key, command).toMatch(/^(file|line|endLine|col|endColumn|title)$/);
      expect(decodeURIComponent(value ?? ''), command).not.toBe('PWNED');
    }
    if (head?.[1] === 'add-mask') expect(command).not.toMatch(/PWNED/);
  }
}

/** No canary in any channel; NoEcho values may only appear in the runner's own mask commands. */
async function expectNoCanary(run: BuiltRun, extraFiles: string[] = []): Promise<void> {
  const unmasked = (text: string) =>
    text
      .split('\n')
      .filter((line) => !line.trim().startsWith('::add-mask::'))
      .join('\n');
  const channels: Record<string, string> = {
    stdout: unmasked(run.stdout),
    stderr: run.stderr,
    summary: run.summary,
    outputs: JSON.stringify(run.outputs),
  };
  for (const file of extraFiles) channels[file] = await fs.readFile(file, 'utf8').catch(() => '');
  for (const [channel, text] of Object.entries(channels)) {
    for (const canary of canaries) expect(text, `${canary} in ${channel}`).not.toContain(canary);
  }
}

async function expectOutsideUntouched(): Promise<void> {
  expect(await snapshot(root, ['ws'])).toEqual(outsideBefore);
}

async function reportOf(run: BuiltRun): Promise<{
  findings: { file: string; line: number; ruleId: string; message: string }[];
}> {
  return JSON.parse(await fs.readFile(run.outputs['report-json']!, 'utf8'));
}

const BUCKET = 'Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n';
/** A bucket no check complains about. */
const SAFE_BUCKET = `${BUCKET}    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n`;
const actionEnv = { ...CANARIES, GITHUB_ACTIONS: 'true' };
const offline = { 'policy-validation': 'offline', comment: 'false' };

describe('rendering a hostile template', () => {
  it('refuses includes that lead outside the workspace, at the tag line, and never shows what they point at', async () => {
    const ws = await workspace('includes', {
      'templates/parent.yaml.njk': `${BUCKET}{% include "../../../outside/secret.txt" %}\n`,
      // A sibling folder whose name starts with the workspace's: includes-evil next to includes.
      'templates/prefix.yaml.njk': `${BUCKET}# sibling\n{% include "../../includes-evil/secret.txt" %}\n`,
      'templates/absolute.yaml.njk': `${BUCKET}{% include "/proc/self/environ" %}\n`,
      'templates/linked.yaml.njk': `${BUCKET}\n{% import "templates/out/secret.txt" as s %}\n`,
      'templates/environ.yaml.njk': `${BUCKET}{% extends "templates/environ" %}\n`,
      'templates/from.yaml.njk': `${BUCKET}{% from "templates/out/secret.txt" import x %}\n`,
      'templates/fine.yaml.njk': `{% include "partials/bucket.njk" %}\n`,
      'partials/bucket.njk': SAFE_BUCKET,
    });
    await fs.mkdir(`${ws}-evil`);
    await fs.writeFile(`${ws}-evil/secret.txt`, `${OUTSIDE_CANARY}\n`);
    await fs.symlink(outside, path.join(ws, 'templates/out'));
    await fs.symlink('/proc/self/environ', path.join(ws, 'templates/environ'));
    const run = await runBuiltAction(
      ws,
      { templates: 'templates/', ...offline },
      { env: actionEnv },
    );
    const report = await reportOf(run);
    const refused = (file: string) =>
      report.findings.find((f) => f.file === `templates/${file}` && f.ruleId === 'R1001');
    expect(refused('parent.yaml.njk')).toMatchObject({ line: 4 });
    expect(refused('prefix.yaml.njk')).toMatchObject({ line: 5 });
    expect(refused('absolute.yaml.njk')).toMatchObject({ line: 4 });
    expect(refused('linked.yaml.njk')).toMatchObject({ line: 5 });
    expect(refused('environ.yaml.njk')).toMatchObject({ line: 4 });
    expect(refused('from.yaml.njk')).toMatchObject({ line: 4 });
    for (const f of report.findings.filter((f) => f.ruleId === 'R1001'))
      expect(f.message).toMatch(
        /include refused.*(outside the workspace|not a workspace-relative)/,
      );
    // An include inside the workspace still renders.
    expect(report.findings.filter((f) => f.file === 'templates/fine.yaml.njk')).toEqual([]);
    await expectNoCanary(run, [run.outputs['report-json']!, run.outputs['sarif-file']!]);
    await expectOutsideUntouched();
    expectOwnCommandsOnly(run.stdout);
  });

  it('refuses the known ways from a template to JavaScript, also through the top-level context', async () => {
    const escapes = [
      '{{ range.constructor("return process.env")() }}',
      '{{ constructor.getOwnPropertyDescriptor(constructor.getPrototypeOf(range), "constructor").value("return process")() }}',
      '{{ valueOf.call(range) }}',
      '{{ cycler["constr" + "uctor"]("return 1")() }}',
      '{% set o = constructor %}{{ o.keys(o) }}',
    ];
    const files: Record<string, string> = {};
    escapes.forEach((e, i) => (files[`templates/e${i}.yaml.njk`] = `${BUCKET}    # ${e}\n`));
    const ws = await workspace('escapes', files);
    const run = await runBuiltAction(
      ws,
      { templates: 'templates/', ...offline },
      { env: actionEnv },
    );
    const report = await reportOf(run);
    for (let i = 0; i < escapes.length; i++) {
      expect(
        report.findings.find((f) => f.file === `templates/e${i}.yaml.njk`),
        escapes[i],
      ).toMatchObject({ ruleId: 'R1001', line: 4 });
    }
    await expectNoCanary(run, [run.outputs['report-json']!]);
  });

  it('keeps code that does run (trusted repository) away from the job: no variables, no files outside, no writes, no processes', async () => {
    const probe = [
      'const fs = process.getBuiltinModule("fs");',
      'const r = [];',
      'const t = (label, f) => { try { r.push(label + "=" + String(f()).slice(0, 200)); } catch (e) { r.push(label + "=denied"); } };',
      't("env", () => JSON.stringify(process.env));',
      't("parent", () => fs.readFileSync("/proc/" + process.ppid + "/environ", "latin1"));',
      `t("outside", () => fs.readFileSync(${JSON.stringify(path.join(root, 'outside/secret.txt'))}, "utf8"));`,
      `t("write", () => { fs.writeFileSync(${JSON.stringify(path.join(root, 'outside/pwned.txt'))}, "x"); return "wrote"; });`,
      't("spawn", () => process.getBuiltinModule("child_process").execSync("env").toString());',
      'return "X-ESCAPE " + r.join(" ");',
    ].join(' ');
    const ws = await workspace('trusted', {
      'templates/escape.yaml.njk': `${BUCKET}    Properties:\n      BucketName: "{{ range.constructor(${JSON.stringify(probe).replace(/"/g, "'")})() }}"\n`,
    });
    const run = await runBuiltAction(
      ws,
      { templates: 'templates/', 'trust-repo-config': 'true', ...offline },
      { env: actionEnv },
    );
    const report = await reportOf(run);
    // The code ran (its answer is in cfn-lint's message about the bucket name), and got nothing.
    const quoted = report.findings.map((f) => f.message).join('\n');
    expect(quoted).toContain('X-ESCAPE env={}');
    for (const probeName of ['parent', 'outside', 'write', 'spawn'])
      expect(quoted).toContain(`${probeName}=denied`);
    await expectNoCanary(run, [run.outputs['report-json']!]);
    await expectOutsideUntouched();
  });

  it('does not render untrusted templates where the network stays open and the job holds secrets', async () => {
    const ws = await workspace('target', {
      'templates/lake.yaml.njk': `${BUCKET}`,
      'templates/plain.yaml': SAFE_BUCKET,
    });
    const run = await runBuiltAction(
      ws,
      { templates: 'templates/', mode: 'validate', ...offline },
      { env: { ...actionEnv, GITHUB_EVENT_NAME: 'pull_request_target' } },
    );
    const report = await reportOf(run);
    expect(report.findings).toEqual([
      expect.objectContaining({
        file: 'templates/lake.yaml.njk',
        ruleId: 'R1002',
        message: expect.stringMatching(/pull_request_target.*network.*trust-repo-config: true/),
      }),
    ]);
  });

  it('takes environment values as data: prototype keys are refused with the file named', async () => {
    const ws = await workspace('proto', {
      'templates/a.yaml.njk': `${BUCKET}`,
      'environments/dev.yaml': 'variables:\n  __proto__:\n    polluted: PWNED\n',
    });
    const run = await runBuiltCli(ws, ['validate', '--environment', 'dev', 'templates/'], {
      ...CANARIES,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /environments\/dev\.yaml: key "variables\.__proto__" is not allowed/,
    );
    await expectNoCanary(run);
  });
});

describe('writing report files', () => {
  it('never writes through a link a pull request planted (SARIF file, CLI --markdown and --summary)', async () => {
    const ws = await workspace('writes', { 'templates/ok.yaml': SAFE_BUCKET });
    await fs.symlink(path.join(outside, 'target.txt'), path.join(ws, 'report.sarif'));
    await fs.symlink(outside, path.join(ws, 'reports'));
    await fs.symlink(path.join(outside, 'target.txt'), path.join(ws, 'comment.md'));

    const viaFile = await runBuiltAction(
      ws,
      { templates: 'templates/', 'sarif-file': 'report.sarif', ...offline },
      { env: actionEnv },
    );
    expect(viaFile.code).toBe(0);
    expect(viaFile.stdout).toMatch(
      /::warning::Could not write the SARIF file .*report\.sarif.*symbolic link/,
    );
    const viaFolder = await runBuiltAction(
      ws,
      { templates: 'templates/', 'sarif-file': 'reports/new/out.sarif', ...offline },
      { env: actionEnv },
    );
    expect(viaFolder.stdout).toMatch(
      /::warning::Could not write the SARIF file .*outside the folders/,
    );

    const markdown = await runBuiltCli(
      ws,
      ['validate', 'templates/', '--markdown', 'comment.md'],
      CANARIES,
    );
    // A report file it may not write is a warning: the exit status stays the findings' (none).
    expect(markdown.code).toBe(0);
    expect(markdown.stderr).toMatch(
      /warning: Refusing to write the --markdown file .*comment\.md: it is a symbolic link/,
    );
    const summary = await runBuiltCli(
      ws,
      ['validate', 'templates/', '--summary', 'reports/s.md'],
      CANARIES,
    );
    expect(summary.code).toBe(0);
    expect(summary.stderr).toMatch(
      /warning: Refusing to write the --summary file .*reports\/s\.md/,
    );
    await expectOutsideUntouched();
    // Ordinary paths inside the workspace are written as before.
    const fine = await runBuiltCli(
      ws,
      ['validate', 'templates/', '--markdown', 'out/comment.md'],
      CANARIES,
    );
    expect(fine.code).toBe(0);
    expect(await fs.readFile(path.join(ws, 'out/comment.md'), 'utf8')).toContain('iac-action');
  });
});

describe('secret values', () => {
  it('never shows NoEcho and user-marked values, in messages of cfn-lint, the policy checks or Access Analyzer', async () => {
    const analyzer = await startFakeAnalyzer({
      fail: (request) =>
        request.policyDocument.includes('Deny')
          ? {
              status: 400,
              type: 'ValidationException',
              message: `Invalid policy near ${NOECHO_CANARY}; request X-Amz-Security-Token=${CANARIES.AWS_SESSION_TOKEN}&X-Amz-Signature=abcdef0123456789`,
            }
          : undefined,
    });
    try {
      const ws = await workspace('secrets', {
        'templates/app.yaml.njk': [
          'Parameters:',
          '  DbPassword:',
          '    Type: String',
          '    NoEcho: true',
          'Resources:',
          '  Bucket:',
          '    Type: AWS::S3::Bucket',
          '    DeletionPolicy: Retain',
          '    Properties:',
          '      BucketName: "{{ parameters.DbPassword }}"',
          '      Tags:',
          '        - Key: api',
          '          Value: "{{ ApiKey }}"',
          '        - Key: bad',
          '          Value: {{ ApiKey }}-{{ parameters.DbPassword }}',
          '  Policy:',
          '    Type: AWS::S3::BucketPolicy',
          '    Properties:',
          '      Bucket: !Ref Bucket',
          '      PolicyDocument:',
          '        Statement:',
          '          - Effect: Deny',
          '            Principal: "*"',
          '            Action: s3:GetObject',
          '            Resource: !Sub "arn:aws:s3:::${DbPassword}/*"',
          '',
        ].join('\n'),
        'environments/dev.yaml': [
          'variables:',
          `  ApiKey: ${MARKED_CANARY}`,
          'parameters:',
          `  DbPassword: ${NOECHO_CANARY}`,
          '',
        ].join('\n'),
      });
      const run = await runBuiltAction(
        ws,
        {
          templates: 'templates/',
          environment: 'dev',
          'secret-parameters': 'ApiKey',
          'policy-validation': 'access-analyzer',
          'endpoint-url': analyzer.endpoint,
          comment: 'false',
        },
        { env: actionEnv },
      );
      const report = await reportOf(run);
      // The values did reach the checks (cfn-lint quotes the bucket name, Access Analyzer failed)...
      expect(analyzer.requests.some((r) => r.policyDocument.includes(NOECHO_CANARY))).toBe(true);
      const messages = report.findings.map((f) => f.message).join('\n');
      expect(messages).toContain('****');
      expect(messages).toMatch(/X-Amz-Security-Token=\*\*\*\*/);
      // ...and the runner is told to mask them too.
      expect(run.stdout).toContain(`::add-mask::${NOECHO_CANARY}`);
      expect(run.stdout).toContain(`::add-mask::${MARKED_CANARY}`);
      await expectNoCanary(run, [run.outputs['report-json']!, run.outputs['sarif-file']!]);

      const cli = await runBuiltCli(
        ws,
        [
          'validate',
          'templates/',
          '--environment',
          'dev',
          '--secret-parameters',
          'ApiKey',
          '--format',
          'json',
          '--policy-validation',
          'offline',
        ],
        CANARIES,
      );
      expect(cli.stdout).toContain('****');
      await expectNoCanary(cli);
    } finally {
      await analyzer.close();
    }
  });
});

describe('the log', () => {
  it('carries no workflow command from templates, file names or environment files, and shows hidden characters', async () => {
    const ws = await workspace('log', {
      'templates/keys.yaml': [
        'Resources:',
        '  Bucket:',
        '    Type: AWS::S3::Bucket',
        '    DeletionPolicy: Retain',
        '    Properties:',
        '      "::set-output name=PWNED::x": 1',
        '      "\n::error file=PWNED::injected": 2',
        '',
      ].join('\n'),
      'templates/::error file=PWNED,line=1::named.yaml': BUCKET,
      'templates/new\n::error file=PWNED::line.yaml': BUCKET,
      'templates/invoice\u202Egnp.yaml': BUCKET,
      'environments/evil.yaml': 'name: "dev\\n::add-mask::PWNED"\n',
    });
    const run = await runBuiltAction(
      ws,
      { templates: 'templates/', ...offline },
      { env: actionEnv },
    );
    expectOwnCommandsOnly(run.stdout);
    const report = await reportOf(run);
    expect(report.findings.map((f) => f.file)).toContain('templates/invoice\\u202Egnp.yaml');
    expect(run.stdout).not.toContain('\u202E');
    expect(run.stdout).toContain('\\u202E');

    const cli = await runBuiltCli(ws, ['validate', 'templates/'], {
      ...CANARIES,
      GITHUB_ACTIONS: 'true',
    });
    expectOwnCommandsOnly(cli.stdout);
    expectOwnCommandsOnly(cli.stderr);
    expect(cli.stdout).toContain('::error file=PWNED,line=1::named.yaml');

    const named = await runBuiltAction(
      ws,
      { templates: 'templates/', environment: 'evil', ...offline },
      { env: actionEnv },
    );
    expect(named.code).toBe(1);
    expect(named.stdout).toMatch(
      /::error::environments\/evil\.yaml: environment name .* is not allowed/,
    );
    expectOwnCommandsOnly(named.stdout);
    await expectNoCanary(named);
  });
});

describe('deploying from a pull request', () => {
  it('is refused by the CLI as by the action, before any AWS call', async () => {
    const calls: string[] = [];
    const server = http.createServer((req, res) => {
      calls.push(`${req.method} ${req.url}`);
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const ws = await workspace('deploy', {
        'templates/ok.yaml': SAFE_BUCKET,
        'iac-stacks.yaml': 'stacks:\n  app:\n    template: templates/ok.yaml\n',
      });
      for (const event of ['pull_request', 'pull_request_target', 'pull_request_review']) {
        for (const command of ['deploy', 'execute']) {
          const run = await runBuiltCli(
            ws,
            [command, '--endpoint-url', endpoint, '--change-set-name', 'x'],
            {
              ...CANARIES,
              GITHUB_EVENT_NAME: event,
            },
          );
          expect(run.code, `${command} on ${event}`).toBe(2);
          expect(run.stderr).toContain(
            `is refused on ${event} events: a pull request never deploys`,
          );
        }
      }
      const action = await runBuiltAction(
        ws,
        { mode: 'deploy', 'endpoint-url': endpoint },
        { env: { ...actionEnv, GITHUB_EVENT_NAME: 'pull_request_target' } },
      );
      expect(action.code).toBe(1);
      expect(action.stdout).toMatch(
        /::error::Input "mode: deploy" is refused on pull_request_target/,
      );
      expect(calls).toEqual([]);
    } finally {
      server.close();
    }
  });
});
