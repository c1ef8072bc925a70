import { main } from '../../src/entry/cli.js';

/** A shell's environment without AWS credentials. */
export const noCredentials = { PATH: process.env.PATH, HOME: process.env.HOME };

/** The CLI run in-process (src/entry/cli.ts main), its output collected. */
export async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s), env, cwd });
  return { status, stdout: out.join('\n'), stderr: err.join('\n') };
}
