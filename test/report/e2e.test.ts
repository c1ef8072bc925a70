import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS_BOT_LOGIN } from '../../src/report/sticky.js';
import { runBuiltAction, type BuiltRun } from '../helpers/built.js';
import { COMMENT_BODY_LIMIT, GitHubServer } from '../helpers/github-server.js';
import { workspace } from '../helpers/paths.js';

/**
 * The built action (dist/index.js, as committed) run the way the runner starts it, on Node 24,
 * against the local GitHub server: a pull_request event payload, INPUT_* variables, and the
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files.
 */

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

async function runAction(ws: string, token: string, label: string): Promise<BuiltRun> {
  const runner = path.join(dir, `runner-${label}`);
  await fs.mkdir(runner, { recursive: true });
  const event = path.join(runner, 'event.json');
  await fs.writeFile(
    event,
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
  const inputs = {
    templates: 'templates/',
    'github-token': token,
    comment: 'true',
    'policy-validation': 'off',
  };
  return runBuiltAction(ws, inputs, {
    runner,
    env: {
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: event,
      GITHUB_REPOSITORY: 'octo/infra',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: server.url,
      GITHUB_RUN_ID: '4242',
      GITHUB_SHA: 'f'.repeat(40),
      GITHUB_WORKFLOW: 'checks',
      GITHUB_JOB: 'cloudformation',
    },
  });
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
    const ws = await workspace({
      'templates/hostile.yaml': hostileTemplate,
      'templates/clean.yaml': cleanTemplate,
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
    const ws = await workspace({ 'templates/clean.yaml': cleanTemplate });
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
