import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Finding } from '../model/findings.js';
import type { Environment } from './environment.js';
import { isInside, relativeToWorkspace } from '../model/files.js';
import { DISCOVERY_RULES } from './rules.js';

/** Limits of one rendering: what a hostile template may cost before it is stopped with a finding. */
export const RENDER_LIMITS = {
  timeoutMs: 10_000,
  memoryMb: 256,
  maxOutputBytes: 1024 * 1024,
  maxIncludes: 200,
  maxIncludeBytes: 1024 * 1024,
};

export type RenderResult = { ok: true; text: string } | { ok: false; finding: Finding };

export interface RenderRequest {
  text: string;
  /** Workspace-relative path of the template. */
  file: string;
  environment?: Environment;
  trusted: boolean;
}

/** Renders Jinja-style templates in an isolated process; close it when the run is done. */
export interface Renderer {
  render(request: RenderRequest): Promise<RenderResult>;
  close(): void;
}

interface WorkerResult {
  type: 'result';
  ok: boolean;
  text?: string;
  message?: string;
  member?: string;
  include?: string;
  refusal?: string;
}

/**
 * Node's permission model denies the network too where it knows `--allow-net` (Node 25 on); the
 * flag's presence is the test, not the version number.
 */
export const RENDERER_HAS_NO_NETWORK = process.allowedNodeEnvironmentFlags.has('--allow-net');

/**
 * The worker script and what it may read: the bundle ships it compiled beside the library; from
 * the sources (tests) Node runs the TypeScript file itself and reads the repository's packages.
 */
function workerLocation(): { script: string; readable: string } {
  const here = path.dirname(fileURLToPath(import.meta.url));
  if (import.meta.url.endsWith('.ts')) {
    return { script: path.join(here, 'render-worker.ts'), readable: path.resolve(here, '../..') };
  }
  const script = path.resolve(here, '../render/index.js');
  return { script, readable: path.dirname(script) };
}

function permissionFlags(readable: string, memoryMb: number): string[] {
  const flag = process.allowedNodeEnvironmentFlags.has('--permission')
    ? '--permission'
    : '--experimental-permission';
  return [
    flag,
    `--allow-fs-read=${readable}`,
    `--max-old-space-size=${memoryMb}`,
    '--disable-proto=throw',
    '--no-warnings',
  ];
}

/**
 * One renderer process per run, rendering one template at a time. It is started with an empty
 * environment and reads nothing but its own code; includes are served from here, through their
 * real path and only from inside the workspace. A template that times out, runs out of memory or
 * kills the process costs its own finding, and the next template gets a fresh process.
 */
export function createRenderer(
  workspace: string,
  limits: typeof RENDER_LIMITS = RENDER_LIMITS,
): Renderer {
  const realWorkspace = fs.realpath(workspace).catch(() => path.resolve(workspace));
  let child: Worker | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  return {
    render(request) {
      const next = queue.then(async () => {
        child ??= startWorker(limits);
        const worker = child;
        const outcome = await worker.render(request, await realWorkspace);
        if (outcome.kind !== 'result') {
          worker.kill();
          child = undefined;
        }
        return toResult(request, outcome, limits);
      });
      queue = next.catch(() => undefined);
      return next;
    },
    close() {
      child?.kill();
      child = undefined;
    },
  };
}

/** Render one template in a renderer of its own (tests, one-off callers). */
export async function renderTemplate(
  text: string,
  file: string,
  options: { workspace: string; environment?: Environment; trusted: boolean },
  limits: typeof RENDER_LIMITS = RENDER_LIMITS,
): Promise<RenderResult> {
  const renderer = createRenderer(options.workspace, limits);
  try {
    return await renderer.render({
      text,
      file,
      trusted: options.trusted,
      ...(options.environment ? { environment: options.environment } : {}),
    });
  } finally {
    renderer.close();
  }
}

type Outcome =
  | { kind: 'result'; result: WorkerResult }
  | { kind: 'timeout' }
  | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null; stderr: string }
  | { kind: 'protocol'; message: string };

interface Worker {
  render(request: RenderRequest, realWorkspace: string): Promise<Outcome>;
  kill(): void;
}

function startWorker(limits: typeof RENDER_LIMITS): Worker {
  const { script, readable } = workerLocation();
  const proc: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    [...permissionFlags(readable, limits.memoryMb), script],
    { env: {}, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (s: string) => {
    if (stderr.length < 4096) stderr += s;
  });
  proc.stdin.on('error', () => undefined); // a dead worker is reported through its exit
  let buffered = '';
  let onLine: ((line: string) => void) | undefined;
  let onExit: ((code: number | null, signal: NodeJS.Signals | null) => void) | undefined;
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (s: string) => {
    buffered += s;
    // A rendering is at most 1 MiB; a line far beyond that is a worker gone wrong.
    if (buffered.length > limits.maxOutputBytes * 8) {
      buffered = '';
      proc.kill('SIGKILL');
      return;
    }
    for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      onLine?.(line);
    }
  });
  proc.on('exit', (code, signal) => {
    exited = { code, signal };
    onExit?.(code, signal);
  });
  proc.on('error', () => {
    exited ??= { code: null, signal: null };
    onExit?.(null, null);
  });

  return {
    kill: () => {
      if (!exited) proc.kill('SIGKILL');
    },
    render(request, realWorkspace) {
      return new Promise<Outcome>((resolve) => {
        if (exited) {
          resolve({ kind: 'exit', ...exited, stderr });
          return;
        }
        let includes = 0;
        const done = (outcome: Outcome) => {
          clearTimeout(timer);
          onLine = undefined;
          onExit = undefined;
          resolve(outcome);
        };
        const timer = setTimeout(() => done({ kind: 'timeout' }), limits.timeoutMs);
        onExit = (code, signal) => done({ kind: 'exit', code, signal, stderr });
        onLine = (line) => {
          let message: { type?: string; name?: unknown };
          try {
            message = JSON.parse(line) as typeof message;
          } catch {
            done({ kind: 'protocol', message: 'the renderer wrote something that is not JSON' });
            return;
          }
          if (message.type === 'result') {
            done({ kind: 'result', result: message as WorkerResult });
            return;
          }
          if (message.type === 'include' && typeof message.name === 'string') {
            includes++;
            void readInclude(realWorkspace, message.name, includes, limits).then((reply) =>
              proc.stdin.write(`${JSON.stringify({ type: 'source', ...reply })}\n`),
            );
            return;
          }
          done({ kind: 'protocol', message: 'the renderer sent an unknown message' });
        };
        const context = {
          ...(request.environment?.variables ?? {}),
          variables: request.environment?.variables ?? {},
          environment: request.environment?.name ?? '',
          parameters: request.environment?.parameters ?? {},
        };
        proc.stdin.write(
          `${JSON.stringify({
            type: 'render',
            file: request.file,
            text: request.text,
            context,
            trusted: request.trusted,
            maxOutputBytes: limits.maxOutputBytes,
          })}\n`,
        );
      });
    },
  };
}

