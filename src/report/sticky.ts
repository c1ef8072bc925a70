import type { getOctokit } from '@actions/github';

export type GitHubClient = ReturnType<typeof getOctokit>;

export interface CommentTarget {
  owner: string;
  repo: string;
  issueNumber: number;
  /** The hidden marker that the comment starts with. */
  marker: string;
}

export interface StickyResult {
  action: 'created' | 'updated' | 'unchanged' | 'skipped';
  url?: string;
}

/** Who the token writes as: a user's login, or a GitHub App installation that GET /user refuses. */
type Author = { login: string } | { app: true };

/** The login of the GITHUB_TOKEN's app, which is what most workflows comment as. */
export const ACTIONS_BOT_LOGIN = 'github-actions[bot]';

interface CommentAuthor {
  user?: { login?: string; type?: string } | null;
  performed_via_github_app?: unknown;
}

/**
 * Installation tokens (the GITHUB_TOKEN, GitHub App tokens) get 403 on GET /user; their comments
 * are written by a Bot account, so a bot comment carrying our marker is taken as ours. A user
 * (personal) token is matched by its exact login. A human's comment is never taken.
 */
function writtenBy(comment: CommentAuthor, author: Author): boolean {
  if ('login' in author) return comment.user?.login === author.login;
  return (
    comment.user?.type === 'Bot' &&
    (comment.user.login === ACTIONS_BOT_LOGIN || Boolean(comment.performed_via_github_app))
  );
}

async function whoAmI(client: GitHubClient): Promise<Author> {
  try {
    const { data } = await client.rest.users.getAuthenticated();
    return { login: data.login };
  } catch (error) {
    if (statusOf(error) === 403 || statusOf(error) === 404) return { app: true };
    throw error;
  }
}

export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Keep exactly one comment per target on the pull request: find it across every page among the
 * token's own comments, update it when the body changed, create it when missing and `create` is
 * true, and write nothing when it already says the same.
 */
export async function upsertComment(
  client: GitHubClient,
  target: CommentTarget,
  body: string,
  options: { create: boolean },
): Promise<StickyResult> {
  const author = await whoAmI(client);
  const { owner, repo, issueNumber } = target;
  let existing: { id: number; body?: string; html_url: string } | undefined;
  const pages = client.paginate.iterator(client.rest.issues.listComments, {
    owner,
    repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  for await (const page of pages) {
    existing = page.data.find((c) => c.body?.includes(target.marker) && writtenBy(c, author));
    if (existing) break;
  }
  if (existing) {
    if (existing.body === body) return { action: 'unchanged', url: existing.html_url };
    const { data } = await client.rest.issues.updateComment({
      owner,
      repo,
      comment_id: existing.id,
      body,
    });
    return { action: 'updated', url: data.html_url };
  }
  if (!options.create) return { action: 'skipped' };
  const { data } = await client.rest.issues.createComment({
    owner,
    repo,
    issue_number: issueNumber,
    body,
  });
  return { action: 'created', url: data.html_url };
}
