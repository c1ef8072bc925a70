import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATEFUL_TYPES } from '../../src/stateful/guard.js';

describe('stateful resource types', () => {
  it("include every type of cfn-lint's StatefulResources.json", () => {
    const dir = execFileSync('python3', [
      '-c',
      'import cfnlint,os;print(os.path.dirname(cfnlint.__file__))',
    ])
      .toString()
      .trim();
    const spec = JSON.parse(
      fs.readFileSync(path.join(dir, 'data/AdditionalSpecs/StatefulResources.json'), 'utf8'),
    );
    const types = Object.keys(spec.ResourceTypes);
    expect(types.length).toBeGreaterThan(20);
    expect(types.filter((t) => !STATEFUL_TYPES.has(t))).toEqual([]);
  });
});
