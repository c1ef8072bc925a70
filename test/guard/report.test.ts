import { describe, expect, it } from 'vitest';
import { renderComment } from '../../src/report/comment.js';
import { toSarif } from '../../src/report/sarif.js';
import { renderSummary } from '../../src/report/summary.js';
import { finding, makeReport, RUN } from '../helpers/report.js';

const control = finding({
  source: 'cfn-guard',
  ruleId: 'CT.S3.PR.1',
  severity: 'error',
  securitySeverity: '7.5',
  message: 'Require an Amazon S3 bucket to have block public access settings configured.',
});

const report = makeReport([control], ['templates/bucket.yaml'], {
  suppressions: [
    {
      file: 'templates/bucket.yaml',
      line: 30,
      logicalId: 'Website',
      rule: 'CT.S3.PR.1',
      reason: 'public <b>assets</b> @security-team',
      suppressed: 1,
    },
    {
      file: 'templates/bucket.yaml',
      line: 40,
      logicalId: 'Logs',
      rule: 'CT.S3.PR.2',
      suppressed: 0,
    },
  ],
});

describe('guard findings and suppressions in the reports', () => {
  it('lists every suppression, collapsed, with its reason escaped or the lack of one', () => {
    for (const body of [renderComment(report, RUN, 't'), renderSummary(report, RUN)]) {
      expect(body).toContain('<details><summary>2 suppressed Guard rules</summary>');
      expect(body).toContain('public &lt;b&gt;assets&lt;/b&gt;');
      expect(body).not.toContain('@security-team');
      expect(body).toMatch(/<code>Logs<\/code> \| CT\.S3\.PR\.2 \| 0 \| ⚠️ no reason given/);
      expect(body).toContain('cfn-guard');
    }
  });

  it('gives code scanning the control’s security severity', () => {
    const sarif = toSarif(report) as {
      runs: {
        tool: { driver: { rules: { id: string; properties: Record<string, unknown> }[] } };
      }[];
    };
    expect(sarif.runs[0]!.tool.driver.rules).toEqual([
      expect.objectContaining({
        id: 'CT.S3.PR.1',
        properties: {
          tags: ['cloudformation', 'cfn-guard', 'security'],
          'security-severity': '7.5',
        },
      }),
    ]);
  });
});
