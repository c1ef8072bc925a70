import type { SuppressionEntry } from '../model/findings.js';
import { shorten } from '../model/text.js';
import { codeSpan, escapeMarkdown, link } from './escape.js';
import { fileUrl, type RunContext } from './workflow-run.js';

/**
 * Every Guard rule a resource suppresses, collapsed, so a reviewer sees each exception and its
 * reason (or that it has none) in the comment and the summary.
 */
export function renderSuppressions(
  suppressions: readonly SuppressionEntry[],
  run: RunContext,
): string[] {
  if (!suppressions.length) return [];
  const rows = suppressions.map((s) => {
    const where = link(`${escapeMarkdown(s.file)}:${s.line}`, fileUrl(run, s.file, s.line));
    const reason = s.reason ? escapeMarkdown(shorten(s.reason, 300)) : '⚠️ no reason given';
    return `| ${where} | ${codeSpan(s.logicalId)} | ${escapeMarkdown(s.rule)} | ${s.suppressed} | ${reason} |`;
  });
  const count = `${suppressions.length} suppressed Guard rule${suppressions.length === 1 ? '' : 's'}`;
  return [
    `<details><summary>${count}</summary>\n\n| Where | Resource | Rule | Findings hidden | Reason |\n| --- | --- | --- | --- | --- |\n${rows.join('\n')}\n\n</details>`,
  ];
}
