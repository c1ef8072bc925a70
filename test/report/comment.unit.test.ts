import { describe, expect, it } from 'vitest';
import { summarize, type Finding, type StackPlanEntry } from '../../src/model/findings.js';
import { COMMENT_LIMIT, commentMarker, renderComment } from '../../src/report/comment.js';
import { codeSpan, escapeMarkdown, safeUrl } from '../../src/report/escape.js';
import { renderSummary, SUMMARY_LIMIT_BYTES } from '../../src/report/summary.js';
import { finding, makeReport, policyFinding, RUN } from '../helpers/report.js';

const HOSTILE =
  '</details></table><script>alert(1)</script> a|b `code` @org/team @octocat ::error::pwned #123 ' +
  '[click](javascript:alert(1)) <!-- iac-action:checks/cloudformation --> **bold** <img src=x onerror=alert(1)>';

function balanced(body: string): void {
  expect(body.match(/<details>/g)?.length ?? 0).toBe(body.match(/<\/details>/g)?.length ?? 0);
}

describe('escapeMarkdown', () => {
  it('leaves no HTML, table pipe, code span, mention or issue reference in untrusted text', () => {
    const out = escapeMarkdown(HOSTILE);
    expect(out).not.toMatch(/[<>|`]/);
    expect(out).toContain('&lt;/details&gt;');
    expect(out).toContain('&#124;');
    expect(out).toContain('&#96;code&#96;');
    expect(out).not.toMatch(/@[\w-]/); // every @ is followed by the zero-width space
    expect(out).toContain('@\u200borg/team');
    expect(out).toContain('#\u200b123');
    expect(out).toContain('\\[click\\]');
    expect(out).toContain('\\*\\*bold\\*\\*');
  });

  it('flattens newlines so one message stays one table row', () => {
    expect(escapeMarkdown('line one\nline two\r\n| x |')).toBe('line one line two &#124; x &#124;');
  });

  it('keeps code spans inert and links to http(s) only', () => {
    expect(codeSpan('a`b|c')).toBe('<code>a&#96;b&#124;c</code>');
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl('https://example.com/a (b)')).toBe('https://example.com/a%20%28b%29');
  });
});

describe('renderComment', () => {
  it('starts with the marker and states status, counts by severity and source, commit and run', () => {
    const report = makeReport(
      [
        finding(),
        finding({ severity: 'warning', ruleId: 'W3005', line: 20, logicalId: undefined }),
        policyFinding({ file: 'templates/bucket.yaml', line: 30 }),
      ],
      ['templates/bucket.yaml', 'templates/clean.yaml', 'templates/other.yaml'],
    );
    const body = renderComment(report, RUN, 'checks/cloudformation');
    expect(body.startsWith(`${commentMarker('checks/cloudformation')}\n`)).toBe(true);
    expect(body).toContain('### ❌ iac-action: blocked');
    expect(body).toContain('**2 errors, 1 warning, 0 info** in 3 templates');
    expect(body).toContain(
      'cfn-lint: 1 error, 1 warning, 0 info · IAM Access Analyzer: 1 error, 0 warnings, 0 info',
    );
    expect(body).toContain(
      '[<code>0123456</code>](https://github.com/octo/infra/commit/0123456789abcdef0123456789abcdef01234567)',
    );
    expect(body).toContain('[workflow run](https://github.com/octo/infra/actions/runs/42)');
    // the line links to the file at the commit; the rule links to its help
    expect(body).toContain(
      '| [12](https://github.com/octo/infra/blob/0123456789abcdef0123456789abcdef01234567/templates/bucket.yaml#L12) | ❌ error | cfn-lint | [E3012](https://github.com/aws-cloudformation/cfn-lint/blob/main/docs/rules.md#e3012) | <code>Bucket</code> ',
    );
    // policy findings sit in the same table as lint findings
    expect(body).toMatch(/IAM Access Analyzer \| \[PASS\\_ROLE\\_WITH\\_STAR\\_IN\\_RESOURCE\]/);
    // clean templates collapse into one line
    expect(body).toContain(
      '✅ 2 templates without findings: <code>templates/clean.yaml</code>, <code>templates/other.yaml</code>',
    );
    expect(body).toContain(
      '<details><summary>❌ <code>templates/bucket.yaml</code>: 2 errors, 1 warning, 0 info</summary>',
    );
    balanced(body);
  });

  it('keeps any comment-id inside the hidden marker', () => {
    const marker = commentMarker('prod --> <img src=x> @team');
    expect(marker).toBe('<!-- iac-action:prod%20--%3E%20%3Cimg%20src%3Dx%3E%20%40team -->');
    expect(marker.indexOf('-->')).toBe(marker.length - 3);
  });

  it('is the same text for the same report and run, so re-runs write nothing', () => {
    const report = makeReport([finding()]);
    expect(renderComment(report, RUN, 't')).toBe(renderComment(structuredClone(report), RUN, 't'));
  });

  it('says passed when nothing blocks', () => {
    const body = renderComment(makeReport([finding({ severity: 'warning' })]), RUN, 't');
    expect(body).toContain('### ✅ iac-action: passed');
  });

  it('says how many errors pass when fail-on lets them through', () => {
    const report = makeReport([finding(), finding({ line: 20 })]);
    report.summary = summarize(report.findings, report.templates, 'none');
    const body = renderComment(report, RUN, 't');
    expect(body).toContain('### ✅ iac-action: passed — 2 errors not blocking\n');
  });

  it('escapes hostile template text everywhere it appears', () => {
    const hostile = finding({
      message: HOSTILE,
      logicalId: 'A|`B`',
      ruleId: 'E|1',
      file: 'templates/<x>|@y.yaml',
    });
    const body = renderComment(makeReport([hostile], ['templates/<x>|@y.yaml']), RUN, 't');
    expect(body).not.toContain('<script');
    expect(body).not.toContain('<img');
    expect(body).not.toMatch(/@(?!\u200b)[\w-]/);
    expect(body).not.toContain('#123');
    expect(body.match(/<!--/g)).toHaveLength(1);
    balanced(body);
    const rows = body.split('\n').filter((l) => l.startsWith('| ['));
    expect(rows).toHaveLength(1);
    // five cells: six unescaped pipes, whatever the text contained
    expect(rows[0]!.match(/\|/g)).toHaveLength(6);
    expect(rows[0]).not.toContain('`');
  });

  it('shows the change-set preview with blocked stateful replacements first', () => {
    const plan: StackPlanEntry[] = [
      {
        stackId: 'data',
        stackName: 'data-lake',
        region: 'eu-west-1',
        changeSetName: 'iac-abc',
        changeSetType: 'UPDATE',
        status: 'blocked',
        changes: [
          {
            logicalId: 'Raw',
            resourceType: 'AWS::S3::Bucket',
            action: 'add',
            replacementCauses: [],
            stateful: true,
            blocked: false,
          },
          {
            logicalId: 'Db',
            resourceType: 'AWS::RDS::DBInstance',
            action: 'replace',
            replacementCauses: ['DBInstanceIdentifier'],
            stateful: true,
            blocked: true,
          },
          {
            logicalId: 'Old',
            resourceType: 'AWS::Logs::LogGroup',
            action: 'remove',
            replacementCauses: [],
            stateful: true,
            blocked: false,
            retained: true,
          },
        ],
        iamChanges: ['Role Reader: + s3:GetObject on arn:aws:s3:::raw/*'],
      },
      {
        stackId: 'net',
        stackName: 'network',
        region: 'eu-west-1',
        status: 'no-changes',
        changes: [],
        iamChanges: [],
      },
    ];
    const body = renderComment(makeReport([], undefined, { plan }), RUN, 't');
    expect(body).toContain('### ❌ iac-action: blocked');
    const caution = body.indexOf('> [!CAUTION]');
    expect(caution).toBeGreaterThan(0);
    expect(caution).toBeLessThan(body.indexOf('<details><summary>❌ <code>data-lake</code>'));
    expect(body).toContain(
      '> - <code>Db</code> (<code>AWS::RDS::DBInstance</code>) in stack <code>data-lake</code>: replace, caused by <code>DBInstanceIdentifier</code>',
    );
    expect(body).toContain(
      '| ⛔ replace (blocked) (stateful) | <code>Db</code> | <code>AWS::RDS::DBInstance</code> | <code>DBInstanceIdentifier</code> |',
    );
    expect(body).toContain('| 🟤 orphan (Retain) (stateful) | <code>Old</code>');
    expect(body).toContain(
      '<code>data-lake</code> (eu-west-1): blocked, 1 to add, 1 to replace, 1 to remove · change set <code>iac-abc</code>',
    );
    expect(body).toContain('- Role Reader: + s3:GetObject on arn:aws:s3:::raw/\\*');
    expect(body).toContain('⚪ No changes: <code>network</code> (eu-west-1)');
    balanced(body);
  });

  it('shows deployments with the resource and reason of a failure', () => {
    const body = renderComment(
      makeReport([], undefined, {
        deployments: [
          {
            stackId: 'db',
            stackName: 'db',
            region: 'us-east-1',
            status: 'failed',
            stackStatus: 'UPDATE_ROLLBACK_COMPLETE',
            outputs: {},
            failure: { logicalId: 'Db', reason: 'Invalid <value> for @admin' },
          },
        ],
      }),
      RUN,
      't',
    );
    expect(body).toContain('### ❌ iac-action: deployment failed');
    expect(body).toContain(
      '| <code>db</code> | us-east-1 | ❌ failed | <code>UPDATE\\_ROLLBACK\\_COMPLETE</code> | <code>Db</code>: Invalid &lt;value&gt; for @\u200badmin |',
    );
  });
});

function manyFindings(count: number, files: number): Finding[] {
  const severities = ['error', 'warning', 'info'] as const;
  return Array.from({ length: count }, (_, i) =>
    finding({
      severity: severities[i % 3]!,
      file: `templates/stack-${i % files}.yaml`,
      line: i + 1,
      ruleId: `E${3000 + (i % 50)}`,
      message: `Property ${'x'.repeat(i % 200)} at Resources/R${i} is not valid | <tag> @team`,
    }),
  );
}

describe('size limits', () => {
  it('fits thousands of findings into one comment, errors kept first, and says what was left out', () => {
    const findings = manyFindings(6000, 40);
    const files = Array.from({ length: 40 }, (_, i) => `templates/stack-${i}.yaml`);
    const report = makeReport(findings, files);
    const body = renderComment(report, RUN, 't');
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body).toContain('**2000 errors, 2000 warnings, 2000 info**');
    expect(body).toContain('> [!NOTE]\n> Shortened to fit:');
    expect(body).toContain(
      'the [job summary](https://github.com/octo/infra/actions/runs/42) has the full report',
    );
    expect(body).toContain('❌ error'); // some error rows survive
    expect(body).not.toContain('ℹ️ info |'); // info rows went first
    balanced(body);
  });

  it('for 5,000 templates shows error rows first and sums up the rest, never an empty section', () => {
    const files = Array.from(
      { length: 5_000 },
      (_, i) => `templates/a-rather-long-folder-name/stack-${i}.yaml`,
    );
    const findings = files.map((file, i) =>
      finding({ file, line: i + 1, severity: i % 250 === 7 ? 'error' : 'warning' }),
    );
    const skipped = Array.from({ length: 12 }, (_, i) => `templates/params-${i}.json`);
    const body = renderComment(makeReport(findings, files, { skipped }), RUN, 't');
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body).toContain('**20 errors, 4980 warnings, 0 info** in 5000 templates');
    expect(body).toContain('· 12 files skipped: not templates ·');
    expect(renderSummary(makeReport([], files, { skipped }), RUN)).toContain(
      '· 12 files skipped: not templates ·',
    );
    // Every error has its row; the files whose findings do not fit are one line.
    expect(body.split('\n').filter((l) => l.includes('| ❌ error |'))).toHaveLength(20);
    expect(body).toMatch(
      /^⚠️ 4980 more templates with 0 errors, 4980 warnings, 0 info, not listed here$/m,
    );
    const sections = body.split('<details>').slice(1);
    for (const section of sections) expect(section).toMatch(/^<summary>[^]*?\n\| \[/);
    expect(body).not.toContain('Cut short');
    balanced(body);
  });

  it('cuts at a line and closes every open section when even the least detail is too long', () => {
    const plan: StackPlanEntry[] = Array.from({ length: 3000 }, (_, i) => ({
      stackId: `s-${i}`,
      stackName: `a-rather-long-stack-name-${i}`,
      region: 'eu-west-1',
      status: 'changes',
      changes: [],
      iamChanges: [],
    }));
    const body = renderComment(makeReport([], ['t.yaml'], { plan }), RUN, 't');
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body).toMatch(/> Cut short to fit: the \[job summary\]\(.*\) has the full report\.\n$/);
    balanced(body);
  });

  it('keeps the job summary under 1 MiB and lists more than the comment', () => {
    const findings = manyFindings(20000, 100);
    const files = Array.from({ length: 100 }, (_, i) => `templates/stack-${i}.yaml`);
    const report = makeReport(findings, files);
    const summary = renderSummary(report, RUN);
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
    expect(summary).not.toContain('<!-- iac-action');
    expect(summary).toContain('output `report-json`');
    const rows = (text: string): number =>
      text.split('\n').filter((l) => l.startsWith('| [')).length;
    expect(rows(summary)).toBeGreaterThan(rows(renderComment(report, RUN, 't')));
    balanced(summary);
  });

  it('lists every finding in the summary when it fits', () => {
    const findings = manyFindings(300, 3);
    const summary = renderSummary(makeReport(findings, ['templates/stack-0.yaml']), RUN);
    expect(summary.split('\n').filter((l) => l.startsWith('| [')).length).toBe(300);
    expect(summary).not.toContain('Shortened');
  });
});

