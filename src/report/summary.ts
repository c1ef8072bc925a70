import type { Report } from '../model/findings.js';
import { renderMarkdown } from './markdown.js';
import type { RunContext } from './workflow-run.js';

/** GitHub drops a step's summary above 1 MiB; stay clearly below it. */
export const SUMMARY_LIMIT_BYTES = 1_000_000;

/** The job summary: the full report, shortened only when it would pass the step limit. */
export function renderSummary(report: Report, run: RunContext): string {
  return renderMarkdown(report, run, {
    limit: SUMMARY_LIMIT_BYTES,
    measure: (text) => Buffer.byteLength(text),
    fullReport: 'the JSON report (output `report-json`) or the SARIF file (output `sarif-file`)',
  });
}
