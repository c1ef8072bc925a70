import fs from 'node:fs/promises';

/** The workflow run a report describes, read from the runner's environment at call time. */
export interface RunContext {
  /** `owner/name`; empty outside GitHub Actions. */
  repository: string;
  serverUrl: string;
  /** The commit the findings describe: the pull request's head, else GITHUB_SHA. */
  sha: string;
  /** Link to the workflow run (its page holds the job summary); empty outside GitHub Actions. */
  runUrl: string;
  eventName: string;
  /** The pull request the run belongs to, when the event has one. */
  pullRequest?: { number: number; owner: string; repo: string };
  /** What separates this job's comment from other jobs' comments on the same pull request. */
  workflow: string;
  job: string;
}

/** Event payloads are small; anything larger is not one and is not parsed. */
const MAX_EVENT_BYTES = 16 * 1024 * 1024;

interface EventPayload {
  pull_request?: {
    number?: unknown;
    head?: { sha?: unknown };
    base?: { repo?: { full_name?: unknown } };
  };
}

export async function readRunContext(env: NodeJS.ProcessEnv): Promise<RunContext> {
  const repository = env.GITHUB_REPOSITORY ?? '';
  const serverUrl = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  const payload = await readEvent(env.GITHUB_EVENT_PATH);
  const pr = payload?.pull_request;
  const headSha = typeof pr?.head?.sha === 'string' ? pr.head.sha : undefined;
  // The base repository owns the pull request's comments, also when the head is a fork.
  const base = typeof pr?.base?.repo?.full_name === 'string' ? pr.base.repo.full_name : repository;
  const [owner, repo] = base.split('/');
  const number = typeof pr?.number === 'number' ? pr.number : undefined;
  return {
    repository,
    serverUrl,
    sha: headSha ?? env.GITHUB_SHA ?? '',
    runUrl:
      repository && env.GITHUB_RUN_ID
        ? `${serverUrl}/${repository}/actions/runs/${env.GITHUB_RUN_ID}`
        : '',
    eventName: env.GITHUB_EVENT_NAME ?? '',
    ...(number && owner && repo ? { pullRequest: { number, owner, repo } } : {}),
    workflow: env.GITHUB_WORKFLOW ?? '',
    job: env.GITHUB_JOB ?? '',
  };
}

async function readEvent(file: string | undefined): Promise<EventPayload | undefined> {
  if (!file) return undefined;
  try {
    const stat = await fs.stat(file);
    if (stat.size > MAX_EVENT_BYTES) return undefined;
    const parsed: unknown = JSON.parse(await fs.readFile(file, 'utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as EventPayload) : undefined;
  } catch {
    // No readable payload: the run is treated as one without a pull request.
    return undefined;
  }
}

/** Link to a file (and line) at the commit the report describes. */
export function fileUrl(run: RunContext, file: string, line?: number): string | undefined {
  if (!run.repository || !run.sha) return undefined;
  const encoded = file.split('/').map(encodeURIComponent).join('/');
  return `${run.serverUrl}/${run.repository}/blob/${run.sha}/${encoded}${line && line > 0 ? `#L${line}` : ''}`;
}
