import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/findings.js';
import { readSettings } from '../../src/model/settings.js';
import { commentMarker } from '../../src/report/comment.js';
import type { Annotation } from '../../src/report/annotations.js';
import { githubClient, publish, type PublishDeps } from '../../src/report/publish.js';
import { ACTIONS_BOT_LOGIN, upsertComment } from '../../src/report/sticky.js';
import { GitHubServer } from '../helpers/github-server.js';
import { finding, makeReport } from '../helpers/report.js';

const server = new GitHubServer('octo/infra');
let dir: string;

const APP_TOKEN = 'ghs_app_token'; // the GITHUB_TOKEN: an installation token, GET /user refuses it
const USER_TOKEN = 'ghp_user_token';
const FORK_TOKEN = 'ghs_read_only';

beforeAll(async () => {
  await server.start();
  server.tokens.set(APP_TOKEN, { login: ACTIONS_BOT_LOGIN, type: 'Bot', installation: true });
  server.tokens.set(USER_TOKEN, { login: 'release-bot', type: 'User' });
  server.tokens.set(FORK_TOKEN, {
    login: ACTIONS_BOT_LOGIN,
    type: 'Bot',
    installation: true,
    readOnly: true,
  });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'iac-report-'));
});

afterAll(async () => {
  await server.stop();
  await fs.rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  server.comments.length = 0;
  server.requests.length = 0;
  server.pullFiles.clear();
});

async function event(name: string, payload: unknown): Promise<string> {
  const file = path.join(dir, `${name}.json`);
  await fs.writeFile(file, JSON.stringify(payload));
  return file;
}

interface Captured {
  deps: PublishDeps;
  outputs: Record<string, string>;
  annotations: Annotation[];
  notices: string[];
  warnings: string[];
  summaries: string[];
  secrets: string[];
}

async function capture(envOverrides: NodeJS.ProcessEnv = {}): Promise<Captured> {
  const env: NodeJS.ProcessEnv = {
    GITHUB_API_URL: server.url,
    GITHUB_REPOSITORY: 'octo/infra',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '42',
    GITHUB_SHA: 'f'.repeat(40),
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: await event('pr', {
      pull_request: {
        number: 7,
        head: { sha: 'a'.repeat(40) },
        base: { repo: { full_name: 'octo/infra' } },
      },
    }),
    GITHUB_WORKFLOW: 'checks',
    GITHUB_JOB: 'cloudformation',
    RUNNER_TEMP: dir,
    ...envOverrides,
  };
  const c: Captured = {
    outputs: {},
    annotations: [],
    notices: [],
    warnings: [],
    summaries: [],
    secrets: [],
    deps: undefined!,
  };
  c.deps = {
    env,
    log: {
      info() {},
      debug() {},
      notice: (m) => c.notices.push(m),
      warning: (m) => c.warnings.push(m),
    },
    annotate: (a) => c.annotations.push(a),
    setOutput: (name, value) => (c.outputs[name] = value),
    setSecret: (value) => c.secrets.push(value),
    writeSummary: async (markdown) => (c.summaries.push(markdown), true),
    github: (token) => githubClient(token, env),
  };
  return c;
}

function settings(inputs: Record<string, string> = {}) {
  return readSettings((name) => inputs[name], {
    env: {},
    workspace: dir,
    eventName: 'pull_request',
  });
}

const failing = (): Report => makeReport([finding()]);
const passing = (): Report => makeReport([finding({ severity: 'warning' })]);

describe('sticky comment across runs', () => {
  it('creates one comment, updates it in place, and writes nothing when the body is unchanged', async () => {
    // Other people's comments fill three pages first, one of them even carrying our marker.
    for (let i = 0; i < 230; i++)
      server.addComment(7, `comment ${i}`, { login: `dev${i}`, type: 'User' });
    server.addComment(7, `${commentMarker('checks/cloudformation')}\nforged`, {
      login: 'mallory',
      type: 'User',
    });
    const s = settings({ 'github-token': APP_TOKEN });

    const first = await capture();
    const r1 = await publish(failing(), s, first.deps);
    expect(r1.comment).toBe('created');
    expect(first.secrets).toEqual([APP_TOKEN]);
    const ours = () => server.commentsOn(7).filter((c) => c.user.login === ACTIONS_BOT_LOGIN);
    expect(ours()).toHaveLength(1);
    expect(first.outputs['comment-url']).toBe(
      `https://github.com/octo/infra/pull/7#issuecomment-${ours()[0]!.id}`,
    );
    // the listing walked every page through the Link headers
    expect(
      server.requests.filter(
        (r) => r.path === '/repos/octo/infra/issues/7/comments' && r.method === 'GET',
      ).length,
    ).toBe(3);

    server.requests.length = 0;
    const second = await capture();
    const r2 = await publish(passing(), s, second.deps);
    expect(r2.comment).toBe('updated');
    expect(ours()).toHaveLength(1);
    expect(ours()[0]!.body).toContain('iac-action: passed');
    expect(server.writes().map((w) => w.method)).toEqual(['PATCH']);
    expect(server.commentsOn(7).find((c) => c.user.login === 'mallory')!.body).toContain('forged');

    server.requests.length = 0;
    const third = await capture();
    const r3 = await publish(passing(), s, third.deps);
    expect(r3.comment).toBe('unchanged');
    expect(server.writes()).toEqual([]);
    expect(third.outputs['comment-url']).toBe(second.outputs['comment-url']);
    expect(ours()).toHaveLength(1);
  });

  it('keeps separate comments for separate comment-ids', async () => {
    for (const id of ['dev', 'prod', 'dev']) {
      const c = await capture();
      await publish(failing(), settings({ 'github-token': APP_TOKEN, 'comment-id': id }), c.deps);
    }
    const bodies = server.commentsOn(7).map((c) => c.body.split('\n')[0]);
    expect(bodies.sort()).toEqual([commentMarker('dev'), commentMarker('prod')]);
  });

  it('with a personal token finds its own comment by login and leaves other bots alone', async () => {
    const marker = commentMarker('t');
    const other = server.addComment(7, `${marker}\nold`, {
      login: ACTIONS_BOT_LOGIN,
      type: 'Bot',
      installation: true,
    });
    const client = await githubClient(USER_TOKEN, { GITHUB_API_URL: server.url });
    const target = { owner: 'octo', repo: 'infra', issueNumber: 7, marker };
    expect((await upsertComment(client, target, `${marker}\nv1`, { create: true })).action).toBe(
      'created',
    );
    expect((await upsertComment(client, target, `${marker}\nv2`, { create: true })).action).toBe(
      'updated',
    );
    expect(other.body).toBe(`${marker}\nold`);
    expect(
      server
        .commentsOn(7)
        .filter((c) => c.user.login === 'release-bot')
        .map((c) => c.body),
    ).toEqual([`${marker}\nv2`]);
  });
});

