import fs from 'node:fs/promises';
import { execa } from 'execa';
import { UserError } from '../model/errors.js';
import { LIMITS } from '../model/template.js';

/**
 * The base commit the offline plan and check-no-new-access compare with, read with git. Refs and paths reach git as
 * separate arguments after validation; `cat-file blob` applies no filters or textconv, so a pull
 * request's .gitattributes cannot make git run anything.
 */
const GIT_TIMEOUT_MS = 30_000;
/** The event file of a pull request is small; anything far larger is not one. */
const MAX_EVENT_BYTES = 25 * 1024 * 1024;

export interface BaseCommit {
  /** The full commit sha. */
  sha: string;
  /** What the user asked for, for messages: the input or "the pull request's base". */
  name: string;
}

/**
 * Input base-ref, or the pull request's base commit from the event. Undefined when neither is
 * known (a notice says how to give one); an error when the ref is not a commit of this clone.
 */
export async function resolveBase(
  workspace: string,
  baseRef: string,
  env: NodeJS.ProcessEnv,
): Promise<BaseCommit | undefined> {
  const ref = baseRef || (await pullRequestBase(env));
  if (!ref) return undefined;
  const name = baseRef ? `base-ref ${baseRef}` : `the pull request's base ${ref.slice(0, 7)}`;
  try {
    const { stdout } = await git(workspace, [
      'rev-parse',
      '--verify',
      '--quiet',
      '--end-of-options',
      `${ref}^{commit}`,
    ]);
    return { sha: stdout.trim(), name };
  } catch {
    throw new UserError(
      `The templates are compared with ${name}, but it is not a commit in the clone at ${workspace}.`,
      'Fetch the history (actions/checkout with fetch-depth: 0), or set input base-ref (CLI --base-ref REF) to a commit that is present.',
    );
  }
}

/** The file's text at the commit, or undefined when it did not exist there. */
export async function readAtCommit(
  workspace: string,
  sha: string,
  file: string,
): Promise<string | undefined> {
  const object = `${sha}:./${file}`;
  const kind = await git(workspace, ['cat-file', '-t', object]).catch(() => undefined);
  if (kind?.stdout.trim() !== 'blob') return undefined;
  const { stdout } = await git(workspace, ['cat-file', 'blob', object]);
  return stdout;
}

function git(cwd: string, args: string[]) {
  return execa('git', args, {
    cwd,
    timeout: GIT_TIMEOUT_MS,
    maxBuffer: LIMITS.maxBytes + 1,
    stripFinalNewline: false,
    env: { GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' },
  });
}

async function pullRequestBase(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const file = env.GITHUB_EVENT_PATH;
  if (!file) return undefined;
  try {
    if ((await fs.stat(file)).size > MAX_EVENT_BYTES) return undefined;
    const event = JSON.parse(await fs.readFile(file, 'utf8')) as {
      pull_request?: { base?: { sha?: unknown } };
    };
    const sha = event.pull_request?.base?.sha;
    return typeof sha === 'string' && /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined;
  } catch {
    return undefined;
  }
}
