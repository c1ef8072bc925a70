/**
 * The nunjucks renderer's own process. nunjucks does not sandbox templates, so this process is
 * started with an empty environment and Node's permission model (no file reads beyond its own
 * code, no writes, child processes, workers or addons): code a template manages to run here finds
 * no credentials to read. It reads no template file itself: every `include`, `import`, `extends`
 * and `from` is asked of the parent over stdin/stdout, which resolves it through its real path
 * and refuses anything outside the workspace.
 *
 * Protocol (one JSON object per line): the parent sends `{type: 'render', ...}`; the worker may
 * answer `{type: 'include', name}` any number of times (the parent replies with `{type:
 * 'source', ...}`), then `{type: 'result', ...}`. Only erasable TypeScript here: tests run this
 * file directly with Node's type stripping; the bundle ships it compiled.
 */
import fs from 'node:fs';
import path from 'node:path';
import nunjucks from 'nunjucks';

interface RenderRequest {
  type: 'render';
  /** Workspace-relative path of the template (forward slashes). */
  file: string;
  text: string;
  context: unknown;
  /** The repository is trusted: JavaScript internals may be reached from templates. */
  trusted: boolean;
  maxOutputBytes: number;
}

interface SourceReply {
  type: 'source';
  ok: boolean;
  /** Workspace-relative path the name resolved to. */
  path?: string;
  text?: string;
  message?: string;
}

/** Names that reach JavaScript internals (`range.constructor` is Function) or call functions with a chosen `this`. */
const UNSAFE_MEMBERS = new Set([
  'constructor',
  '__proto__',
  'prototype',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'call',
  'apply',
  'bind',
]);

class Refusal extends Error {
  readonly member?: string;
  readonly include?: string;
  constructor(message: string, detail: { member?: string; include?: string }) {
    super(message);
    if (detail.member) this.member = detail.member;
    if (detail.include) this.include = detail.include;
  }
}

let guarded = true;
let refusal: Refusal | undefined;

function refuseMember(name: string): never {
  refusal = new Refusal(
    `"${name}" reaches JavaScript internals and could run code in this job, so it is refused. Set input trust-repo-config: true only if you trust every author of this repository`,
    { member: name },
  );
  throw refusal;
}

// The runtime's typings omit these; compiled templates call them by name through this object.
const runtime = nunjucks.runtime as unknown as {
  memberLookup: (obj: unknown, val: unknown) => unknown;
  contextOrFrameLookup: (context: unknown, frame: unknown, name: string) => unknown;
};
const memberLookup = runtime.memberLookup;
runtime.memberLookup = (obj: unknown, val: unknown) => {
  if (guarded && UNSAFE_MEMBERS.has(String(val))) refuseMember(String(val));
  return memberLookup(obj, val);
};
// A top-level name is looked up on plain objects (the context, globals, frames), so
// `{{ constructor }}` would be Object itself: only names that are not Object's own members pass.
const contextOrFrameLookup = runtime.contextOrFrameLookup;
runtime.contextOrFrameLookup = (context: unknown, frame: unknown, name: string) => {
  if (guarded && (UNSAFE_MEMBERS.has(name) || name in Object.prototype)) refuseMember(name);
  return contextOrFrameLookup(context, frame, name);
};

/** Data only: null-prototype objects all the way down, so no value can reach or replace a prototype. */
function asData(value: unknown, depth = 0): unknown {
  if (depth > 64) return null;
  if (Array.isArray(value)) return value.map((v) => asData(v, depth + 1));
  if (value && typeof value === 'object') {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [key, v] of Object.entries(value)) {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
      out[key] = asData(v, depth + 1);
    }
    return out;
  }
  return value;
}

// stdin is read synchronously: a loader's getSource must answer before rendering goes on.
const input = { buffer: Buffer.alloc(0) };
function readLine(): string | undefined {
  const chunk = Buffer.alloc(1 << 16);
  for (;;) {
    const newline = input.buffer.indexOf(10);
    if (newline >= 0) {
      const line = input.buffer.subarray(0, newline).toString('utf8');
      input.buffer = input.buffer.subarray(newline + 1);
      return line;
    }
    let n: number;
    try {
      n = fs.readSync(0, chunk, 0, chunk.length, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      throw error;
    }
    if (n === 0) return undefined;
    input.buffer = Buffer.concat([input.buffer, chunk.subarray(0, n)]);
  }
}

function send(message: object): void {
  const text = `${JSON.stringify(message)}\n`;
  let offset = 0;
  const bytes = Buffer.from(text, 'utf8');
  while (offset < bytes.length) offset += fs.writeSync(1, bytes, offset);
}

/** Asks the parent for an included template; names are workspace-relative. */
const parentLoader = {
  getSource(name: string): { src: string; path: string; noCache: boolean } {
    send({ type: 'include', name });
    const line = readLine();
    const reply = (
      line ? JSON.parse(line) : { ok: false, message: 'the renderer lost its parent' }
    ) as SourceReply;
    if (!reply.ok || reply.text === undefined || !reply.path) {
      refusal = new Refusal(reply.message ?? `cannot include "${name}"`, { include: name });
      throw refusal;
    }
    return { src: reply.text, path: reply.path, noCache: true };
  },
  isRelative(name: string): boolean {
    return name.startsWith('./') || name.startsWith('../');
  },
  resolve(from: string, to: string): string {
    return path.posix.join(path.posix.dirname(from), to);
  },
};

/** Set by the guards and the loader; read after a failed render (a function defeats narrowing). */
const lastRefusal = (): Refusal | undefined => refusal;

type RenderString = (text: string, context: object, options: { path: string }) => string;

function render(request: RenderRequest): object {
  const env = new nunjucks.Environment(parentLoader as unknown as nunjucks.ILoader, {
    // Jinja's defaults (as Sceptre uses them): whitespace is controlled in the template with `{%-`.
    autoescape: false,
    throwOnUndefined: true,
  });
  const data = asData(request.context) as Record<string, unknown>;
  guarded = !request.trusted;
  refusal = undefined;
  try {
    const renderString = env.renderString.bind(env) as unknown as RenderString;
    const text = renderString(request.text, data, { path: request.file });
    if (Buffer.byteLength(text, 'utf8') > request.maxOutputBytes) {
      return {
        type: 'result',
        ok: false,
        message: `the rendering is larger than ${request.maxOutputBytes} bytes, the limit`,
      };
    }
    return { type: 'result', ok: true, text };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const refused = lastRefusal();
    return {
      type: 'result',
      ok: false,
      message,
      ...(refused?.member ? { member: refused.member } : {}),
      ...(refused?.include ? { include: refused.include, refusal: refused.message } : {}),
    };
  } finally {
    guarded = true;
  }
}

for (let line = readLine(); line !== undefined; line = readLine()) {
  if (!line.trim()) continue;
  send(render(JSON.parse(line) as RenderRequest));
}