/**
 * An included template, read through its real path: a name that leads outside the workspace,
 * also through a link, is refused; so is anything but a regular file under the size limit.
 */
async function readInclude(
  realWorkspace: string,
  name: string,
  count: number,
  limits: typeof RENDER_LIMITS,
): Promise<{ ok: true; path: string; text: string } | { ok: false; message: string }> {
  const refuse = (why: string) => ({ ok: false as const, message: `"${name}" ${why}` });
  if (count > limits.maxIncludes)
    return refuse(`is include number ${count}; at most ${limits.maxIncludes} are allowed`);
  if (name.includes('\0') || path.isAbsolute(name))
    return refuse('is not a workspace-relative path, so it is refused');
  const absolute = path.resolve(realWorkspace, name);
  if (!isInside(realWorkspace, absolute))
    return refuse('resolves outside the workspace, so it is refused');
  let real: string;
  try {
    real = await fs.realpath(absolute);
  } catch {
    return refuse('was not found in the workspace');
  }
  if (!isInside(realWorkspace, real))
    return refuse('is a link that leads outside the workspace, so it is refused');
  try {
    const stat = await fs.stat(real);
    if (!stat.isFile()) return refuse('is not a file');
    if (stat.size > limits.maxIncludeBytes)
      return refuse(
        `is ${stat.size} bytes; included templates may have at most ${limits.maxIncludeBytes}`,
      );
    return {
      ok: true,
      path: relativeToWorkspace(realWorkspace, real),
      text: await fs.readFile(real, 'utf8'),
    };
  } catch (error) {
    return refuse(`could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function toResult(
  request: RenderRequest,
  outcome: Outcome,
  limits: typeof RENDER_LIMITS,
): RenderResult {
  const fail = (line: number, column: number, message: string): RenderResult => ({
    ok: false,
    finding: {
      source: 'discovery',
      ruleId: DISCOVERY_RULES.renderFailed.id,
      severity: 'error',
      file: request.file,
      line,
      column,
      message,
    },
  });
  if (outcome.kind === 'timeout') {
    return fail(
      1,
      1,
      `Template rendering was stopped after ${limits.timeoutMs / 1000} s, the limit: look for a loop or recursion that does not end.`,
    );
  }
  if (outcome.kind === 'protocol')
    return fail(1, 1, `Template rendering failed: ${outcome.message}.`);
  if (outcome.kind === 'exit') {
    const oom = /heap out of memory|Allocation failed/i.test(outcome.stderr);
    const why = oom
      ? `it needed more than ${limits.memoryMb} MiB of memory, the limit`
      : outcome.signal
        ? `the renderer was killed by ${outcome.signal}`
        : `the renderer stopped with exit code ${outcome.code ?? 'unknown'}`;
    return fail(1, 1, `Template rendering failed: ${why}.`);
  }
  const result = outcome.result;
  if (result.ok && typeof result.text === 'string') return { ok: true, text: result.text };
  const message = result.refusal ?? result.message ?? 'unknown error';
  if (result.include) {
    const line =
      lineOfTag(request.text, result.include, /^\{%-?\s*(include|import|extends|from)\b/) ?? 1;
    return fail(line, 1, `Template include refused: ${message}.`);
  }
  const where = /\[Line (\d+), Column (\d+)\]/.exec(message);
  const detail = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('(') && !/^Template render error/.test(l))
    .join(' ')
    .replace(/^Error: /, '')
    .replace(/\.+$/, '');
  const hint =
    request.environment || result.member
      ? ''
      : ' No environment was given: set input "environment" (e.g. dev) to supply variables.';
  const line =
    (result.member && lineOfTag(request.text, result.member, /\[/)) ||
    (where ? Number(where[1]) : 1);
  return fail(
    line,
    where && !result.member ? Number(where[2]) : 1,
    `Template rendering failed: ${detail}.${hint}`,
  );
}

/** The line of the first tag naming the text, else of the first tag that matches the fallback. */
function lineOfTag(text: string, name: string, fallback: RegExp): number | undefined {
  const tags = [...text.matchAll(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g)];
  const tag = tags.find((t) => t[0].includes(name)) ?? tags.find((t) => fallback.test(t[0]));
  return tag ? text.slice(0, tag.index).split('\n').length : undefined;
}
