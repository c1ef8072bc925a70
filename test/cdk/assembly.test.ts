import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findTemplates } from '../../src/discover/find.js';
import { silentLogger } from '../../src/model/logger.js';
import { readSettings } from '../../src/model/settings.js';
import { realEdges } from '../../src/pipeline/edges.js';
import { validate } from '../../src/pipeline/validate.js';
import { synthesizedExample } from './synth.js';

let ws: string;
beforeAll(async () => {
  ws = await synthesizedExample();
}, 300_000);

const TEMPLATES = [
  'app/cdk.out/assembly-Prod/ProdLake4B648766.template.json',
  'app/cdk.out/assembly-Prod/ProdLakeCatalog3105228D.nested.template.json',
  'app/cdk.out/LakeDev.template.json',
  'app/cdk.out/LakeDevCatalog029CFABF.nested.template.json',
];

describe('a CDK cloud assembly', () => {
  it('finds every stack, the Stage’s stacks and the nested stack templates, with their environments', async () => {
    const found = await findTemplates(ws, ['app/cdk.out']);
    expect(found.map((s) => s.file)).toEqual(TEMPLATES);
    expect(found.map((s) => [s.stackName, s.cdk?.account, s.cdk?.region])).toEqual([
      ['Prod-Lake', '123456789012', 'eu-west-1'],
      ['Prod-Lake (nested Prod/Lake/Catalog)', '123456789012', 'eu-west-1'],
      ['LakeDev', '123456789012', 'us-east-2'],
      ['LakeDev (nested LakeDev/Catalog)', '123456789012', 'us-east-2'],
    ]);
    // A glob into the assembly finds the same templates, with what the assembly says about them.
    const globbed = await findTemplates(ws, ['app/cdk.out/**/*.template.json']);
    expect(globbed.sort((a, b) => a.file.localeCompare(b.file))).toEqual(found);
  });

  it('refuses an assembly of a newer schema with a message that says what to do', async () => {
    const dir = path.join(ws, 'newer');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ version: '999.0.0' }));
    await expect(findTemplates(ws, ['newer'])).rejects.toThrow(
      /newer\/manifest.json: cannot be read as a CDK cloud assembly \(Cloud assembly schema version mismatch/,
    );
  });

  it('reports each problem with its construct path and the app’s source line, in the stack’s region', async () => {
    const calls = path.join(ws, 'cfn-lint-calls.txt');
    const recorder = path.join(ws, 'cfn-lint');
    await fs.writeFile(recorder, `#!/bin/sh\necho "$@" >> '${calls}'\nexec cfn-lint "$@"\n`, {
      mode: 0o755,
    });
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_REGION: 'us-east-1' };
    const settings = readSettings(
      (name) =>
        ({
          templates: 'app/cdk.out',
          'policy-validation': 'offline',
          'ignore-findings': 'Prod/Lake/CrawlerRole',
        })[name as string],
      { env, workspace: ws },
    );
    const edges = realEdges(settings, { log: silentLogger, env });
    const validation = await validate(settings, { ...edges, locateCfnLint: async () => recorder });

    const lines = (await fs.readFile(calls, 'utf8'))
      .split('\n')
      .filter((l) => l.includes('--regions'));
    expect(
      lines.map((l) => l.replace(/^.*--regions (\S+).*?--(.*)$/, '$1$2').trim()).sort(),
    ).toEqual([
      expect.stringMatching(/^eu-west-1 .*ProdLake4B648766.template.json .*ProdLakeCatalog/),
      expect.stringMatching(/^us-east-2 .*LakeDev.template.json .*LakeDevCatalog/),
    ]);

    const app = await fs.readFile(path.join(ws, 'app/app.mjs'), 'utf8');
    const invalidAction = validation.findings.filter((f) => /getobjects/i.test(f.message));
    // The Prod stage's role is ignored by construct path; the dev stack's is reported.
    expect(invalidAction.length).toBeGreaterThan(0);
    for (const finding of invalidAction) {
      expect(finding).toMatchObject({
        constructPath: 'LakeDev/CrawlerRole/DefaultPolicy/Resource',
        templateFile: 'app/cdk.out/LakeDev.template.json',
        file: 'app/app.mjs',
        // The role's DefaultPolicy comes into being at the first grant to the role.
        line: app.split('\n').findIndex((l) => l.includes('lake.grantRead(crawler)')) + 1,
      });
      expect(finding.message).toContain('[construct LakeDev/CrawlerRole/DefaultPolicy/Resource]');
    }
    expect(validation.notices).toContainEqual(expect.stringMatching(/ignored by construct path/));
    // The function's DependsOn on its role is the CDK's doing: muted, and said so.
    expect(validation.findings.filter((f) => f.ruleId === 'W3005')).toEqual([]);
    expect(validation.notices).toContainEqual(
      expect.stringMatching(/^Muted on CDK templates, .*: W3005 ×2 /),
    );
    expect(validation.templates).toHaveLength(4);
  }, 240_000);
});
