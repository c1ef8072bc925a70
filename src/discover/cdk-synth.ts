/**
 * Input cdk-app: the app's own `cdk synth` before discovery, so the run reads a fresh cloud
 * assembly. It runs repository code, so the settings allow it only with trust-repo-config, and
 * the process gets no credentials, no token and nothing else of the job's environment.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { CDK_ASSEMBLY_FOLDER } from '../model/cdk.js';
import { UserError } from '../model/errors.js';
import { resolveInside } from '../model/files.js';
import type { Logger } from '../model/logger.js';
import { logSafe, shorten } from '../model/text.js';

/** A synth that has not finished by then is stuck (a lookup waiting for credentials, a loop). */
export const SYNTH_TIMEOUT_SECONDS = 600;

export interface SynthOptions {
  workspace: string;
  /** Input cdk-app: the folder holding cdk.json, relative to the workspace. */
  app: string;
  env: NodeJS.ProcessEnv;
  region: string;
  accountId?: string;
  log: Logger;
  /** Finds an executable on PATH the way a shell would. */
  which: (name: string, env: NodeJS.ProcessEnv) => Promise<string | undefined>;
  timeoutSeconds?: number;
}

export async function synthesizeCdkApp(options: SynthOptions): Promise<void> {
  const folder = await resolveInside(options.workspace, options.app, 'Input "cdk-app"');
  if (!(await isFile(path.join(folder, 'cdk.json')))) {
    throw new UserError(
      `Input "cdk-app" names "${options.app}", which has no cdk.json.`,
      'Set cdk-app to the folder of the CDK app (the one with cdk.json).',
    );
  }
  // The app's own CLI (installed by its npm ci), else one on PATH; never a download.
  const local = path.join(folder, 'node_modules', '.bin', 'cdk');
  const cdk = (await isFile(local)) ? local : await options.which('cdk', options.env);
  if (!cdk) {
    throw new UserError(
      `Input "cdk-app": no CDK CLI in ${options.app}/node_modules/.bin or on PATH.`,
      "Install the app's dependencies (npm ci in the app folder, with aws-cdk among them) in a step before this one.",
    );
  }
  const timeoutSeconds = options.timeoutSeconds ?? SYNTH_TIMEOUT_SECONDS;
  options.log.info(`Synthesizing the CDK app in ${options.app} (cdk synth).`);
  const result = await execa(
    cdk,
    ['synth', '--quiet', '--ci', '--no-notices', '--output', CDK_ASSEMBLY_FOLDER],
    {
      cwd: folder,
      // Lookups need credentials the app does not get: they must be cached in cdk.context.json.
      env: {
        PATH: options.env.PATH ?? '',
        HOME: options.env.HOME ?? '',
        CI: 'true',
        CDK_DISABLE_CLI_TELEMETRY: 'true',
        CDK_DEFAULT_REGION: options.region,
        ...(options.accountId ? { CDK_DEFAULT_ACCOUNT: options.accountId } : {}),
      },
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      timeout: timeoutSeconds * 1000,
      maxBuffer: 16 * 1024 * 1024,
      all: true,
    },
  );
  if (result.exitCode === 0 && !result.timedOut) return;
  const why = result.timedOut
    ? `did not finish within ${timeoutSeconds} seconds`
    : result.signal
      ? `was killed by ${result.signal}`
      : `failed with exit code ${result.exitCode}`;
  // The app's own words, last lines first in importance; repository text, so no workflow commands.
  const tail = String(result.all ?? '')
    .trim()
    .split('\n')
    .slice(-15)
    .join('\n');
  if (tail) options.log.info(logSafe(tail));
  throw new UserError(
    `cdk synth in ${options.app} ${why}: ${shorten(tail.split('\n').slice(-3).join(' ')) || 'no output'}`,
    'Run `cdk synth` in the app folder locally to see the whole error. Context lookups need their values in cdk.context.json, since the synth gets no AWS credentials.',
  );
}

async function isFile(file: string): Promise<boolean> {
  return (await fs.stat(file).catch(() => undefined))?.isFile() ?? false;
}
