import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateGuard, type GuardTarget } from '../../src/guard/evaluate.js';
import { locateCfnGuard } from '../../src/guard/install.js';
import { loadControls, packFolder } from '../../src/guard/pack.js';
import { silentLogger } from '../../src/model/logger.js';
import { parseTemplate } from '../../src/parse/template.js';
import { workspace } from '../helpers/paths.js';

const BUCKET_ONLY = `Resources:
  Open:
    Type: AWS::S3::Bucket
`;

const NOTHING_THE_PACK_KNOWS = `Resources:
  Topic:
    Type: AWS::SNS::Subscription
    Properties: { Protocol: email, TopicArn: arn:aws:sns:us-east-1:111111111111:t, Endpoint: a@b.c }
`;

/** The real cfn-guard behind a script that records the rule files it was given. */
async function recordingGuard(
  dir: string,
): Promise<{ executable: string; ruleFiles: () => Promise<string[]> }> {
  const real = await locateCfnGuard({
    env: process.env,
    log: silentLogger,
    which: async () => undefined,
  });
  const log = path.join(dir, 'rules.log');
  const executable = path.join(dir, 'cfn-guard');
  await fs.writeFile(
    executable,
    `#!/bin/sh\nfor a in "$@"; do case "$a" in *.guard) echo "$a" >> '${log}';; esac; done\nexec '${real}' "$@"\n`,
    { mode: 0o755 },
  );
  const ruleFiles = async () =>
    (await fs.readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  return { executable, ruleFiles };
}

function target(text: string): GuardTarget {
  const parsed = parseTemplate(text, 'templates/t.yaml');
  if (!parsed.ok) throw new Error(parsed.finding.message);
  return { template: parsed.template, resolutions: [{ parameters: {} }] };
}

describe('the pack evaluates only controls for the resource types the run has', () => {
  it('gives cfn-guard the bucket controls for a bucket, and still finds their failures', async () => {
    const dir = await workspace({});
    const { executable, ruleFiles } = await recordingGuard(dir);
    const controls = await loadControls(await packFolder('control-tower'));
    const findings = await evaluateGuard([target(BUCKET_ONLY)], {
      executable,
      controls,
      ruleFiles: [],
      scratch: dir,
      context: { region: 'us-east-1', partition: 'aws' },
      timeoutSeconds: 120,
      env: { PATH: process.env.PATH ?? '' },
    });
    const bucketControls = controls.filter((c) => c.resourceTypes.includes('AWS::S3::Bucket'));
    expect(bucketControls.length).toBeGreaterThan(3);
    expect((await ruleFiles()).sort()).toEqual(bucketControls.map((c) => c.ruleFile).sort());
    expect(findings.map((f) => f.ruleId)).toContain('CT.S3.PR.1');
    expect(findings.every((f) => f.logicalId === 'Open')).toBe(true);
    // The report's rules and SARIF describe a control in its own words, not by its bare id.
    const control = controls.find((c) => c.id === 'CT.S3.PR.1')!;
    expect(findings.find((f) => f.ruleId === 'CT.S3.PR.1')?.rule).toEqual({
      title: control.title,
      description: `Fix: ${control.remediation}`,
    });
  }, 120_000);

  it('does not start cfn-guard when no control applies, but always runs repository rules', async () => {
    const dir = await workspace({
      'rules/subscriptions.guard': `rule no_email {\n  Resources.*[ Type == 'AWS::SNS::Subscription' ] {\n    Properties.Protocol != 'email' << no email subscriptions >>\n  }\n}\n`,
    });
    const { executable, ruleFiles } = await recordingGuard(dir);
    const controls = await loadControls(await packFolder('control-tower'));
    const options = {
      executable,
      controls,
      scratch: dir,
      context: { region: 'us-east-1', partition: 'aws' },
      timeoutSeconds: 120,
      env: { PATH: process.env.PATH ?? '' },
    };
    expect(
      await evaluateGuard([target(NOTHING_THE_PACK_KNOWS)], { ...options, ruleFiles: [] }),
    ).toEqual([]);
    expect(await ruleFiles()).toEqual([]);
    const ruleFile = path.join(dir, 'rules/subscriptions.guard');
    const findings = await evaluateGuard([target(NOTHING_THE_PACK_KNOWS)], {
      ...options,
      ruleFiles: [{ absolutePath: ruleFile, file: 'rules/subscriptions.guard' }],
    });
    expect(await ruleFiles()).toEqual([ruleFile]);
    expect(findings).toEqual([
      expect.objectContaining({ ruleId: 'no_email', logicalId: 'Topic', line: 4 }),
    ]);
  }, 120_000);
});
