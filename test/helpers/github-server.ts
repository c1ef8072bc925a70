import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small GitHub REST API on 127.0.0.1 speaking the real wire format for what the reporter uses:
 * issue comments (list with per_page/page and Link headers, create, update), GET /user, the pull
 * request files list, 403 for read-only tokens and 404 for unknown repositories and comments.
 */
export interface Account {
  login: string;
  type: 'User' | 'Bot';
  /** Installation tokens (GITHUB_TOKEN, GitHub Apps): GET /user answers 403. */
  installation?: boolean;
  /** Fork and Dependabot runs: every write answers 403. */
  readOnly?: boolean;
}

export interface StoredComment {
  id: number;
  issue: number;
  body: string;
  user: { login: string; id: number; type: string };
  performed_via_github_app: { slug: string } | null;
}

export interface RequestRecord {
  method: string;
  path: string;
  token: string | undefined;
}

export const COMMENT_BODY_LIMIT = 65_536;

export class GitHubServer {
  readonly comments: StoredComment[] = [];
  readonly requests: RequestRecord[] = [];
  readonly tokens = new Map<string, Account>();
  /** Changed files per pull request number. */
  readonly pullFiles = new Map<number, string[]>();
  private nextId = 1000;
  private server?: http.Server;
  url = '';

  constructor(readonly repository = 'octo/infra') {}

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => this.handle(req, res, body));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Put a comment on an issue as if someone had written it before the run. */
  addComment(issue: number, body: string, account: Account): StoredComment {
    const comment: StoredComment = {
      id: this.nextId++,
      issue,
      body,
      user: { login: account.login, id: 1, type: account.type },
      performed_via_github_app: account.installation ? { slug: 'github-actions' } : null,
    };
    this.comments.push(comment);
    return comment;
  }

  commentsOn(issue: number): StoredComment[] {
    return this.comments.filter((c) => c.issue === issue);
  }

  writes(): RequestRecord[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const token = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    this.requests.push({ method, path: url.pathname, token });
    const send = (status: number, data: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(data));
    };
    const account = token ? this.tokens.get(token) : undefined;
    if (!account) {
      send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      return;
    }
    const forbidden = (): void =>
      send(403, {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest/issues/comments',
        status: '403',
      });
    const notFound = (): void =>
      send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });

    if (method === 'GET' && url.pathname === '/user') {
      if (account.installation) return forbidden();
      return send(200, { login: account.login, id: 1, type: account.type });
    }
    const repoMatch = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(url.pathname);
    if (!repoMatch || `${repoMatch[1]}/${repoMatch[2]}` !== this.repository) return notFound();
    const rest = repoMatch[3]!;

    let m = /^\/issues\/(\d+)\/comments$/.exec(rest);
    if (m && method === 'GET')
      return this.page(
        url,
        this.commentsOn(Number(m[1])).map((c) => this.view(c)),
        send,
      );
    if (m && method === 'POST') {
      if (account.readOnly) return forbidden();
      const text = validBody(body, send);
      if (text === undefined) return;
      const created = this.addComment(Number(m[1]), text, account);
      return send(201, this.view(created));
    }
    m = /^\/issues\/comments\/(\d+)$/.exec(rest);
    if (m && method === 'PATCH') {
      if (account.readOnly) return forbidden();
      const comment = this.comments.find((c) => c.id === Number(m![1]));
      if (!comment) return notFound();
      if (comment.user.login !== account.login) return forbidden();
      const text = validBody(body, send);
      if (text === undefined) return;
      comment.body = text;
      return send(200, this.view(comment));
    }
    m = /^\/pulls\/(\d+)\/files$/.exec(rest);
    if (m && method === 'GET') {
      const files = this.pullFiles.get(Number(m[1]));
      if (!files) return notFound();
      return this.page(
        url,
        files.map((filename) => ({ filename, status: 'modified' })),
        send,
      );
    }
    notFound();
  }

  private view(c: StoredComment): Record<string, unknown> {
    return {
      id: c.id,
      node_id: `IC_${c.id}`,
      url: `${this.url}/repos/${this.repository}/issues/comments/${c.id}`,
      html_url: `https://github.com/${this.repository}/pull/${c.issue}#issuecomment-${c.id}`,
      issue_url: `${this.url}/repos/${this.repository}/issues/${c.issue}`,
      body: c.body,
      user: c.user,
      performed_via_github_app: c.performed_via_github_app,
      author_association: 'NONE',
    };
  }

  /** GitHub's pagination: per_page (default 30, at most 100), page from 1, and a Link header. */
  private page(url: URL, items: unknown[], send: Send): void {
    const perPage = Math.min(
      100,
      Math.max(1, Number(url.searchParams.get('per_page') ?? 30) || 30),
    );
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const linkTo = (n: number): string => {
      const next = new URL(url);
      next.searchParams.set('per_page', String(perPage));
      next.searchParams.set('page', String(n));
      return `<${next.href}>`;
    };
    const links: string[] = [];
    if (page < last) links.push(`${linkTo(page + 1)}; rel="next"`, `${linkTo(last)}; rel="last"`);
    if (page > 1) links.push(`${linkTo(1)}; rel="first"`, `${linkTo(page - 1)}; rel="prev"`);
    send(
      200,
      items.slice((page - 1) * perPage, page * perPage),
      links.length ? { link: links.join(', ') } : {},
    );
  }
}

type Send = (status: number, data: unknown, headers?: Record<string, string>) => void;

/** A comment's body as GitHub checks it: present, and at most 65,536 characters; else a 422. */
function validBody(request: string, send: Send): string | undefined {
  let text: unknown;
  try {
    text = (JSON.parse(request) as { body?: unknown }).body;
  } catch {
    // answered below like a missing body
  }
  if (typeof text !== 'string') {
    send(422, { message: 'Invalid request: body is missing' });
    return undefined;
  }
  if (text.length > COMMENT_BODY_LIMIT) {
    send(422, {
      message: 'Validation Failed',
      errors: [
        {
          resource: 'IssueComment',
          code: 'custom',
          field: 'body',
          message: 'body is too long (maximum is 65536 characters)',
        },
      ],
    });
    return undefined;
  }
  return text;
}
