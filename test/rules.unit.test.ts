import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../src/pipeline/rules.js';
import { generatedDocs } from '../scripts/rules-doc.js';
import { ROOT } from './helpers/paths.js';

describe('the rule registry', () => {
  it('declares every rule once, each with a title, a description and tags; security checks with a severity', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of RULES) {
      expect(rule.title.length, rule.id).toBeGreaterThan(5);
      expect(rule.description.length, rule.id).toBeGreaterThan(20);
      expect(rule.tags.length, rule.id).toBeGreaterThan(0);
      if (rule.tags.includes('security'))
        expect(Number(rule.securitySeverity), rule.id).toBeGreaterThan(0);
    }
  });

  it('the docs’ rule tables are generated from it (run `npm run docs:rules` when this fails)', async () => {
    for (const [file, text] of await generatedDocs())
      expect(fs.readFileSync(path.join(ROOT, file), 'utf8'), file).toBe(text);
  });
});
