import path from 'node:path';
import { parseArgs } from 'node:util';
import { folderLintCache, jobRedactor, realEdges } from '../pipeline/edges.js';
import { describeError, UserError } from '../model/errors.js';
import { logSafe } from '../model/text.js';
import { writeFileInside } from '../model/files.js';
import type { Report } from '../model/findings.js';
import { redactingLogger, type Logger } from '../model/logger.js';
import { INPUT_DEFAULTS, readSettings, type InputName } from '../model/settings.js';
import { deployFailed } from '../model/findings.js';
import { runPipeline } from '../pipeline/pipeline.js';
import { TOOL_VERSION } from '../model/version.js';
import { formatJson } from '../report/json.js';
import { formatSarif } from '../report/sarif.js';
import { commentTarget, renderComment } from '../report/comment.js';
import { readRunContext } from '../report/workflow-run.js';
import { renderSummary } from '../report/summary.js';
import { formatPlanText, formatText } from '../report/text.js';

const USAGE = `Usage: iac-action validate|plan|deploy|execute [paths...] [options]

validate  lint CloudFormation templates with cfn-lint and check their IAM policies
plan      validate, then preview a change set per stack of the stack manifest
          (without AWS credentials: predicted from the templates at --base-ref)
deploy    validate, plan and execute the change sets in dependency order
execute   run the change sets a plan kept (--change-set-name NAME)
Paths are files, folders, globs or cdk.out folders (default: templates/).

Options:
  --format text|json|sarif     output format (default text); sarif is SARIF 2.1.0
  --environment NAME           environment file: environments/NAME.yaml, or a path
  --fail-on LEVEL              error | warning | none (default error)
  --policy-validation MODE     access-analyzer | offline | off (default: Access Analyzer
                               when AWS credentials are present, otherwise offline)
  --markdown FILE              also write the pull request comment the action would post
  --summary FILE               also write the job summary the action would write
  --stacks-file FILE           stack manifest for plan/deploy (default iac-stacks.yaml)
  --endpoint-url URL           send AWS calls to this endpoint (e.g. a local moto server)
  --base-ref REF               plan without AWS credentials: compare with this commit
  --no-cache                   check every template again: do not reuse cfn-lint results kept
                               in node_modules/.cache/iac-action/ for unchanged templates
  --<input> VALUE              any action input, e.g. --cfn-lint-args "--include-checks I"
  -h, --help                   show this help
  -v, --version                show the version

Exit status: 0 nothing blocks, 1 findings block, 2 bad input or a tool failure.`;

const FORMATS = ['text', 'json', 'sarif'] as const;
const FORMATTERS: Record<(typeof FORMATS)[number], (report: Report) => string> = {
  text: formatText,
  json: (report) => formatJson(report).trimEnd(),
  sarif: (report) => formatSarif(report).trimEnd(),
};
const COMMANDS = ['validate', 'plan', 'deploy', 'execute'] as const;

/** Run the CLI; returns the exit status. Output goes through the given writers so tests can read it. */
export async function main(
  argv: string[],
  terminal: {
    out: (s: string) => void;
    err: (s: string) => void;
    env: NodeJS.ProcessEnv;
    cwd: string;
  },
): Promise<number> {
  // Everything printed passes the redaction layer; inside a workflow, text that could read as a
  // workflow command is also fenced off, as in the action.
  const redactor = jobRedactor(terminal.env, undefined);
  const inWorkflow = terminal.env.GITHUB_ACTIONS === 'true';
  const shown = (s: string) => (inWorkflow ? logSafe(redactor.text(s)) : redactor.text(s));
  const io = {
    ...terminal,
    out: (s: string) => terminal.out(shown(s)),
    err: (s: string) => terminal.err(shown(s)),
  };
  try {
    const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
      format: { type: 'string' },
      markdown: { type: 'string' },
      summary: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
      'no-cache': { type: 'boolean' },
    };
    for (const name of Object.keys(INPUT_DEFAULTS)) options[name] = { type: 'string' };
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    } catch (error) {
      // Node's own words, without its error class and its advice on positionals that start with '-'.
      const message =
        error instanceof Error
          ? error.message.replace(/\. To specify a positional argument[\s\S]*$/, '.')
          : String(error);
      throw new UserError(message, 'Run `iac-action --help` for the options.');
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    if (values.version) {
      io.out(TOOL_VERSION);
      return 0;
    }
    const [command, ...paths] = positionals;
    if (!command || !(COMMANDS as readonly string[]).includes(command)) {
      throw new UserError(command ? `Unknown command "${command}".` : 'No command given.', USAGE);
    }
    const format = (values.format as string | undefined) ?? 'text';
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new UserError(`--format "${format}" is not one of: ${FORMATS.join(', ')}.`);
    }
    const read = (name: InputName): string | undefined => {
      if (name === 'templates' && paths.length) return paths.join('\n');
      if (name === 'mode') return command;
      if (name === 'cache' && values['no-cache']) return 'false';
      const value = values[name];
      return typeof value === 'string' ? value : undefined;
    };
    const settings = readSettings(read, { env: io.env, workspace: io.cwd });
    redactor.addCredentials(settings.report.githubToken);
    const log: Logger = redactingLogger(
      {
        info: command === 'validate' ? () => {} : (m) => io.err(m),
        debug: () => {},
        warning: (m) => io.err(`warning: ${m}`),
        notice: (m) => io.err(`notice: ${m}`),
      },
      (m) => redactor.text(m),
    );
    const { report } = await runPipeline(
      settings,
      realEdges(settings, { log, env: io.env, redactor, lintCache: folderLintCache(io.cwd) }),
    );
    const plan = report.plan ? formatPlanText(report.plan, report.deployments) : '';
    const output = FORMATTERS[format as (typeof FORMATS)[number]](report);
    io.out(format === 'text' && plan ? `${plan}\n\n${output}` : output);
    const runContext = await readRunContext(io.env);
    // Files go inside the working folder (or the runner's temp folder), never through a link.
    const writable = [io.cwd, ...(io.env.RUNNER_TEMP ? [io.env.RUNNER_TEMP] : [])];
    // A file that cannot be written is a warning: the verdict stays what the findings say.
    const write = async (option: unknown, what: string, text: string) => {
      if (typeof option !== 'string') return;
      await writeFileInside(
        path.resolve(io.cwd, option),
        redactor.secrets(text),
        writable,
        what,
      ).catch((error: unknown) => log.warning(describeError(error)));
    };
    await write(
      values.markdown,
      'the --markdown file',
      renderComment(report, runContext, commentTarget(settings.report.commentId, runContext)),
    );
    await write(values.summary, 'the --summary file', renderSummary(report, runContext));
    return report.summary.blocking || deployFailed(report) ? 1 : 0;
  } catch (error) {
    io.err(`iac-action: ${describeError(error)}`);
    return 2;
  }
}
