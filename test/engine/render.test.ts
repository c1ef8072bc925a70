import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnvironment } from '../../src/discover/environment.js';
import { renderTemplate } from '../../src/discover/render.js';
import { workspace } from '../helpers/paths.js';

describe('environments and rendering', () => {
  it('renders nunjucks with the environment variables', async () => {
    const ws = await workspace({ environments: { copy: 'rendered/environments' } });
    const env = await loadEnvironment(ws, 'dev');
    const text = await fs.readFile(
      path.join(ws, '..', path.basename(ws), 'environments/dev.yaml'),
      'utf8',
    );
    expect(text).toContain('zones');
    const source = await fs.readFile(
      new URL('../fixtures/rendered/templates/lake.yaml.njk', import.meta.url),
      'utf8',
    );
    const result = await renderTemplate(source, 'templates/lake.yaml.njk', {
      workspace: ws,
      environment: env!,
      trusted: false,
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.text).toContain('  RawBucket:\n    Type: AWS::S3::Bucket');
    expect(result.text).toContain('  CuratedBucket:');
    expect(result.text).toContain('lake-curated-dev-${AWS::AccountId}');
  });

  it('names the line of an undefined variable', async () => {
    const result = await renderTemplate('Resources:\n  A:\n    Type: {{ nope }}\n', 't.njk', {
      workspace: os.tmpdir(),
      trusted: false,
    });
    expect(result).toMatchObject({
      ok: false,
      finding: { file: 't.njk', line: 3, ruleId: 'R1001' },
    });
    expect(!result.ok && result.finding.message).toMatch(/undefined|nope/);
    expect(!result.ok && result.finding.message).toMatch(/set input "environment"/);
  });

  it('refuses expressions that reach JavaScript internals unless the repository is trusted', async () => {
    const opts = { workspace: os.tmpdir(), trusted: false };
    const escapes = [
      'Type: {{ range.constructor("return process.env")() }}',
      // Built at run time, so no text check could see it.
      'Type: {{ cycler["constr" + "uctor"]("return 1")() }}',
      'Type: {{ ""["__pro" + "to__"] }}',
    ];
    for (const escape of escapes) {
      const refused = await renderTemplate(`Resources:\n  A:\n    ${escape}\n`, 't.njk', opts);
      expect(refused, escape).toMatchObject({ ok: false, finding: { line: 3, ruleId: 'R1001' } });
      expect(!refused.ok && refused.finding.message).toMatch(
        /JavaScript internals.*trust-repo-config/,
      );
    }
    // Ordinary text that merely names those words renders.
    expect(await renderTemplate('A: {{ "process-constructor" | upper }}\n', 't.njk', opts)).toEqual(
      {
        ok: true,
        text: 'A: PROCESS-CONSTRUCTOR\n',
      },
    );
    // A trusted repository renders anything nunjucks does.
    const trusted = await renderTemplate('A: {{ range.constructor("return 7")() }}\n', 't.njk', {
      workspace: os.tmpdir(),
      trusted: true,
    });
    expect(trusted).toEqual({ ok: true, text: 'A: 7\n' });
  });
});