describe('long logical ids', () => {
  it('may break at word starts, so the other columns stay in view', () => {
    const id = 'DataLakeCuratedZoneReplicationDestinationBucket7F3A9C21';
    const plan: StackPlanEntry = {
      stackId: 'lake',
      stackName: 'lake',
      region: 'eu-west-1',
      status: 'changes',
      changes: [
        {
          logicalId: id,
          resourceType: 'AWS::S3::Bucket',
          action: 'modify',
          replacementCauses: [],
          stateful: true,
          blocked: false,
        },
        {
          logicalId: 'Short',
          resourceType: 'AWS::SQS::Queue',
          action: 'add',
          replacementCauses: [],
          stateful: false,
          blocked: false,
        },
      ],
      iamChanges: [],
    };
    const body = renderComment(makeReport([], [], { plan: [plan] }), RUN, 'the job summary');
    expect(body).toContain(
      '<code>Data<wbr>Lake<wbr>Curated<wbr>Zone<wbr>Replication<wbr>Destination<wbr>Bucket7<wbr>F3<wbr>A9<wbr>C21</code>',
    );
    expect(body).toContain('| <code>Short</code> |');
    // Hostile text stays escaped piece by piece.
    expect(body).not.toMatch(/<wbr>[^<]*<(?!wbr|\/code)/);
  });
});
