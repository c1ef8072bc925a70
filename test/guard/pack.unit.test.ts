import fs from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  loadControls,
  packFolder,
  selectControls,
  withAsciiWordClass,
} from '../../src/guard/pack.js';

describe('the Control Tower pack', () => {
  it('knows, for every control, the resource type it reports on', async () => {
    const controls = await loadControls(await packFolder('control-tower'));
    expect(controls.length).toBeGreaterThan(200);
    for (const control of controls) {
      const text = await fs.readFile(control.ruleFile, 'utf8');
      // The rule file's header: "# Reports on:" then lines of "AWS::Service::Type" names.
      const reported = /^# Reports on:\n((?:#\s+AWS::.*\n)+)/m.exec(text)?.[1];
      const types = [...(reported ?? '').matchAll(/AWS::\w+::\w+/g)].map((m) => m[0]);
      expect(types.length, control.id).toBeGreaterThan(0);
      // Some headers spell a type in another case than the rule does (AutoscalingGroup).
      const named = control.resourceTypes.map((t) => t.toLowerCase());
      for (const type of types) expect(named, control.id).toContain(type.toLowerCase());
    }
  });

  it('selects controls by id, by service folder or by the service part of the id', async () => {
    const controls = await loadControls(await packFolder('control-tower'));
    const ids = (include: string[], exclude: string[] = []) =>
      selectControls(controls, include, exclude).map((c) => c.id);
    const acm = ids(['certificatemanager']);
    expect(acm.length).toBeGreaterThan(0);
    expect(acm.every((id) => id.startsWith('CT.ACM.'))).toBe(true);
    expect(ids(['acm'])).toEqual(acm);
    expect(ids(['CT.ACM'])).toEqual(acm);
    expect(ids(['CT.S3.PR.1'])).toEqual(['CT.S3.PR.1']);
    expect(ids(['s3'], ['CT.S3.PR.1'])).not.toContain('CT.S3.PR.1');
    expect(() => ids(['nosuchservice'])).toThrow(/Input "guard-controls" names "nosuchservice"/);
  });
});

describe('the pack as cfn-guard is given it', () => {
  it('spells \\w of its regex literals in ASCII and changes nothing else', async () => {
    const controls = await loadControls(await packFolder('control-tower'));
    let rewritten = 0;
    for (const control of controls) {
      const text = await fs.readFile(control.ruleFile, 'utf8');
      const before = text.split('\n');
      const after = withAsciiWordClass(text).split('\n');
      expect(after.length, control.id).toBe(before.length);
      for (const [n, line] of after.entries()) {
        if (line === before[n]) continue;
        rewritten++;
        // Only a regex literal changed, and it matches what the original matches: JavaScript's
        // own \w is ASCII's, so the two must agree on every string.
        const literal = (l: string) => new RegExp(/\/((?:\\.|[^\\/])+)\/\s*$/.exec(l)![1]!);
        expect(line, control.id).not.toContain('\\w');
        expect(line.replace(/\/.*\/\s*$/, ''), control.id).toBe(
          before[n]!.replace(/\/.*\/\s*$/, ''),
        );
        const [original, ascii] = [literal(before[n]!), literal(line)];
        for (const sample of [
          '*',
          's3:*',
          's3:Get*',
          'iam:PassRole',
          'é:*',
          'https://github.com/org/repo.git',
          'https://github.com/org/re_po-1',
          'https://github.com/org/répo',
          'arn:aws:acm:us-east-1:111111111111:certificate/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e',
          'arn:aws:iam::111111111111:server-certificate/web',
        ])
          expect(ascii.test(sample), `${control.id}: ${sample}`).toBe(original.test(sample));
      }
    }
    // CT.IAM.PR.3 and .5, CT.ELASTICLOADBALANCING.PR.2 and .8, CT.CODEBUILD.PR.1
    expect(rewritten).toBe(5);
  });

  it('leaves comments, messages and escaped backslashes alone', () => {
    const rules = [
      '# a comment with /\\w+/ in it',
      'let A = /^[\\w.-]+\\w$/',
      'let B = /\\\\w/',
      '  Name == /x\\/\\w/ << names look like /\\w/ >>',
    ].join('\n');
    expect(withAsciiWordClass(rules).split('\n')).toEqual([
      '# a comment with /\\w+/ in it',
      'let A = /^[0-9A-Za-z_.-]+[0-9A-Za-z_]$/',
      'let B = /\\\\w/',
      '  Name == /x\\/[0-9A-Za-z_]/ << names look like /\\w/ >>',
    ]);
  });
});
