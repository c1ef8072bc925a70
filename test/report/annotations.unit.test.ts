import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/findings.js';
import { ANNOTATIONS_PER_LEVEL, planAnnotations } from '../../src/report/annotations.js';
import { finding } from '../helpers/report.js';

function many(severity: Finding['severity'], count: number, file = 'templates/a.yaml'): Finding[] {
  return Array.from({ length: count }, (_, i) => finding({ severity, file, line: i + 1 }));
}

describe('planAnnotations', () => {
  it('puts the most severe first, caps each level, and adds one notice counting the rest', () => {
    const findings = [...many('info', 12), ...many('warning', 15), ...many('error', 11)];
    const annotations = planAnnotations(findings);
    const levels = annotations.map((a) => a.level);
    expect(levels.filter((l) => l === 'error')).toHaveLength(ANNOTATIONS_PER_LEVEL);
    expect(levels.filter((l) => l === 'warning')).toHaveLength(ANNOTATIONS_PER_LEVEL);
    // nine info notices plus the counting notice: still ten notices in the step
    expect(levels.filter((l) => l === 'notice')).toHaveLength(ANNOTATIONS_PER_LEVEL);
    expect(levels.indexOf('warning')).toBeGreaterThan(levels.lastIndexOf('error'));
    const last = annotations.at(-1)!;
    expect(last.file).toBeUndefined();
    expect(last.message).toBe(
      '9 more findings are not annotated (GitHub shows at most 10 per level and step). The job summary lists every finding.',
    );
  });

  it('adds no counting notice when everything fits', () => {
    const annotations = planAnnotations([...many('error', 10), ...many('info', 10)]);
    expect(annotations).toHaveLength(20);
    expect(annotations.every((a) => a.file === 'templates/a.yaml')).toBe(true);
  });

  it('uses repository-relative forward-slash paths and file-level annotations for line 0', () => {
    const [a, b] = planAnnotations([
      finding({ file: './templates\\nested\\x.yaml', line: 0, column: 0 }),
      finding({ file: 'templates/y.yaml', line: 3, column: 5, endLine: 3, endColumn: 9 }),
    ]);
    expect(a).toMatchObject({
      file: 'templates/nested/x.yaml',
      level: 'error',
      title: 'E3012 (cfn-lint)',
    });
    expect(a!.startLine).toBeUndefined();
    expect(b).toMatchObject({
      file: 'templates/y.yaml',
      startLine: 3,
      startColumn: 5,
      endLine: 3,
      endColumn: 9,
    });
    expect(b!.message).toBe("Bucket: 'yes' is not of type 'boolean'");
  });

  it('annotates only changed files when they are known', () => {
    const annotations = planAnnotations(
      [...many('error', 2, 'templates/changed.yaml'), ...many('error', 3, 'templates/other.yaml')],
      new Set(['templates/changed.yaml']),
    );
    expect(annotations.map((a) => a.file ?? 'notice')).toEqual([
      'templates/changed.yaml',
      'templates/changed.yaml',
      'notice',
    ]);
    expect(annotations[2]!.message).toContain(
      '3 more findings are not annotated (3 concern files this pull request does not change)',
    );
  });
});
