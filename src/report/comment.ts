import type { Report } from '../model/findings.js';
import { link } from './escape.js';
import { renderMarkdown } from './markdown.js';
import type { RunContext } from './workflow-run.js';

/** GitHub refuses issue comments longer than this many characters. */
export const COMMENT_LIMIT = 65_536;

/**
 * The hidden first line that finds this job's comment again. The target is percent-encoded so no
 * comment-id can end the HTML comment early.
 */
export function commentMarker(target: string): string {
  return `<!-- iac-action:${encodeURIComponent(target)} -->`;
}

/** Which comment a run owns: input comment-id, else the workflow and job. */
export function commentTarget(commentId: string, run: RunContext): string {
  return commentId || `${run.workflow}/${run.job}`;
}

/** The sticky PR comment: the marker, then the report at the most detail that fits. */
export function renderComment(report: Report, run: RunContext, target: string): string {
  return renderMarkdown(report, run, {
    header: commentMarker(target),
    limit: COMMENT_LIMIT,
    measure: (text) => text.length,
    fullReport: `the ${link('job summary', run.runUrl || undefined)}`,
  });
}
