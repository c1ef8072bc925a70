import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import { describeError } from '../model/errors.js';
import { writeFileInside } from '../model/files.js';
import type { Report } from '../model/findings.js';
import type { Logger } from '../model/logger.js';
import type { Settings } from '../model/settings.js';
import { annotationPath, planAnnotations, type Annotation } from './annotations.js';
import { commentMarker, commentTarget, renderComment } from './comment.js';
import { outcome } from './markdown.js';
import { readRunContext, type RunContext } from './workflow-run.js';
import { formatSarif } from './sarif.js';
import { statusOf, upsertComment, type GitHubClient, type StickyResult } from './sticky.js';
import { renderSummary } from './summary.js';

/** The edges publishing touches, passed in so tests can watch them. */
export interface PublishDeps {
  env: NodeJS.ProcessEnv;
  log: Logger;
  annotate(annotation: Annotation): void;
  setOutput(name: string, value: string): void;
  setSecret(value: string): void;
  /** Append markdown to the job summary; false when the run has none (outside Actions). */
  writeSummary(markdown: string): Promise<boolean>;
  github(token: string): Promise<GitHubClient>;
  /** The redaction layer, applied once more to every rendered body and file. */
  redact?: (text: string) => string;
}

export interface PublishResult {
  sarifFile?: string;
  summaryWritten: boolean;
  annotations: Annotation[];
  comment: StickyResult['action'] | 'not-attempted' | 'refused' | 'failed';
  commentUrl?: string;
}

/** The pull request files API lists at most this many files; a longer list is incomplete. */
const MAX_PR_FILES = 3000;

/** No GitHub request may hold the job up for longer than this. */
const REQUEST_TIMEOUT_MS = 30_000;

/** The real edges inside a GitHub Actions job. */
export function actionPublishDeps(
  env: NodeJS.ProcessEnv,
  log: Logger,
  redactor: { secrets(text: string): string },
): PublishDeps {
  return {
    env,
    log,
    redact: (text) => redactor.secrets(text),
    annotate: ({ level, message, ...properties }) => {
      if (level === 'error') core.error(message, properties);
      else if (level === 'warning') core.warning(message, properties);
      else core.notice(message, properties);
    },
    setOutput: (name, value) => core.setOutput(name, value),
    setSecret: (value) => core.setSecret(value),
    async writeSummary(markdown) {
      if (!env.GITHUB_STEP_SUMMARY) return false;
      await core.summary.addRaw(markdown, true).write();
      return true;
    },
    github: (token) => githubClient(token, env),
  };
}

/**
 * Octokit from @actions/github, loaded only when a run talks to GitHub. The API URL is read now
 * (not when the module loads) so GitHub Enterprise Server and test servers are honoured.
 */
export async function githubClient(token: string, env: NodeJS.ProcessEnv): Promise<GitHubClient> {
  const { getOctokit } = await import('@actions/github');
  const client = getOctokit(token, {
    baseUrl: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
  });
  client.hook.before('request', (options) => {
    options.request = {
      ...options.request,
      signal: options.request?.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    };
  });
  return client;
}

/**
 * Tell the run's story where people look: the SARIF file, the job summary, annotations and the
 * sticky pull request comment, then the outputs. Nothing here fails the job: the findings alone
 * decide that, so a read-only token or an API outage only costs the comment.
 */