describe('publish', () => {
  it('on-failure creates no comment for a passing run, but keeps an existing one truthful', async () => {
    const s = settings({ 'github-token': APP_TOKEN, comment: 'on-failure' });
    const a = await capture();
    expect((await publish(passing(), s, a.deps)).comment).toBe('skipped');
    expect(server.commentsOn(7)).toHaveLength(0);
    expect(a.outputs['comment-url']).toBe('');

    await publish(failing(), s, (await capture()).deps);
    expect(server.commentsOn(7)).toHaveLength(1);
    await publish(passing(), s, (await capture()).deps);
    expect(server.commentsOn(7)[0]!.body).toContain('iac-action: passed');
  });

  it('fork run: a read-only token becomes a notice; summary, SARIF and annotations still happen', async () => {
    const c = await capture();
    const result = await publish(failing(), settings({ 'github-token': FORK_TOKEN }), c.deps);
    expect(result.comment).toBe('refused');
    expect(c.notices.join('\n')).toMatch(/read-only token.*job summary has the report/s);
    expect(c.warnings).toEqual([]);
    expect(c.summaries).toHaveLength(1);
    expect(c.summaries[0]).toContain('iac-action: blocked');
    expect(c.annotations.map((a) => a.level)).toEqual(['error']);
    expect(JSON.parse(await fs.readFile(c.outputs['sarif-file']!, 'utf8')).version).toBe('2.1.0');
    expect(server.commentsOn(7)).toHaveLength(0);
  });

  it('other API errors become a warning, never a failure', async () => {
    const c = await capture({
      GITHUB_EVENT_PATH: await event('gone', {
        pull_request: { number: 7, base: { repo: { full_name: 'octo/missing' } } },
      }),
    });
    const result = await publish(failing(), settings({ 'github-token': APP_TOKEN }), c.deps);
    expect(result.comment).toBe('failed');
    expect(c.warnings.join('\n')).toMatch(/pull request comment was not written: .*Not Found/);
    expect(c.summaries).toHaveLength(1);
  });

  it('attempts no comment on events without a pull request', async () => {
    const c = await capture({
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: await event('push', { ref: 'refs/heads/main' }),
    });
    const result = await publish(failing(), settings({ 'github-token': APP_TOKEN }), c.deps);
    expect(result.comment).toBe('not-attempted');
    expect(server.requests).toEqual([]);
    expect(c.summaries).toHaveLength(1);
    expect(c.outputs['comment-url']).toBe('');
  });

  it('annotates only the files the pull request changes and counts the rest in one notice', async () => {
    server.pullFiles.set(7, ['templates/changed.yaml']);
    const report = makeReport(
      [finding({ file: 'templates/changed.yaml' }), finding({ file: 'templates/untouched.yaml' })],
      ['templates/changed.yaml', 'templates/untouched.yaml'],
    );
    const c = await capture();
    await publish(report, settings({ 'github-token': APP_TOKEN, comment: 'false' }), c.deps);
    expect(c.annotations.map((a) => [a.level, a.file ?? ''])).toEqual([
      ['error', 'templates/changed.yaml'],
      ['notice', ''],
    ]);
    expect(c.annotations[1]!.message).toMatch(
      /^1 more finding is not annotated \(1 concern files this pull request does not change\)/,
    );
    expect(server.writes()).toEqual([]);
  });

  it('writes SARIF to input sarif-file, relative to the workspace', async () => {
    const c = await capture();
    await publish(
      failing(),
      settings({ comment: 'false', 'sarif-file': 'out/results.sarif' }),
      c.deps,
    );
    expect(c.outputs['sarif-file']).toBe(path.join(dir, 'out/results.sarif'));
    await expect(fs.stat(path.join(dir, 'out/results.sarif'))).resolves.toBeTruthy();
  });
});
