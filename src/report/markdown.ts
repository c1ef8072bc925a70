import {
  broadens,
  compareFindings,
  SEVERITIES,
  type Counts,
  type DeploymentEntry,
  type Finding,
  type FindingSource,
  type IamStatementChange,
  type Report,
  type ResourceChangeEntry,
  type Severity,
  type StackPlanEntry,
} from '../model/findings.js';
import { shorten } from '../model/text.js';
import { codeSpan, escapeMarkdown, link, wrappingCodeSpan } from './escape.js';
import { fileUrl, type RunContext } from './workflow-run.js';
import { renderSuppressions } from './suppressions.js';
import { countsLine, skippedCount } from './text.js';

/**
 * The markdown report shared by the PR comment and the job summary. Everything that came from a
 * template, a tool or AWS goes through escape.ts; nothing here reads the clock or the environment,
 * so the same report and run always give the same text.
 */
export interface MarkdownOptions {
  /** The largest body allowed, in the unit `measure` counts. */
  limit: number;
  measure: (text: string) => number;
  /** Lines put first, e.g. the sticky comment's hidden marker. */
  header?: string;
  /** Where the detail left out of a shortened body can be read (markdown). */
  fullReport: string;
}

/** How much detail one rendering shows; the fitter walks from the first to the last. */
interface Detail {
  listed: readonly Severity[];
  /** Finding rows in the whole body, the most severe first; the rest are counted, not listed. */
  maxRows: number;
  messageLength: number;
  cleanNames: boolean;
  /** One row per resource change (blocked changes are always listed). */
  planRows: boolean;
  notices: boolean;
}

const FULL: Detail = {
  listed: SEVERITIES,
  maxRows: Infinity,
  messageLength: 400,
  cleanNames: true,
  planRows: true,
  notices: true,
};

/** Least important detail goes first: info rows, warning rows, then names, notices, long messages. */
const DETAILS: readonly Detail[] = [
  FULL,
  { ...FULL, listed: ['error', 'warning'] },
  { ...FULL, listed: ['error'] },
  { ...FULL, listed: ['error'], cleanNames: false, notices: false, messageLength: 160 },
];

const ICON: Record<Severity, string> = { error: '❌', warning: '⚠️', info: 'ℹ️' };

const SOURCE_LABEL: Record<FindingSource, string> = {
  parser: 'parser',
  discovery: 'discovery',
  'cfn-lint': 'cfn-lint',
  'access-analyzer': 'IAM Access Analyzer',
  'policy-check': 'policy check',
  'change-set': 'change set',
  cloudformation: 'CloudFormation checks',
  stateful: 'stateful resources',
  'cfn-guard': 'cfn-guard',
};

/** Render the report at the most detail that fits the limit. */
export function renderMarkdown(report: Report, run: RunContext, options: MarkdownOptions): string {
  const fitting = (detail: Detail): string | undefined => {
    const body = render(report, run, options, detail);
    return options.measure(body) <= options.limit ? body : undefined;
  };
  for (const detail of DETAILS) {
    const body = fitting(detail);
    if (body) return body;
  }
  // Then as many error rows as fit, the most severe and first in the file order kept.
  const compact = DETAILS[DETAILS.length - 1]!;
  let best: string | undefined;
  let low = 1;
  let high = report.summary.error;
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const body = fitting({ ...compact, maxRows: middle });
    if (body) [best, low] = [body, middle + 1];
    else high = middle - 1;
  }
  if (best) return best;
  const bare: Detail = { ...compact, maxRows: 0, planRows: false };
  return fitting(bare) ?? cut(render(report, run, options, bare), options);
}

