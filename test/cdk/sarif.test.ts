import { describe, expect, it } from 'vitest';
import { toSarif } from '../../src/report/sarif.js';
import { finding, makeReport } from '../helpers/report.js';

interface Result {
  locations: { logicalLocations?: unknown[] }[];
  partialFingerprints: Record<string, string>;
}

describe('SARIF of CDK findings', () => {
  it('names the construct, and keeps the alert when the CDK’s logical-id hash changes', () => {
    const onConstruct = (logicalId: string) =>
      finding({
        file: 'app/app.mjs',
        line: 40,
        logicalId,
        constructPath: 'LakeDev/CrawlerRole/DefaultPolicy/Resource',
        message: "'getobjects' is not one of [...]",
      });
    const sarif = (logicalId: string) =>
      (
        toSarif(makeReport([onConstruct(logicalId)], ['app/app.mjs'])) as {
          runs: { results: Result[] }[];
        }
      ).runs[0]!.results[0]!;
    const before = sarif('CrawlerRoleDefaultPolicy145A4322');
    const after = sarif('CrawlerRoleDefaultPolicy9B2C0D1E');
    expect(before.locations[0]!.logicalLocations).toEqual([
      {
        name: 'CrawlerRoleDefaultPolicy145A4322',
        kind: 'resource',
        fullyQualifiedName: 'LakeDev/CrawlerRole/DefaultPolicy/Resource',
      },
    ]);
    expect(after.partialFingerprints).toEqual(before.partialFingerprints);
  });
});
