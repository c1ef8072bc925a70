import fs from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadControls, packFolder } from '../../src/guard/pack.js';

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
});
