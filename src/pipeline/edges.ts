import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { realAwsClients } from '../deploy/aws.js';
import { realPoller } from '../deploy/wait.js';
import { synthesizeCdkApp } from '../discover/cdk-synth.js';
import { CACHE_FORMAT, MAX_CACHE_BYTES, type CacheStore } from '../lint/cache.js';
import { cfnLintVersion } from '../lint/version.js';
import { readFileBounded, writeFileInside } from '../model/files.js';
import { locateCfnGuard } from '../guard/install.js';
import { locateCfnLint, which, type FolderCache } from '../lint/install.js';

export type { FolderCache };
import { createPolicyChecker } from '../policies/index.js';
import type { Logger } from '../model/logger.js';
import { credentialValues, Redactor } from '../model/redact.js';
import type { Settings } from '../model/settings.js';
import type { PipelineDeps } from './pipeline.js';
import { TOOL_VERSION } from '../model/version.js';

export interface EdgeOptions {
  log: Logger;
  env: NodeJS.ProcessEnv;
  /** The runner's tool cache and the Actions cache, where cfn-lint may be installed. */
  toolCache?: string;
  cache?: FolderCache;
  /** The run's redaction layer; by default one that knows the job's credentials. */
  redactor?: Redactor;
  /** Where cfn-lint results are kept between runs (the CLI's folder, the Actions cache). */
  lintCache?: CacheStore;
}

/**
 * The CLI keeps cfn-lint results in the working folder, where build tools keep theirs
 * (`node_modules/.cache/iac-action/`): inside the folders the CLI may write to (docs/security.md).
 */
export function folderLintCache(cwd: string): CacheStore {
  const file = path.join(cwd, 'node_modules', '.cache', 'iac-action', 'cfn-lint-results.json');
  return {
    read: () => readFileBounded(file, MAX_CACHE_BYTES),
    write: (text) => writeFileInside(file, text, [cwd], 'the cfn-lint cache'),
  };
}

/** Save and restore of a folder in the Actions cache, by key prefixes (newest entry first). */
export interface ActionsCache {
  restore(folder: string, keys: readonly string[]): Promise<string | undefined>;
  save(folder: string, key: string): Promise<void>;
}

/**
 * Actions cache keys of the cfn-lint results. A run restores the newest entry saved by its own
 * ref, else by the pull request's base branch; GitHub itself only serves entries of those scopes,
 * so a fork's pull request can never write what main restores. Runs that hold the base branch's
 * scope while they check a pull request's files (pull_request_target, workflow_run) only restore.
 */
export function lintCacheKeys(
  env: NodeJS.ProcessEnv,
): { restore: string[]; savePrefix?: string } | undefined {
  if (!env.GITHUB_REF) return undefined;
  const prefix = `iac-action-cfn-lint-v${CACHE_FORMAT}-${process.platform}-`;
  const own = `${prefix}${env.GITHUB_REF}-`;
  const base = env.GITHUB_BASE_REF ? `${prefix}refs/heads/${env.GITHUB_BASE_REF}-` : own;
  const restoreOnly = ['pull_request_target', 'workflow_run'].includes(env.GITHUB_EVENT_NAME ?? '');
  return {
    restore: base === own ? [own] : [own, base],
    ...(restoreOnly ? {} : { savePrefix: own }),
  };
}

/**
 * cfn-lint results kept in the Actions cache: restored into a fresh folder under RUNNER_TEMP
 * before the lint, saved under a key naming their content when they changed. What comes back is
 * read as hostile (bounded, no links, every entry checked; src/lint/cache.ts).
 */
export function actionsLintCache(
  actions: ActionsCache,
  env: NodeJS.ProcessEnv,
  log: Logger,
): CacheStore | undefined {
  const keys = lintCacheKeys(env);
  if (!keys || !env.RUNNER_TEMP) return undefined;
  const temp = env.RUNNER_TEMP;
  const folder = path.join(temp, 'iac-action-lint-cache');
  const file = path.join(folder, 'cfn-lint-results.json');
  let restored: string | undefined;
  return {
    async read() {
      await fs.rm(folder, { recursive: true, force: true });
      restored = await actions.restore(folder, keys.restore);
      if (restored) log.info(`cfn-lint results restored from the Actions cache (${restored}).`);
      return restored ? await readFileBounded(file, MAX_CACHE_BYTES) : undefined;
    },
    async write(text) {
      if (!keys.savePrefix) return;
      const key = `${keys.savePrefix}${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
      if (key === restored) return;
      await writeFileInside(file, text, [temp], 'the cfn-lint cache');
      await actions.save(folder, key);
    },
  };
}

/** A redactor that already knows the job's credentials and the GitHub token. */
export function jobRedactor(
  env: NodeJS.ProcessEnv,
  settings: Pick<Settings, 'report'> | undefined,
  onSecret?: (value: string) => void,
): Redactor {
  const redactor = new Redactor(onSecret);
  redactor.addCredentials(...credentialValues(env), settings?.report.githubToken);
  return redactor;
}

/** The real edges: processes, the file system, AWS. The action and the CLI both start here. */
export function realEdges(settings: Settings, options: EdgeOptions): PipelineDeps {
  return {
    log: options.log,
    env: options.env,
    redactor: options.redactor ?? jobRedactor(options.env, settings),
    toolVersion: TOOL_VERSION,
    cores: Math.max(1, os.availableParallelism()),
    locateCfnLint: () =>
      locateCfnLint({
        env: options.env,
        version: settings.lint.version,
        log: options.log,
        ...(options.toolCache ? { toolCache: options.toolCache } : {}),
        ...(options.cache ? { cache: options.cache } : {}),
      }),
    cfnLintVersion: (executable) => cfnLintVersion(executable, options.env),
    ...(options.lintCache ? { lintCache: options.lintCache } : {}),
    locateCfnGuard: () =>
      locateCfnGuard({
        env: options.env,
        log: options.log,
        which,
        ...(options.toolCache ? { toolCache: options.toolCache } : {}),
        ...(options.cache ? { cache: options.cache } : {}),
      }),
    synthesizeCdkApp: () =>
      synthesizeCdkApp({
        workspace: settings.workspace,
        app: settings.cdkApp,
        env: options.env,
        region: settings.aws.region,
        ...(settings.aws.accountId ? { accountId: settings.aws.accountId } : {}),
        log: options.log,
        which,
      }),
    checkPolicies: createPolicyChecker({ settings, log: options.log }),
    aws: realAwsClients(settings.aws.endpointUrl ? { endpointUrl: settings.aws.endpointUrl } : {}),
    poller: realPoller,
  };
}
