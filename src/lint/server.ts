import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';

/** How one cfn-lint run ended, whether a process of its own ran it or a forked worker did. */
export interface RunEnd {
  timedOut: boolean;
  signal?: string;
  exitCode?: number;
  /** Node could not start the process (ENOENT, EACCES, ...). */
  startError?: { code?: string; message: string };
  stdout: string;
  stderr: string;
  /**
   * The server checks templates one at a time: the index of the one that failed the run (the
   * fields above say how), `stdout` holding the report of the ones before it.
   */
  failedAt?: number;
}

export interface ServerOptions {
  python: string;
  /** cfn-lint's options, without templates: the server builds its Runner with them once. */
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Each template is bounded by this; loading cfn-lint by this or a minute, whichever is longer. */
  timeoutSeconds: number;
  stop?: AbortSignal;
}

/** Shipped beside the bundle (dist/lib/) and beside this module in the sources. */
export const SERVER_SCRIPT = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'cfnlint_server.py',
);

interface Answer {
  id?: number;
  ready?: string;
  exitCode?: number;
  signal?: string;
  timedOut?: boolean;
  stdout?: string;
  stderr?: string;
  failedAt?: number;
}

/** Loading cfn-lint on a busy machine can take longer than a short per-run limit allows. */
function readyMs(timeoutSeconds: number): number {
  return Math.max(timeoutSeconds, 60) * 1000;
}

/** The server's own reply to a request later than its time limit: it is broken, not the file. */
const GRACE_MS = 10_000;

/**
 * One Python process that imported cfn-lint and loaded its rules once; its forked workers stay for
 * the next run, so a second shard costs no second start-up (see cfnlint_server.py).
 */
export class LintServer {
  private readonly waiting = new Map<number, (end: RunEnd | undefined) => void>();
  private nextId = 1;
  private gone = false;

  private constructor(
    private readonly child: ResultPromise,
    private readonly timeoutSeconds: number,
  ) {}

  /** The running server, or undefined when this Python cannot load cfn-lint (run the command). */
  static async start(options: ServerOptions): Promise<LintServer | undefined> {
    const child = execa(options.python, [SERVER_SCRIPT, ...options.args], {
      cwd: options.cwd,
      env: options.env,
      extendEnv: false,
      reject: false,
      buffer: false,
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'ignore',
      ...(options.stop ? { cancelSignal: options.stop } : {}),
    });
    child.stdin!.on('error', () => {}); // a server that died: its end below answers for it
    const server = new LintServer(child, options.timeoutSeconds);
    const ready = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), readyMs(options.timeoutSeconds));
      const lines = readline.createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        const answer = parseAnswer(line);
        if (answer?.ready) {
          clearTimeout(timer);
          resolve(true);
        } else if (answer?.id !== undefined) server.answer(answer);
      });
      void child.then(() => {
        clearTimeout(timer);
        resolve(false);
        server.end();
      });
    });
    if (await ready) return server;
    server.close();
    return undefined;
  }

  /** One cfn-lint run on `paths` (none: `input` as stdin); undefined when the server is gone. */
  run(paths: readonly string[], input?: string): Promise<RunEnd | undefined> {
    if (this.gone) return Promise.resolve(undefined);
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.waiting.delete(id);
          this.close();
          resolve({ timedOut: true, stdout: '', stderr: '' });
        },
        this.timeoutSeconds * 1000 * Math.max(1, paths.length) + GRACE_MS,
      );
      this.waiting.set(id, (end) => {
        clearTimeout(timer);
        resolve(end);
      });
      const request = { id, paths, timeout: this.timeoutSeconds, ...(input ? { input } : {}) };
      this.child.stdin!.write(`${JSON.stringify(request)}\n`);
    });
  }

  close(): void {
    this.child.kill();
    this.end();
  }

  private answer(answer: Answer): void {
    const resolve = this.waiting.get(answer.id!);
    if (!resolve) return;
    this.waiting.delete(answer.id!);
    resolve({
      timedOut: answer.timedOut === true,
      ...(typeof answer.signal === 'string' ? { signal: answer.signal } : {}),
      ...(typeof answer.exitCode === 'number' ? { exitCode: answer.exitCode } : {}),
      stdout: String(answer.stdout ?? ''),
      stderr: String(answer.stderr ?? ''),
      ...(Number.isInteger(answer.failedAt) ? { failedAt: answer.failedAt } : {}),
    });
  }

  /** The server stopped: whatever it had not answered is run by the command instead. */
  private end(): void {
    this.gone = true;
    for (const resolve of this.waiting.values()) resolve(undefined);
    this.waiting.clear();
  }
}

function parseAnswer(line: string): Answer | undefined {
  try {
    const answer: unknown = JSON.parse(line);
    return answer && typeof answer === 'object' ? (answer as Answer) : undefined;
  } catch {
    return undefined;
  }
}
