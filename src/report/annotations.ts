import { compareFindings, type Finding, type Severity } from '../model/findings.js';

/** GitHub shows at most this many annotations of each level per step (and 50 per job). */
export const ANNOTATIONS_PER_LEVEL = 10;

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface Annotation {
  level: AnnotationLevel;
  message: string;
  title?: string;
  /** Repository-relative with forward slashes; absent for the one "more findings" notice. */
  file?: string;
  startLine?: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
}

const LEVEL: Record<Severity, AnnotationLevel> = {
  error: 'error',
  warning: 'warning',
  info: 'notice',
};

/**
 * The annotations of one step: the most severe findings first, at most 10 per level, only on the
 * files the pull request changes when those are known (`changedFiles`), and one notice counting the
 * rest, which the job summary lists.
 */
export function planAnnotations(
  findings: readonly Finding[],
  changedFiles?: ReadonlySet<string>,
): Annotation[] {
  const sorted = [...findings].sort(compareFindings);
  const inChanges = changedFiles
    ? sorted.filter((f) => changedFiles.has(annotationPath(f.file)))
    : sorted;
  const byLevel = (level: AnnotationLevel): Finding[] =>
    inChanges.filter((f) => LEVEL[f.severity] === level);
  const errors = byLevel('error').slice(0, ANNOTATIONS_PER_LEVEL);
  const warnings = byLevel('warning').slice(0, ANNOTATIONS_PER_LEVEL);
  const notices = byLevel('notice');
  const restBeforeNotices = sorted.length - errors.length - warnings.length - notices.length;
  // The counting notice takes one notice slot whenever anything is left out.
  const noticeSlots =
    restBeforeNotices > 0 || notices.length > ANNOTATIONS_PER_LEVEL
      ? ANNOTATIONS_PER_LEVEL - 1
      : ANNOTATIONS_PER_LEVEL;
  const shown = [...errors, ...warnings, ...notices.slice(0, noticeSlots)];
  const annotations = shown.map(toAnnotation);
  const rest = sorted.length - shown.length;
  if (rest > 0) {
    const outside = sorted.length - inChanges.length;
    const why = [
      ...(rest > outside
        ? [`GitHub shows at most ${ANNOTATIONS_PER_LEVEL} per level and step`]
        : []),
      ...(outside ? [`${outside} concern files this pull request does not change`] : []),
    ].join('; ');
    annotations.push({
      level: 'notice',
      title: 'More findings in the job summary',
      message: `${rest} more finding${rest === 1 ? ' is' : 's are'} not annotated (${why}). The job summary lists every finding.`,
    });
  }
  return annotations;
}

function toAnnotation(f: Finding): Annotation {
  const position =
    f.line > 0
      ? {
          startLine: f.line,
          ...(f.column > 0 ? { startColumn: f.column } : {}),
          ...(f.endLine && f.endLine >= f.line ? { endLine: f.endLine } : {}),
          // GitHub ignores columns on annotations that span several lines
          ...(f.endLine === f.line && f.endColumn && f.column > 0
            ? { endColumn: f.endColumn }
            : {}),
        }
      : {};
  return {
    level: LEVEL[f.severity],
    title: `${f.ruleId} (${f.source})`,
    message: f.logicalId ? `${f.logicalId}: ${f.message}` : f.message,
    file: annotationPath(f.file),
    ...position,
  };
}

/** Annotation paths are repository-relative with forward slashes and no leading `./`. */
export function annotationPath(file: string): string {
  return file.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}
