import { describe, expect, it } from 'vitest';
import { TEMPLATE_RULES } from '../../src/model/template-rules.js';
import { toSarif } from '../../src/report/sarif.js';
import { DISCOVERY_RULES } from '../../src/discover/rules.js';
import { finding, makeReport } from '../helpers/report.js';

interface Driver {
  rules: {
    id: string;
    shortDescription: { text: string };
    fullDescription?: { text: string };
    helpUri?: string;
    properties: { tags: string[]; 'security-severity'?: string };
  }[];
}

describe('SARIF rule descriptors', () => {
  it('come from the registry, or from cfn-lint’s own words, with security severity for security checks', () => {
    const report = makeReport(
      [
        finding({ ruleId: 'R1001', source: 'discovery', message: 'refused' }),
        finding({ ruleId: 'E3002', source: 'cfn-lint', message: 'x' }),
        finding({ ruleId: 'P1005', source: 'parser', message: 'dup' }),
      ],
      undefined,
      {
        rules: {
          R1001: {
            title: DISCOVERY_RULES.renderFailed.title,
            description: DISCOVERY_RULES.renderFailed.description,
            helpUrl: 'https://example.test/rules#r1001',
            tags: [...DISCOVERY_RULES.renderFailed.tags],
            securitySeverity: '7.0',
          },
          E3002: {
            title: 'Validate an unexpected property',
            description: 'Validates that properties are not unexpected',
            tags: [],
          },
          P1005: { title: TEMPLATE_RULES.duplicateKey.title, tags: ['parser'] },
        },
      },
    );
    const sarif = toSarif(report) as { runs: { tool: { driver: Driver } }[] };
    const rules = Object.fromEntries(sarif.runs[0]!.tool.driver.rules.map((r) => [r.id, r]));
    expect(rules.R1001).toMatchObject({
      shortDescription: { text: DISCOVERY_RULES.renderFailed.title },
      fullDescription: { text: DISCOVERY_RULES.renderFailed.description },
      properties: { 'security-severity': '7.0', tags: expect.arrayContaining(['security']) },
    });
    expect(rules.E3002!.shortDescription.text).toBe('Validate an unexpected property');
    expect(rules.E3002!.properties['security-severity']).toBeUndefined();
    expect(rules.P1005!.properties.tags).not.toContain('security');
  });
});
