import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { UserError } from '../model/errors.js';
import { exists } from '../model/files.js';
import type { Logger } from '../model/logger.js';
import { INSTALL_HINT } from './cfnlint.js';

/** Save and restore of a folder across jobs (the Actions cache in the action; absent in the CLI). */
export interface FolderCache {
  restore(folder: string, key: string): Promise<boolean>;
  save(folder: string, key: string): Promise<void>;
}

export interface LocateOptions {
  env: NodeJS.ProcessEnv;
  version: string;
  log: Logger;
  /** Where a virtual environment may be installed (the runner's tool cache); absent in the CLI. */
  toolCache?: string;
  cache?: FolderCache;
}

/** Find an executable on PATH the way a shell would. */
export async function which(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      await fs.access(candidate, fs.constants.X_OK);
      if ((await fs.stat(candidate)).isFile()) return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/**
 * The cfn-lint to run: the one on PATH, else (in the action) one installed into a virtual
 * environment under the tool cache at the pinned version and shared across jobs by the cache.
 */
export async function locateCfnLint(options: LocateOptions): Promise<string> {
  const onPath = await which('cfn-lint', options.env);
  if (onPath) return await unshim(onPath, options.env);
  if (!options.toolCache) {
    throw new UserError(
      'cfn-lint is not installed (it is not on PATH).',
      `${INSTALL_HINT} For example: pip install cfn-lint==${options.version}`,
    );
  }
  const venv = path.join(options.toolCache, 'cfn-lint', options.version, process.arch);
  const executable = path.join(venv, 'bin', 'cfn-lint');
  if (await exists(executable)) return executable;

  const python = (await which('python3', options.env)) ?? (await which('python', options.env));
  if (!python) {
    throw new UserError(
      'cfn-lint is not on PATH and Python is not installed, so it cannot be installed.',
      `Add actions/setup-python before this step, or install cfn-lint yourself: pip install cfn-lint==${options.version}`,
    );
  }
  const run = (command: string, args: string[], what?: string) =>
    runTool(command, args, options.env, what);
  const pyVersion = (
    await run(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'])
  ).trim();
  const key = `iac-action-cfn-lint-${options.version}-${process.platform}-${process.arch}-py${pyVersion}`;
  if (options.cache && (await options.cache.restore(venv, key)) && (await exists(executable))) {
    options.log.info(`cfn-lint ${options.version} restored from the Actions cache.`);
    return executable;
  }
  options.log.info(`Installing cfn-lint ${options.version} into ${venv} ...`);
  await run(python, ['-m', 'venv', '--clear', venv], 'create a Python virtual environment');
  await run(
    path.join(venv, 'bin', 'python'),
    [
      '-m',
      'pip',
      'install',
      '--disable-pip-version-check',
      '--no-input',
      '--quiet',
      `cfn-lint==${options.version}`,
    ],
    `pip install cfn-lint==${options.version}`,
  );
  if (options.cache) {
    try {
      await options.cache.save(venv, key);
    } catch (error) {
      options.log.warning(
        `Could not save cfn-lint to the Actions cache: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return executable;
}

export async function firstLines(file: string): Promise<string> {
  const handle = await fs.open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2048), 0, 2048, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * The Python that runs a pip-installed script: its `#!/abs/python` line, or the `exec '/abs/python'`
 * line pip writes when that path is too long for a shebang. Undefined for anything else (a binary,
 * a wrapper script): then only the command itself knows how to start cfn-lint.
 */
export async function pythonOf(executable: string): Promise<string | undefined> {
  const head = await firstLines(executable).catch(() => '');
  const interpreter =
    /^#!(\/\S*python[\d.]*)\s*$/m.exec(head.split('\n')[0] ?? '')?.[1] ??
    /^'''exec' '?(\/[^'\s]*python[\d.]*)'? "\$0" "\$@"/m.exec(head)?.[1];
  return interpreter && (await exists(interpreter)) ? interpreter : undefined;
}

/**
 * A pyenv shim runs a chain of shell scripts (a tenth of a second or more) before Python starts,
 * for every process. Ask pyenv once which script it runs, and run that directly.
 */
async function unshim(executable: string, env: NodeJS.ProcessEnv): Promise<string> {
  if (path.basename(path.dirname(executable)) !== 'shims') return executable;
  if (!/pyenv/.test(await firstLines(executable).catch(() => ''))) return executable;
  const result = await execa('pyenv', ['which', 'cfn-lint'], {
    env,
    extendEnv: false,
    reject: false,
    timeout: 10_000,
    stdin: 'ignore',
  });
  const real = String(result.stdout ?? '').trim();
  return !result.failed && real && (await exists(real)) ? real : executable;
}

async function runTool(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  what?: string,
): Promise<string> {
  const result = await execa(command, args, {
    env,
    extendEnv: false,
    reject: false,
    timeout: 300_000,
    stdin: 'ignore',
  });
  if (result.failed) {
    const detail = String(result.stderr || result.stdout || result.shortMessage)
      .split('\n')
      .slice(-3)
      .join('\n');
    throw new UserError(
      `Could not ${what ?? command} (cfn-lint install): ${detail}`,
      `${INSTALL_HINT} For example: pip install cfn-lint`,
    );
  }
  return String(result.stdout);
}
