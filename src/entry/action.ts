import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import {
  actionsLintCache,
  jobRedactor,
  realEdges,
  type ActionsCache,
  type EdgeOptions,
} from '../pipeline/edges.js';
import { describeError } from '../model/errors.js';
import { logSafe, withoutWorkflowCommands } from '../model/text.js';
import { writeFileInside } from '../model/files.js';
import { redactingLogger, type Logger } from '../model/logger.js';
import type { Redactor } from '../model/redact.js';
import { readSettings, type Settings } from '../model/settings.js';
import { deployFailed, stackOutputs } from '../model/findings.js';
import { runPipeline, type PipelineDeps } from '../pipeline/pipeline.js';
import type { FolderCache } from '../pipeline/edges.js';
import { escapeMarkdown } from '../report/escape.js';
import { formatJson } from '../report/json.js';
import { actionPublishDeps, publish, type PublishDeps } from '../report/publish.js';
import { formatPlanText, formatText } from '../report/text.js';

/** Messages as log commands; plain lines that could read as a command sit in a stop-commands block. */
const commandLogger: Logger = {
  info: (m) => core.info(logSafe(m)),
  warning: (m) => core.warning(m),
  notice: (m) => core.notice(m),
  debug: (m) => core.debug(m),
};

/** The Actions cache, loaded only when cfn-lint has to be installed: it is large and rarely needed. */
const actionsCache: FolderCache = {
  async restore(folder, key) {
    const cache = await import('@actions/cache');
    return (await cache.restoreCache([folder], key)) !== undefined;
  },
  async save(folder, key) {
    const cache = await import('@actions/cache');
    await cache.saveCache([folder], key);
  },
};

/** The Actions cache for cfn-lint results: the newest entry matching the first key prefix that has one. */
const actionsResultsCache: ActionsCache = {
  async restore(folder, keys) {
    const cache = await import('@actions/cache');
    return await cache.restoreCache([folder], keys[0]!, [...keys]);
  },
  async save(folder, key) {
    const cache = await import('@actions/cache');
    await cache.saveCache([folder], key);
  },
};

/** What the action touches: the runner's by default, a test's own to run it in-process. */
export interface ActionEdges {
  env: NodeJS.ProcessEnv;
  /** The input of that name, '' when unset. */
  getInput(name: string): string;
  setOutput(name: string, value: string): void;
  setSecret(value: string): void;
  setFailed(message: string): void;
  /** Text for the log, already safe from reading as workflow commands. */
  print(text: string): void;
  log: Logger;
  /** Append markdown to the job summary; false when the run has none. */
  writeSummary(markdown: string): Promise<boolean>;
  /** Annotations, the summary, the comment and the SARIF file. */
  publishing(log: Logger, redactor: Redactor): PublishDeps;
  /** The run's dependencies (processes, AWS, and the clock in their poller). */
  pipeline(settings: Settings, options: EdgeOptions): PipelineDeps;
}

/** The runner's edges: inputs and outputs as @actions/core reads and writes them. */
export function runnerEdges(env: NodeJS.ProcessEnv = process.env): ActionEdges {
  return {
    env,
    getInput: (name) => core.getInput(name),
    setOutput: (name, value) => core.setOutput(name, value),
    setSecret: (value) => core.setSecret(value),
    setFailed: (message) => core.setFailed(message),
    print: (text) => core.info(text),
    log: commandLogger,
    async writeSummary(markdown) {
      if (!env.GITHUB_STEP_SUMMARY) return false;
      await core.summary.addRaw(markdown).write();
      return true;
    },
    publishing: (log, redactor) => actionPublishDeps(env, log, redactor),
    pipeline: (settings, options) => {
      const lintCache = actionsLintCache(actionsResultsCache, env, options.log);
      return realEdges(settings, {
        ...options,
        ...(lintCache ? { lintCache } : {}),
        ...(env.RUNNER_TOOL_CACHE ? { toolCache: env.RUNNER_TOOL_CACHE, cache: actionsCache } : {}),
      });
    },
  };
}

/** The action: read the inputs once, validate, report, and set the outputs and the job status. */
export async function runAction(edges: ActionEdges = runnerEdges()): Promise<void> {
  const { env } = edges;
  // Known before anything else runs: the job's credentials (and the token input) are never shown,
  // and every secret found later is masked by the runner too.
  const redactor = jobRedactor(env, undefined, (value) => edges.setSecret(value));
  const log = redactingLogger(edges.log, (m) => redactor.text(m));
  const setOutput = (name: string, value: string | number | boolean) =>
    edges.setOutput(name, redactor.text(String(value)));
  try {
    const settings = readSettings((name) => edges.getInput(name), {
      env,
      workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
      ...(env.GITHUB_EVENT_NAME ? { eventName: env.GITHUB_EVENT_NAME } : {}),
    });
    redactor.addCredentials(settings.report.githubToken);
    const { report, changeSets } = await runPipeline(
      settings,
      edges.pipeline(settings, { log, env, redactor }),
    );
    edges.print(withoutWorkflowCommands(formatText(report)));
    if (report.plan)
      edges.print(withoutWorkflowCommands(formatPlanText(report.plan, report.deployments)));
    for (const notice of report.notices) log.notice(notice);

    const runnerTemp = env.RUNNER_TEMP || os.tmpdir();
    const reportFile = path.join(runnerTemp, 'iac-action-report.json');
    let reportWritten = true;
    await writeFileInside(reportFile, formatJson(report), [runnerTemp], 'the JSON report').catch(
      (error: unknown) => {
        reportWritten = false;
        log.warning(`Could not write the JSON report: ${describeError(error)}`);
      },
    );
    setOutput('errors', report.summary.error);
    setOutput('warnings', report.summary.warning);
    setOutput('blocking', report.summary.blocking);
    setOutput('report-json', reportWritten ? reportFile : '');
    setOutput('change-sets', JSON.stringify(changeSets));
    for (const output of stackOutputs(report)) setOutput(output.name, output.value);
    await publish(report, settings, edges.publishing(log, redactor));
    if (deployFailed(report)) edges.setFailed('A stack did not deploy; see the log above.');
    else if (report.summary.blocking) {
      edges.setFailed(
        `${report.summary.blockingCount} finding${report.summary.blockingCount === 1 ? '' : 's'} at or above fail-on "${report.summary.failOn}".`,
      );
    }
  } catch (error) {
    const message = redactor.text(describeError(error));
    edges.setFailed(message);
    // The run page shows it too, not only the log; the summary is best effort.
    const lines = message.split('\n').map(escapeMarkdown);
    await edges
      .writeSummary(`### ❌ iac-action could not run\n\n${lines.join('<br>\n')}\n`)
      .catch(() => undefined);
  }
}
