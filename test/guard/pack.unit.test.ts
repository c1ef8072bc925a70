import fs from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadControls, packFolder, selectControls } from '../../src/guard/pack.js';

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
