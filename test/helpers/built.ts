import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { NODE24, ROOT } from './paths.js';

const run = promisify(execFile);

/** What a run of a built entry left behind, for assertions on every channel at once. */
export interface BuiltRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Action outputs from GITHUB_OUTPUT (empty for the CLI). */
  outputs: Record<string, string>;
  /** The job summary file's text (empty for the CLI). */
  summary: string;
}

/** GITHUB_OUTPUT's `name<<DELIMITER ... DELIMITER` blocks. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const m of text.matchAll(/^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm)) outputs[m[1]!] = m[3]!;
  return outputs;
}

async function execute(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(NODE24, args, {
      env,
      cwd,
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/**
 * Run the committed dist/index.js the way the runner does: inputs as INPUT_* variables, Node 24,
 * GITHUB_OUTPUT and the job summary in a runner folder (RUNNER_TEMP).
 */
export async function runBuiltAction(
  ws: string,
  inputs: Record<string, string>,
  options: { env?: NodeJS.ProcessEnv; runner?: string } = {},
): Promise<BuiltRun & { runner: string }> {
  const runner = options.runner ?? path.join(ws, '.runner');
  await fs.mkdir(runner, { recursive: true });
  const outputFile = path.join(runner, 'output');
  const summaryFile = path.join(runner, 'summary');
  await fs.writeFile(outputFile, '');
  await fs.writeFile(summaryFile, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    GITHUB_WORKSPACE: ws,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_EVENT_NAME: 'push',
    RUNNER_TEMP: runner,
    ...options.env,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const result = await execute([path.join(ROOT, 'dist/index.js')], env, ws);
  return {
    ...result,
    runner,
    outputs: parseOutputs(await fs.readFile(outputFile, 'utf8')),
    summary: await fs.readFile(summaryFile, 'utf8'),
  };
}

/** Run the committed dist/cli.js on Node 24 in a workspace. */
export async function runBuiltCli(
  ws: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<BuiltRun> {
  const result = await execute(
    [path.join(ROOT, 'dist/cli.js'), ...args],
    {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...env,
    },
    ws,
  );
  return { ...result, outputs: {}, summary: '' };
}
