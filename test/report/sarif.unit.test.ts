import { describe, expect, it } from 'vitest';
import { toSarif } from '../../src/report/sarif.js';
import { finding, makeReport, policyFinding } from '../helpers/report.js';
import { validator, type SarifLog } from '../helpers/sarif.js';

describe('SARIF', () => {
  const report = makeReport(
    [
      finding(),
      finding({
        severity: 'warning',
        ruleId: 'W3005',
        line: 20,
        column: 3,
        endLine: 22,
        endColumn: 1,
        helpUrl: undefined,
      }),
      finding({
        severity: 'info',
        ruleId: 'I3011',
        line: 0,
        column: 0,
        file: 'templates/with space.yaml',
        logicalId: undefined,
      }),
      policyFinding({ file: 'templates/bucket.yaml', line: 30 }),
      finding({ line: 40 }), // the same rule and message again, elsewhere
    ],
    ['templates/bucket.yaml', 'templates/with space.yaml'],
    { notices: ['IAM policies were checked offline.'] },
  );

  it('is valid against the SARIF 2.1.0 schema', async () => {
    const validate = await validator();
    const ok = validate(toSarif(report));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    // and the schema does reject a broken log, so the check above means something
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
  });

  it('names the tool and its rules with help links, and places every result', () => {
    const log = toSarif(report) as SarifLog;
    const run = log.runs[0]!;
    expect(run.tool.driver).toMatchObject({ name: 'iac-action', version: '0.1.0' });
    expect(run.tool.driver.informationUri).toMatch(/^https:\/\//);
    const rules = run.tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual([
      'E3012',
      'W3005',
      'I3011',
      'PASS_ROLE_WITH_STAR_IN_RESOURCE',
    ]);
    expect(rules[0]!.helpUri).toBe(
      'https://github.com/aws-cloudformation/cfn-lint/blob/main/docs/rules.md#e3012',
    );
    expect(rules[3]!.shortDescription.text).toBe(
      'IAM Access Analyzer rule PASS_ROLE_WITH_STAR_IN_RESOURCE',
    );
    const [first, multiLine, wholeFile] = run.results;
    expect(first).toMatchObject({
      ruleId: 'E3012',
      ruleIndex: 0,
      level: 'error',
      message: { text: "Bucket: 'yes' is not of type 'boolean'" },
    });
    expect(first!.locations[0]!.physicalLocation).toMatchObject({
      artifactLocation: { uri: 'templates/bucket.yaml' },
      region: { startLine: 12, startColumn: 7 },
    });
    expect(multiLine!.locations[0]!.physicalLocation.region).toEqual({
      startLine: 20,
      startColumn: 3,
      endLine: 22,
      endColumn: 1,
    });
    expect(wholeFile).toMatchObject({ level: 'note' });
    expect(wholeFile!.locations[0]!.physicalLocation).toMatchObject({
      artifactLocation: { uri: 'templates/with%20space.yaml' },
      region: { startLine: 1, startColumn: 1 },
    });
  });

  it('gives stable fingerprints that ignore line moves but keep equal findings apart', () => {
    const moved = makeReport(
      report.findings.map((f) => ({ ...f, line: f.line ? f.line + 5 : 0 })),
      ['templates/bucket.yaml'],
    );
    const prints = (r: typeof report) =>
      (toSarif(r) as SarifLog).runs[0]!.results.map(
        (x) => x.partialFingerprints['iacActionFinding/v1'],
      );
    expect(prints(moved)).toEqual(prints(report));
    const all = prints(report);
    expect(new Set(all).size).toBe(all.length);
  });
});
