import fs from 'node:fs/promises';
import path from 'node:path';
import { runAction, type ActionEdges } from '../../src/entry/action.js';
import { realEdges } from '../../src/pipeline/edges.js';
import type { Annotation } from '../../src/report/annotations.js';

/** What an in-process run of the action left on each channel. */
export interface ActionRun {
  /** The setFailed message, when the job failed. */
  failed?: string;
  outputs: Record<string, string>;
  /** The report text and log lines, each prefixed with its level when not info. */
  log: string[];
  summary: string;
  annotations: Annotation[];
  secrets: string[];
}

/**
 * runAction (src/entry/action.ts) in this process, with the runner's edges replaced by recorders:
 * no rebundle is needed to test a change to the action. Inputs are read as core.getInput reads
 * INPUT_* variables (trimmed, '' when unset); the pipeline's dependencies are the real ones unless
 * `pipeline` says otherwise.
 */
export async function runActionInProcess(
  ws: string,
  inputs: Record<string, string>,
  options: { env?: NodeJS.ProcessEnv; pipeline?: ActionEdges['pipeline'] } = {},
): Promise<ActionRun> {
  const runner = path.join(ws, '.runner');
  await fs.mkdir(runner, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    GITHUB_WORKSPACE: ws,
    GITHUB_EVENT_NAME: 'push',
    RUNNER_TEMP: runner,
    ...options.env,
  };
  const run: ActionRun = { outputs: {}, log: [], summary: '', annotations: [], secrets: [] };
  const log = {
    info: (m: string) => run.log.push(m),
    warning: (m: string) => run.log.push(`warning: ${m}`),
    notice: (m: string) => run.log.push(`notice: ${m}`),
    debug: () => {},
  };
  const writeSummary = async (markdown: string) => {
    run.summary += markdown;
    return true;
  };
  const setOutput = (name: string, value: string) => (run.outputs[name] = value);
  const setSecret = (value: string) => run.secrets.push(value);
  await runAction({
    env,
    getInput: (name) => (inputs[name] ?? '').trim(),
    setOutput,
    setSecret,
    setFailed: (message) => (run.failed = message),
    print: (text) => run.log.push(text),
    log,
    writeSummary,
    publishing: (publishLog, redactor) => ({
      env,
      log: publishLog,
      redact: (text) => redactor.secrets(text),
      annotate: (annotation) => run.annotations.push(annotation),
      setOutput,
      setSecret,
      writeSummary,
      github: () => Promise.reject(new Error('These tests give the action no GitHub API.')),
    }),
    pipeline: options.pipeline ?? realEdges,
  });
  return run;
}
