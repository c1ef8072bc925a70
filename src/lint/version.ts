import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { lintEnvironment } from './cfnlint.js';
import { pythonOf } from './install.js';

/**
 * The installed cfn-lint's version, e.g. "1.51.0". `cfn-lint --version` costs a whole Python start
 * (about a second of CPU, competing with the lint itself), so first read the version from the
 * package metadata beside the interpreter the script runs with; fall back to asking cfn-lint.
 */
export async function cfnLintVersion(
  executable: string,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  try {
    const fromMetadata = await versionFromMetadata(executable);
    if (fromMetadata) return fromMetadata;
  } catch {
    // any surprise in the layout: ask cfn-lint itself below
  }
  const result = await execa(executable, ['--version'], {
    env: lintEnvironment(env),
    extendEnv: false,
    reject: false,
    timeout: 30_000,
    stdin: 'ignore',
  });
  return /(\d+\.\d+\.\d+)/.exec(String(result.stdout ?? ''))?.[1];
}

async function versionFromMetadata(executable: string): Promise<string | undefined> {
  const interpreter = await pythonOf(executable);
  if (!interpreter) return undefined;
  // The prefix of the interpreter as invoked (a venv's bin/python is a link; keep the venv).
  const lib = path.join(path.dirname(path.dirname(interpreter)), 'lib');
  for (const python of await fs.readdir(lib)) {
    if (!python.startsWith('python')) continue;
    const sitePackages = path.join(lib, python, 'site-packages');
    const entries = await fs.readdir(sitePackages).catch(() => [] as string[]);
    const dist = entries.find((e) => /^cfn_lint-\d+\.\d+\.\d+\.dist-info$/.test(e));
    if (dist) return /(\d+\.\d+\.\d+)/.exec(dist)?.[1];
  }
  return undefined;
}