export async function publish(
  report: Report,
  settings: Settings,
  deps: PublishDeps,
): Promise<PublishResult> {
  const { env, log } = deps;
  const redact = deps.redact ?? ((text: string) => text);
  const run = await readRunContext(env);
  const token = settings.report.githubToken || env.GITHUB_TOKEN || '';
  if (token) deps.setSecret(token);
  let client: Promise<GitHubClient> | undefined;
  const github = (): Promise<GitHubClient> => (client ??= deps.github(token));

  const sarifFile = await writeSarif(redact(formatSarif(report)), settings, env, log);

  let summaryWritten = false;
  try {
    summaryWritten = await deps.writeSummary(redact(renderSummary(report, run)));
  } catch (error) {
    log.warning(
      `Could not write the job summary ${env.GITHUB_STEP_SUMMARY ?? ''}: ${describeError(error)}`,
    );
  }

  const changed = run.pullRequest && token ? await changedFiles(github, run, log) : undefined;
  const annotations = planAnnotations(report.findings, changed);
  for (const annotation of annotations) deps.annotate(annotation);

  const commented = await comment(report, settings, run, token, github, log, redact);
  deps.setOutput('sarif-file', sarifFile ?? '');
  deps.setOutput('comment-url', commented.commentUrl ?? '');
  return {
    ...(sarifFile ? { sarifFile } : {}),
    summaryWritten,
    annotations,
    ...commented,
  };
}

async function writeSarif(
  sarif: string,
  settings: Settings,
  env: NodeJS.ProcessEnv,
  log: Logger,
): Promise<string | undefined> {
  const runnerTemp = env.RUNNER_TEMP || os.tmpdir();
  const file = settings.report.sarifFile
    ? path.resolve(settings.workspace, settings.report.sarifFile)
    : path.join(runnerTemp, 'iac-action.sarif');
  try {
    await writeFileInside(file, sarif, [settings.workspace, runnerTemp], 'the SARIF file');
    return file;
  } catch (error) {
    log.warning(
      `Could not write the SARIF file ${file} (input "sarif-file"): ${describeError(error).replace(/\.$/, '')}. Point "sarif-file" at a writable path.`,
    );
    return undefined;
  }
}

/** The files the pull request changes, or undefined (annotate every file) when they cannot be listed. */
async function changedFiles(
  github: () => Promise<GitHubClient>,
  run: RunContext,
  log: Logger,
): Promise<Set<string> | undefined> {
  const pr = run.pullRequest!;
  try {
    const client = await github();
    const files = await client.paginate(client.rest.pulls.listFiles, {
      owner: pr.owner,
      repo: pr.repo,
      pull_number: pr.number,
      per_page: 100,
    });
    if (files.length >= MAX_PR_FILES) return undefined;
    return new Set(files.map((f) => annotationPath(f.filename)));
  } catch (error) {
    log.debug(
      `Annotating every file: the pull request's files could not be listed (${describeError(error)}).`,
    );
    return undefined;
  }
}

async function comment(
  report: Report,
  settings: Settings,
  run: RunContext,
  token: string,
  github: () => Promise<GitHubClient>,
  log: Logger,
  redact: (text: string) => string,
): Promise<Pick<PublishResult, 'comment' | 'commentUrl'>> {
  const mode = settings.report.comment;
  if (mode === 'false' || !run.pullRequest) return { comment: 'not-attempted' };
  if (!token) {
    log.notice(
      'No github-token was given, so no pull request comment was written; the job summary has the report.',
    );
    return { comment: 'not-attempted' };
  }
  const target = commentTarget(settings.report.commentId, run);
  const pr = run.pullRequest;
  try {
    const result = await upsertComment(
      await github(),
      { owner: pr.owner, repo: pr.repo, issueNumber: pr.number, marker: commentMarker(target) },
      redact(renderComment(report, run, target)),
      // on-failure: only a failing run opens a comment, but an existing one is kept truthful
      { create: mode === 'true' || outcome(report) !== 'passed' },
    );
    log.info(`Pull request comment: ${result.action}${result.url ? ` (${result.url})` : ''}.`);
    return { comment: result.action, ...(result.url ? { commentUrl: result.url } : {}) };
  } catch (error) {
    if (statusOf(error) === 403) {
      log.notice(
        'The pull request comment was not written: the token may not write to this pull request (pull requests from forks and Dependabot get a read-only token; otherwise grant "pull-requests: write"). The job summary has the report.',
      );
      return { comment: 'refused' };
    }
    log.warning(
      `The pull request comment was not written: ${describeError(error)}. The job summary has the report.`,
    );
    return { comment: 'failed' };
  }
}
