import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import { jobRedactor, realEdges } from '../pipeline/edges.js';
import { describeError } from '../model/errors.js';
import { logSafe, withoutWorkflowCommands } from '../model/text.js';
import { writeFileInside } from '../model/files.js';
import { redactingLogger, type Logger } from '../model/logger.js';
import { readSettings } from '../model/settings.js';
import { deployFailed, stackOutputs } from '../model/findings.js';
import { runPipeline } from '../pipeline/pipeline.js';
import type { FolderCache } from '../pipeline/edges.js';
import { escapeMarkdown } from '../report/escape.js';
import { formatJson } from '../report/json.js';
import { actionPublishDeps, publish } from '../report/publish.js';
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

/** The action: read the inputs once, validate, report, and set the outputs and the job status. */
export async function runAction(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // Known before anything else runs: the job's credentials (and the token input) are never shown,
  // and every secret found later is masked by the runner too.
  const redactor = jobRedactor(env, undefined, (value) => core.setSecret(value));
  const log = redactingLogger(commandLogger, (m) => redactor.text(m));
  const setOutput = (name: string, value: string | number | boolean) =>
    core.setOutput(name, redactor.text(String(value)));
  try {
    const settings = readSettings((name) => core.getInput(name), {
      env,
      workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
      ...(env.GITHUB_EVENT_NAME ? { eventName: env.GITHUB_EVENT_NAME } : {}),
    });
    redactor.addCredentials(settings.report.githubToken);
    const { report, changeSets } = await runPipeline(
      settings,
      realEdges(settings, {
        log,
        env,
        redactor,
        ...(env.RUNNER_TOOL_CACHE ? { toolCache: env.RUNNER_TOOL_CACHE, cache: actionsCache } : {}),
      }),
    );
    core.info(withoutWorkflowCommands(formatText(report)));
    if (report.plan)
      core.info(withoutWorkflowCommands(formatPlanText(report.plan, report.deployments)));
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
    await publish(report, settings, actionPublishDeps(env, log, redactor));
    if (deployFailed(report)) core.setFailed('A stack did not deploy; see the log above.');
    else if (report.summary.blocking) {
      core.setFailed(
        `${report.summary.blockingCount} finding${report.summary.blockingCount === 1 ? '' : 's'} at or above fail-on "${report.summary.failOn}".`,
      );
    }
  } catch (error) {
    const message = redactor.text(describeError(error));
    core.setFailed(message);
    // The run page shows it too, not only the log; the summary is best effort.
    if (env.GITHUB_STEP_SUMMARY) {
      const lines = message.split('\n').map(escapeMarkdown);
      await core.summary
        .addRaw(`### ❌ iac-action could not run\n\n${lines.join('<br>\n')}\n`)
        .write()
        .catch(() => undefined);
    }
  }
}
