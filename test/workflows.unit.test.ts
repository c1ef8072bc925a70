// The repository's own workflows and the workflows its docs teach follow GitHub's hardening advice.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/paths.js';

const WORKFLOWS = path.join(ROOT, '.github/workflows');
const uses = (text: string) => [...text.matchAll(/^\s*-?\s*uses:\s*(.+)$/gm)].map((m) => m[1]!);

describe('workflows', () => {
  it('pin every third-party action by full commit SHA, with the version as a comment', () => {
    const steps = fs
      .readdirSync(WORKFLOWS)
      .flatMap((file) => uses(fs.readFileSync(path.join(WORKFLOWS, file), 'utf8')));
    expect(steps.length).toBeGreaterThan(5);
    const unpinned = steps.filter(
      (step) =>
        !step.startsWith('./') && !/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/.test(step),
    );
    expect(unpinned).toEqual([]);
  });

  it('the docs upload SARIF with codeql-action v4 (v3 is deprecated)', () => {
    const docs = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).map((f) => `docs/${f}`)];
    const uploads = docs.flatMap((file) =>
      uses(fs.readFileSync(path.join(ROOT, file), 'utf8')).filter((u) =>
        u.includes('upload-sarif'),
      ),
    );
    expect(uploads.length).toBeGreaterThan(0);
    expect(uploads.filter((u) => u !== 'github/codeql-action/upload-sarif@v4')).toEqual([]);
  });
});
