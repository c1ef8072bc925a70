import type { Counts, Report } from '../core/findings.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function countsLine(c: Counts): string {
  return `${plural(c.error, 'error')}, ${plural(c.warning, 'warning')}, ${c.info} info`;
}

/** Like a compiler: `file:line:col severity ruleId message`, then one summary line. */
export function formatText(report: Report): string {
  const lines = report.findings.map(
    (f) => `${f.file}:${f.line}:${f.column} ${f.severity} ${f.ruleId} ${f.message}`,
  );
  for (const notice of report.notices) lines.push(`notice: ${notice}`);
  const s = report.summary;
  const tools = [
    report.cfnLintVersion ? `cfn-lint ${report.cfnLintVersion}` : '',
    report.policies.length
      ? `${report.policies.length} ${report.policies.length === 1 ? 'policy' : 'policies'} checked`
      : '',
  ]
    .filter(Boolean)
    .join(', ');
  const verdict = s.blocking
    ? `blocked: ${s.blockingCount} at or above fail-on "${s.failOn}"`
    : 'passed';
  lines.push(
    `${countsLine(s)} in ${plural(report.templates.length, 'template')}${tools ? ` (${tools})` : ''}: ${verdict}.`,
  );
  return lines.join('\n');
}
