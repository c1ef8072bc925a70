import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/entry/cli.js';
import { formatSarif } from '../../src/report/sarif.js';
import { validator, type SarifLog } from '../helpers/sarif.js';

describe('SARIF', () => {
  it('the CLI --format sarif prints the same document as the report it finds', async () => {
    const workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'iac-sarif-cli-'));
    try {
      await fs.mkdir(path.join(workspace, 'templates'));
      await fs.writeFile(
        path.join(workspace, 'templates/bucket.yaml'),
        'Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: 12\n      Nonsense: true\n',
      );
      const run = async (format: string): Promise<string> => {
        let out = '';
        const code = await main(
          ['validate', 'templates/', '--format', format, '--policy-validation', 'off'],
          {
            out: (s) => (out += s),
            err: () => {},
            env: process.env,
            cwd: workspace,
          },
        );
        expect(code).toBe(1);
        return out;
      };
      const sarif = await run('sarif');
      const json = JSON.parse(await run('json'));
      expect(`${sarif}\n`).toBe(formatSarif(json));
      const validate = await validator();
      expect(validate(JSON.parse(sarif))).toBe(true);
      expect((JSON.parse(sarif) as SarifLog).runs[0]!.results.length).toBeGreaterThan(0);
    } finally {
      await fs.rm(workspace, { recursive: true, force: true });
    }
  });
});
