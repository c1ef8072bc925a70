import os from 'node:os';
import { realAwsClients } from '../deploy/aws.js';
import { realPoller } from '../deploy/wait.js';
import { synthesizeCdkApp } from '../discover/cdk-synth.js';
import { cfnLintVersion } from '../lint/version.js';
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