function render(report: Report, run: RunContext, options: MarkdownOptions, detail: Detail): string {
  const findings = renderFindings(report, run, detail);
  const plan = report.plan?.length ? renderPlan(report.plan, detail) : [];
  const deployments = report.deployments?.length ? renderDeployments(report.deployments) : [];
  const omitted = findings.omitted.error + findings.omitted.warning + findings.omitted.info;
  const shortened = omitted || !detail.notices || !detail.planRows;
  const parts = [
    ...(options.header ? [options.header] : []),
    ...renderStatus(report, run),
    ...(shortened
      ? [
          `> [!NOTE]\n> Shortened to fit: ${omitted ? `${countsLine(findings.omitted)} not listed here` : 'some detail is left out'}; ${options.fullReport} has the full report.`,
        ]
      : []),
    ...plan,
    ...deployments,
    ...findings.lines,
    ...(detail.notices ? renderSuppressions(report.suppressions ?? [], run) : []),
    ...(detail.notices && report.notices.length ? renderNotices(report.notices) : []),
    renderFooter(report),
  ];
  return `${parts.join('\n\n')}\n`;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** The run's outcome as the comment states it; anything but passed makes on-failure comment. */
export function outcome(report: Report): 'passed' | 'blocked' | 'deployment failed' {
  if (report.deployments?.some((d) => ['failed', 'timed-out', 'cancelled'].includes(d.status))) {
    return 'deployment failed';
  }
  if (report.summary.blocking || report.plan?.some((p) => p.status === 'blocked')) return 'blocked';
  return 'passed';
}

function renderStatus(report: Report, run: RunContext): string[] {
  const s = report.summary;
  const text = outcome(report);
  const icon = text === 'passed' ? '✅' : '❌';
  const environment = report.environment ? ` · environment ${codeSpan(report.environment)}` : '';
  const checked = [
    plural(report.templates.length, 'template'),
    ...(report.policies.length
      ? [plural(report.policies.length, 'IAM policy', 'IAM policies')]
      : []),
  ].join(' and ');
  const commit = run.sha
    ? ` at ${link(`<code>${escapeMarkdown(run.sha.slice(0, 7))}</code>`, run.repository ? `${run.serverUrl}/${run.repository}/commit/${run.sha}` : undefined)}`
    : '';
  const runLink = run.runUrl ? ` · ${link('workflow run', run.runUrl)}` : '';
  const lines = [
    `### ${icon} iac-action: ${text}${text === 'passed' && s.error ? ` — ${plural(s.error, 'error')} not blocking` : ''}${environment}`,
    `**${countsLine(s)}** in ${checked}${commit}${skippedCount(report, ' · ')} · fail-on ${codeSpan(s.failOn)}${s.blocking ? ` (${plural(s.blockingCount, 'blocking finding')})` : ''}${runLink}`,
  ];
  const sources = (Object.entries(s.bySource) as [FindingSource, Counts][]).map(
    ([source, counts]) => `${SOURCE_LABEL[source]}: ${countsLine(counts)}`,
  );
  if (sources.length) lines[1] += `\\\n${sources.join(' · ')}`;
  return lines;
}

interface RenderedFindings {
  lines: string[];
  omitted: Counts;
}

function worst(counts: Counts): Severity | undefined {
  return SEVERITIES.find((severity) => counts[severity] > 0);
}

function renderFindings(report: Report, run: RunContext, detail: Detail): RenderedFindings {
  const byFile = new Map<string, Finding[]>();
  for (const t of report.templates) byFile.set(t.file, []);
  const sorted = [...report.findings].sort(compareFindings);
  const listed = new Set(
    sorted.filter((f) => detail.listed.includes(f.severity)).slice(0, detail.maxRows),
  );
  for (const f of sorted) {
    const list = byFile.get(f.file);
    if (list) list.push(f);
    else byFile.set(f.file, [f]);
  }
  const omitted: Counts = { error: 0, warning: 0, info: 0 };
  const clean: string[] = [];
  // Files none of whose findings fit get no section of their own (it would be empty): one line.
  const unlisted: Counts = { error: 0, warning: 0, info: 0 };
  let unlistedFiles = 0;
  const sections: { rank: number; file: string; text: string }[] = [];
  for (const [file, findings] of byFile) {
    if (!findings.length) {
      clean.push(file);
      continue;
    }
    const counts: Counts = { error: 0, warning: 0, info: 0 };
    for (const f of findings) counts[f.severity]++;
    const shown = findings.filter((f) => listed.has(f));
    const hidden: Counts = { ...counts };
    for (const f of shown) hidden[f.severity]--;
    for (const severity of SEVERITIES) omitted[severity] += hidden[severity];
    if (!shown.length) {
      unlistedFiles++;
      for (const severity of SEVERITIES) unlisted[severity] += counts[severity];
      continue;
    }
    const severity = worst(counts)!;
    const summary = `${ICON[severity]} ${codeSpan(file)}: ${countsLine(counts)}`;
    const body = [
      '| Line | Severity | Source | Rule | Message |\n| ---: | --- | --- | --- | --- |\n' +
        shown.map((f) => findingRow(f, run, detail)).join('\n'),
    ];
    const hiddenTotal = hidden.error + hidden.warning + hidden.info;
    if (hiddenTotal) body.push(`… and ${countsLine(hidden)} not listed here.`);
    sections.push({
      rank: SEVERITIES.indexOf(severity),
      file,
      text: `<details><summary>${summary}</summary>\n\n${body.join('\n\n')}\n\n</details>`,
    });
  }
  sections.sort((a, b) => a.rank - b.rank || a.file.localeCompare(b.file));
  const lines = sections.map((s) => s.text);
  if (unlistedFiles) {
    lines.push(
      `${ICON[worst(unlisted)!]} ${plural(unlistedFiles, sections.length ? 'more template' : 'template')} with ${countsLine(unlisted)}, not listed here`,
    );
  }
  if (clean.length) {
    const names = detail.cleanNames ? `: ${clean.sort().map(codeSpan).join(', ')}` : '';
    lines.push(`✅ ${plural(clean.length, 'template')} without findings${names}`);
  }
  return { lines, omitted };
}

function findingRow(f: Finding, run: RunContext, detail: Detail): string {
  const where = link(f.line > 0 ? String(f.line) : 'file', fileUrl(run, f.file, f.line));
  const resource = f.logicalId ? `${codeSpan(f.logicalId)} ` : '';
  const message = escapeMarkdown(shorten(f.message, detail.messageLength));
  return `| ${where} | ${ICON[f.severity]} ${f.severity} | ${SOURCE_LABEL[f.source]} | ${link(escapeMarkdown(f.ruleId), f.helpUrl)} | ${resource}${message} |`;
}

const ACTION_LABEL: Record<ResourceChangeEntry['action'], string> = {
  add: '🟢 add',
  modify: '🟡 modify',
  replace: '🔴 replace',
  'may-replace': '🟠 may replace',
  remove: '🔴 remove',
  import: '🔵 import',
  dynamic: '⚪ dynamic',
};

function actionLabel(change: ResourceChangeEntry): string {
  if (change.blocked) return `⛔ ${change.action.replace('-', ' ')} (blocked)`;
  if (change.action === 'remove' && change.retained) return '🟤 orphan (Retain)';
  return ACTION_LABEL[change.action];
}

function renderPlan(plan: readonly StackPlanEntry[], detail: Detail): string[] {
  const predicted = plan.some((stack) => stack.predictedFrom);
  const lines = [predicted ? '#### Plan (predicted without AWS)' : '#### Change sets'];
  const blocked = plan.flatMap((stack) =>
    stack.changes.filter((c) => c.blocked).map((change) => ({ stack, change })),
  );
  if (blocked.length) {
    lines.push(
      `> [!CAUTION]\n> ${plural(blocked.length, 'stateful resource')} would be replaced or removed and ${blocked.length === 1 ? 'is' : 'are'} blocked${predicted ? ' (predicted without AWS)' : ''}:\n` +
        blocked
          .map(
            ({ stack, change }) =>
              `> - ${codeSpan(change.logicalId)} (${codeSpan(change.resourceType)}) in stack ${codeSpan(stack.stackName)}: ${escapeMarkdown(change.action.replace('-', ' '))}${change.renamedTo ? `, renamed to ${codeSpan(change.renamedTo)} (a new, empty resource)` : ''}${change.replacementCauses.length ? `, caused by ${change.replacementCauses.map(codeSpan).join(', ')}` : ''}`,
          )
          .join('\n') +
        '\n>\n> List their logical ids in input `allow-replacement` to allow it.',
    );
  }
  const broadening = plan.filter((stack) => broadens(stack.iamStatements));
  if (broadening.length) {
    lines.push(
      `> [!WARNING]\n> Permissions broaden in ${broadening.map((stack) => codeSpan(stack.stackName)).join(', ')}: review the IAM statement changes below before the resource changes.`,
    );
  }
  const unchanged: string[] = [];
  for (const stack of plan) {
    const name = `${codeSpan(stack.stackName)} (${escapeMarkdown(stack.region)})`;
    if (stack.status === 'no-changes' && !stack.drift?.length) {
      unchanged.push(name);
      continue;
    }
    const counts = new Map<string, number>();
    for (const c of stack.changes) counts.set(c.action, (counts.get(c.action) ?? 0) + 1);
    const tally = [...counts]
      .map(([action, n]) => `${n} to ${action.replace('-', ' ')}`)
      .join(', ');
    const icon = stack.status === 'failed' || stack.status === 'blocked' ? '❌' : '🟡';
    const body: string[] = [];
    if (stack.message) body.push(escapeMarkdown(stack.message));
    // Broader permissions are read before the resource changes; other IAM changes after them.
    const statements = stack.iamStatements?.length
      ? iamStatementTable(stack.iamStatements, detail)
      : undefined;
    const broader = broadens(stack.iamStatements);
    if (statements && broader) body.push(statements);
    const rows = detail.planRows ? stack.changes : stack.changes.filter((c) => c.blocked);
    if (rows.length) {
      body.push(
        '| Action | Logical ID | Type | Changed properties |\n| --- | --- | --- | --- |\n' +
          rows
            .map(
              (c) =>
                `| ${actionLabel(c)}${c.stateful ? ' (stateful)' : ''} | ${c.nestedIn ? '↳ ' : ''}${wrappingCodeSpan(c.logicalId)}${renameNote(c)} | ${wrappingCodeSpan(c.resourceType)} | ${propertyCell(c, detail)} |`,
            )
            .join('\n'),
      );
    }
    if (rows.length < stack.changes.length) {
      body.push(`… and ${plural(stack.changes.length - rows.length, 'change')} not listed here.`);
    }
    body.push(...renderDrift(stack, detail));
    if (statements && !broader) body.push(statements);
    else if (!stack.iamStatements && stack.iamChanges.length) {
      body.push(
        `**IAM changes**\n\n${(detail.planRows ? stack.iamChanges : stack.iamChanges.slice(0, 5)).map((c) => `- ${escapeMarkdown(c)}`).join('\n')}`,
      );
    }
    const drifted = stack.drift?.length
      ? ` · ${plural(stack.drift.length, 'drifted resource')}${stack.revertsDrift ? ' (reverted)' : ''}`
      : '';
    const changeSet = stack.changeSetName
      ? `${drifted} · change set ${codeSpan(stack.changeSetName)}`
      : stack.predictedFrom
        ? ` · predicted without AWS from ${codeSpan(stack.predictedFrom.slice(0, 7))}`
        : '';
    lines.push(
      `<details${broader ? ' open' : ''}><summary>${icon} ${name}: ${stack.unmanaged ? '🗑️ no longer managed, ' : ''}${stack.status === 'failed' ? 'failed' : `${stack.status === 'blocked' ? 'blocked, ' : ''}${tally || (stack.status === 'no-changes' ? 'no changes' : 'changes')}`}${changeSet}</summary>\n\n${body.join('\n\n') || 'No resource changes listed.'}\n\n</details>`,
    );
  }
  if (unchanged.length) lines.push(`⚪ No changes: ${unchanged.join(', ')}`);
  return lines;
}

const STATEMENT_ROWS = 10;

/** The CDK's IAM statement changes: one row per statement added (+) or removed (−). */
function iamStatementTable(changes: readonly IamStatementChange[], detail: Detail): string {
  const sorted = [...changes].sort((a, b) =>
    a.change === b.change ? 0 : a.change === 'added' ? -1 : 1,
  );
  const shown = detail.planRows ? sorted : sorted.slice(0, STATEMENT_ROWS);
  const cell = (items: readonly string[]) =>
    items.length
      ? `${items
          .slice(0, 5)
          .map((i) => codeSpan(shorten(i, 200)))
          .join('<br>')}${items.length > 5 ? `<br>… and ${items.length - 5} more` : ''}`
      : '';
  const rows = shown.map(
    (c) =>
      `| ${c.change === 'added' ? '🟢 +' : '🔴 −'} | ${codeSpan(c.logicalId)}${c.policyName === c.logicalId ? '' : ` (${codeSpan(c.policyName)})`} | ${escapeMarkdown(c.effect)} | ${cell(c.principals)} | ${cell(c.actions)} | ${cell(c.resources)} | ${c.condition ? codeSpan(shorten(c.condition, 200)) : ''} |`,
  );
  const more =
    shown.length < sorted.length
      ? `\n\n… and ${plural(sorted.length - shown.length, 'statement change')} not listed here.`
      : '';
  return `**IAM statement changes**\n\n| | Policy | Effect | Principal | Actions | Resources | Condition |\n| --- | --- | --- | --- | --- | --- | --- |\n${rows.join('\n')}${more}`;
}

/**
 * The drifted resources with the properties that differ (template → live), each marked when the
 * change set overwrites it (or, with drift: revert, puts it back).
 */
function renderDrift(stack: StackPlanEntry, detail: Detail): string[] {
  const note = stack.driftNote ? [`⚠️ ${escapeMarkdown(stack.driftNote)}`] : [];
  if (!stack.drift?.length) return note;
  const value = (v: string | undefined) =>
    v === undefined ? '(none)' : codeSpan(shorten(v, detail.messageLength / 4));
  const rows = stack.drift.map((d) => {
    const differences = d.differences.length
      ? d.differences
          .map((p) => `${codeSpan(p.path)}: ${value(p.expected)} → ${value(p.actual)}`)
          .join('<br>')
      : d.status === 'deleted'
        ? 'deleted outside CloudFormation'
        : '';
    const fate = d.overwritten
      ? stack.revertsDrift
        ? '↩️ reverted'
        : '✏️ overwritten'
      : stack.revertsDrift
        ? '↩️ reverted'
        : 'kept';
    return `| ${wrappingCodeSpan(d.logicalId)} | ${wrappingCodeSpan(d.resourceType)} | ${d.status} | ${differences} | ${fate} |`;
  });
  return [
    ...note,
    `**Drift**: ${plural(stack.drift.length, 'resource')} changed outside CloudFormation (template → live)${stack.revertsDrift ? '; this drift-aware change set (REVERT_DRIFT) puts them back as the template says' : ''}.\n\n| Logical ID | Type | Drift | Properties | By this change set |\n| --- | --- | --- | --- | --- |\n${rows.join('\n')}`,
  ];
}

function renameNote(c: ResourceChangeEntry): string {
  if (c.renamedTo) return `<br>renamed to ${codeSpan(c.renamedTo)}`;
  return c.renamedFrom ? `<br>renamed from ${codeSpan(c.renamedFrom)}` : '';
}

/**
 * One line per changed property with its values, the replacement cause marked; without values
 * (a change set read without them), the causes alone.
 */
function propertyCell(c: ResourceChangeEntry, detail: Detail): string {
  if (!c.properties?.length) return c.replacementCauses.map(codeSpan).join(', ');
  const shown = detail.planRows ? c.properties : c.properties.filter((p) => p.replacement);
  return shown
    .map((p) => {
      const mark = p.replacement ? (p.replacement === 'always' ? '🔴 ' : '🟠 ') : '';
      const value = (v: string | undefined) =>
        v === undefined ? '(none)' : codeSpan(shorten(v, detail.messageLength / 4));
      const cause = p.causedBy ? ` (from ${codeSpan(p.causedBy)})` : '';
      const live = p.live === undefined ? '' : ` ↩️ reverts drift (live: ${value(p.live)})`;
      return `${mark}${codeSpan(p.path)}: ${value(p.before)} → ${value(p.after)}${cause}${live}`;
    })
    .join('<br>');
}

const DEPLOY_ICON: Record<DeploymentEntry['status'], string> = {
  succeeded: '✅',
  'no-op': '⚪',
  failed: '❌',
  'timed-out': '⏱️',
  cancelled: '🛑',
  skipped: '⏭️',
};

function renderDeployments(deployments: readonly DeploymentEntry[]): string[] {
  const rows = deployments.map((d) => {
    const detail = d.failure
      ? `${codeSpan(d.failure.logicalId)}: ${escapeMarkdown(shorten(d.failure.reason, 300))}`
      : escapeMarkdown(shorten(d.message ?? '', 300));
    return `| ${codeSpan(d.stackName)} | ${escapeMarkdown(d.region)} | ${DEPLOY_ICON[d.status]} ${d.status} | ${d.stackStatus ? codeSpan(d.stackStatus) : ''} | ${detail} |`;
  });
  const rollingBack = deployments.filter((d) => d.rollingBack);
  return [
    '#### Deployments',
    ...(rollingBack.length
      ? [
          `> [!WARNING]\n> Left rolling back in AWS: ${rollingBack.map((d) => `${codeSpan(d.stackName)} (${escapeMarkdown(d.region)})`).join(', ')}. Watch them reach UPDATE_ROLLBACK_COMPLETE before the next deploy.`,
        ]
      : []),
    `| Stack | Region | Result | Stack status | Details |\n| --- | --- | --- | --- | --- |\n${rows.join('\n')}`,
  ];
}

function renderNotices(notices: readonly string[]): string[] {
  return [
    `<details><summary>${plural(notices.length, 'notice')}</summary>\n\n${notices.map((n) => `- ${escapeMarkdown(shorten(n, 600))}`).join('\n')}\n\n</details>`,
  ];
}

function renderFooter(report: Report): string {
  const tools = [
    `${escapeMarkdown(report.tool.name)} ${escapeMarkdown(report.tool.version)}`,
    ...(report.cfnLintVersion ? [`cfn-lint ${escapeMarkdown(report.cfnLintVersion)}`] : []),
  ];
  return `<sub>${tools.join(' · ')}</sub>`;
}

/**
 * Last resort when even the least detail is too long (tens of thousands of templates): keep whole
 * lines up to the limit, close every `<details>` still open, and say what was left out.
 */
function cut(body: string, options: MarkdownOptions): string {
  const closing = (open: number): string =>
    `\n\n${'</details>\n\n'.repeat(open)}> [!NOTE]\n> Cut short to fit: ${options.fullReport} has the full report.\n`;
  const reserve = options.measure(closing(0)) + 64;
  const kept: string[] = [];
  let size = 0;
  let open = 0;
  for (const line of body.split('\n')) {
    const cost = options.measure(`${line}\n`);
    const opens =
      (line.match(/<details>/g) ?? []).length - (line.match(/<\/details>/g) ?? []).length;
    const closers = options.measure('</details>\n\n') * Math.max(0, open + opens);
    if (size + cost + closers + reserve > options.limit) break;
    kept.push(line);
    size += cost;
    open += opens;
  }
  return `${kept.join('\n')}${closing(Math.max(0, open))}`;
}
