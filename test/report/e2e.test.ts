import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS_BOT_LOGIN } from '../../src/report/sticky.js';
import { COMMENT_BODY_LIMIT, GitHubServer } from '../helpers/github-server.js';

/**
 * The built action (dist/index.js, as committed) run the way the runner starts it, on Node 24,
 * against the local GitHub server: a pull_request event payload, INPUT_* variables, and the
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const node24 = path.join(root, 'node_modules/node/bin/node');
const bundle = path.join(root, 'dist/index.js');
const run = promisify(execFile);

const HOSTILE = '</details>|`x`@org/team::error::pwned<b>';
const server = new GitHubServer('octo/infra');
let dir: string;

beforeAll(async () => {
  await server.start();
  server.tokens.set('ghs_app', { login: ACTIONS_BOT_LOGIN, type: 'Bot', installation: true });
  server.tokens.set('ghs_fork', {
    login: ACTIONS_BOT_LOGIN,
    type: 'Bot',
    installation: true,
    readOnly: true,
  });
  server.pullFiles.set(7, ['templates/hostile.yaml', 'templates/clean.yaml']);
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'iac-e2e-'));
});

afterAll(async () => {
  await server.stop();
  await fs.rm(dir, { recursive: true, force: true });
});

interface ActionRun {
  code: number;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

async function workspace(name: string, templates: Record<string, string>): Promise<string> {
  const ws = path.join(dir, name);
  await fs.mkdir(path.join(ws, 'templates'), { recursive: true });
  for (const [file, text] of Object.entries(templates))
    await fs.writeFile(path.join(ws, 'templates', file), text);
  return ws;
}

async function runAction(ws: string, token: string, label: string): Promise<ActionRun> {
  const runner = path.join(dir, `runner-${label}`);
  await fs.mkdir(runner, { recursive: true });
  const files = {
    output: path.join(runner, 'output'),
    summary: path.join(runner, 'summary'),
    event: path.join(runner, 'event.json'),
  };
  await fs.writeFile(files.output, '');
  await fs.writeFile(files.summary, '');
  await fs.writeFile(
    files.event,
    JSON.stringify({
      action: 'synchronize',
      number: 7,
      pull_request: {
        number: 7,
        head: { sha: 'c0ffee'.padEnd(40, '0'), repo: { full_name: 'fork/infra' } },
        base: { repo: { full_name: 'octo/infra' } },
      },
    }),
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: ws,
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: files.event,
    GITHUB_REPOSITORY: 'octo/infra',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: server.url,
    GITHUB_RUN_ID: '4242',
    GITHUB_SHA: 'f'.repeat(40),
    GITHUB_WORKFLOW: 'checks',
    GITHUB_JOB: 'cloudformation',
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    RUNNER_TEMP: runner,
    INPUT_TEMPLATES: 'templates/',
    'INPUT_GITHUB-TOKEN': token,
    INPUT_COMMENT: 'true',
    'INPUT_POLICY-VALIDATION': 'off',
  };
  let code = 0;
  let stdout = '';
  try {
    ({ stdout } = await run(node24, [bundle], {
      env,
      cwd: ws,
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    }));
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    code = failed.code ?? -1;
    stdout = failed.stdout ?? '';
  }
  return {
    code,
    stdout,
    outputs: parseOutputs(await fs.readFile(files.output, 'utf8')),
    summary: await fs.readFile(files.summary, 'utf8'),
  };
}

/** GITHUB_OUTPUT's `name<<DELIMITER` heredoc format. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(pattern)) outputs[m[1]!] = m[3]!;
  return outputs;
}

const hostileTemplate = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: '${HOSTILE}'
`;
const cleanTemplate = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Topic:
    Type: AWS::SNS::Topic
`;

describe('the built action on a pull request', () => {
  it('comments once, updates nothing on a re-run, and writes summary, annotations, SARIF and outputs', async () => {
    const ws = await workspace('pr', {
      'hostile.yaml': hostileTemplate,
      'clean.yaml': cleanTemplate,
    });
    const first = await runAction(ws, 'ghs_app', 'first');
    expect(first.code).toBe(1); // the findings fail the job
    expect(first.outputs.blocking).toBe('true');
    expect(Number(first.outputs.errors)).toBeGreaterThan(0);

    const comments = server.commentsOn(7);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body.length).toBeLessThanOrEqual(COMMENT_BODY_LIMIT);
    expect(body.startsWith('<!-- iac-action:checks%2Fcloudformation -->')).toBe(true);
    expect(body).toContain('### ❌ iac-action: blocked');
    expect(body).toContain(
      'https://github.com/octo/infra/blob/c0ffee0000000000000000000000000000000000/templates/hostile.yaml#L',
    );
    expect(body).toContain('✅ 1 template without findings: <code>templates/clean.yaml</code>');
    expect(body).not.toContain('</details>|');
    expect(body).not.toContain('<b>');
    expect(body).not.toMatch(/@(?!\u200b)[\w-]/);
    expect(body).toContain('&lt;/details&gt;&#124;&#96;x&#96;@\u200borg/team');
    expect(first.outputs['comment-url']).toBe(
      `https://github.com/octo/infra/pull/7#issuecomment-${comments[0]!.id}`,
    );

    expect(first.summary).toContain('### ❌ iac-action: blocked');
    expect(first.summary).not.toContain('<!-- iac-action');
    expect(first.summary).not.toContain('<b>');

    // annotations in the log, on repository-relative paths; the hostile text cannot issue commands
    const annotations = first.stdout.split('\n').filter((l) => /^::(error|warning|notice)/.test(l));
    expect(
      annotations.filter((l) => /^::error .*file=templates\/hostile\.yaml,line=\d+/.test(l)),
    ).toHaveLength(2);
    for (const line of first.stdout.split('\n'))
      expect(line.startsWith('::error::pwned')).toBe(false);

    const sarif = JSON.parse(await fs.readFile(first.outputs['sarif-file']!, 'utf8'));
    expect(first.outputs['sarif-file']).toBe(path.join(dir, 'runner-first', 'iac-action.sarif'));
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe(
      'templates/hostile.yaml',
    );
    expect(
      JSON.parse(await fs.readFile(first.outputs['report-json']!, 'utf8')).summary.blocking,
    ).toBe(true);

    server.requests.length = 0;
    const second = await runAction(ws, 'ghs_app', 'second');
    expect(second.code).toBe(1);
    expect(server.writes()).toEqual([]);
    expect(server.commentsOn(7)).toHaveLength(1);
    expect(second.outputs['comment-url']).toBe(first.outputs['comment-url']);
  });

  it('fork run: a read-only token gives a notice, the summary still has the report, and clean findings pass', async () => {
    const ws = await workspace('fork', { 'clean.yaml': cleanTemplate });
    const before = server.comments.length;
    const fork = await runAction(ws, 'ghs_fork', 'fork');
    expect(fork.code).toBe(0);
    expect(fork.stdout).toMatch(
      /^::notice::The pull request comment was not written: the token may not write/m,
    );
    expect(fork.summary).toContain('### ✅ iac-action: passed');
    expect(fork.outputs.blocking).toBe('false');
    expect(fork.outputs['comment-url']).toBe('');
    expect(server.comments.length).toBe(before);
  });
});
