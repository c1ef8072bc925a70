import { describe, expect, it } from 'vitest';
import { realEdges } from '../../src/pipeline/edges.js';
import { silentLogger } from '../../src/model/logger.js';
import { runPipeline } from '../../src/pipeline/pipeline.js';
import { readSettings, type InputName } from '../../src/model/settings.js';
import { workspace } from '../helpers/paths.js';

describe('mode auto on a pull request with credentials', () => {
  it('validates with a notice when the repository has no stack manifest', async () => {
    const ws = await workspace({ 'templates/q.json': { copy: 'valid/queue.json' } });
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' };
    const inputs: Partial<Record<InputName, string>> = { 'policy-validation': 'offline' };
    const settings = readSettings((name) => inputs[name], {
      env,
      workspace: ws,
      eventName: 'pull_request',
    });
    expect(settings).toMatchObject({ mode: 'plan', autoMode: true });
    const { report } = await runPipeline(settings, realEdges(settings, { log: silentLogger, env }));
    expect(report.plan).toBeUndefined();
    expect(report.notices).toContainEqual(
      expect.stringMatching(/No stack manifest \(iac-stacks.yaml\)/),
    );
    expect(report.summary.blocking).toBe(false);
  });

  it('an explicit plan with credentials still requires the manifest', async () => {
    const ws = await workspace({ 'templates/q.json': { copy: 'valid/queue.json' } });
    const inputs: Partial<Record<InputName, string>> = {
      mode: 'plan',
      'policy-validation': 'offline',
    };
    const env = { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' };
    const settings = readSettings((name) => inputs[name], { env, workspace: ws });
    await expect(
      runPipeline(settings, realEdges(settings, { log: silentLogger, env: process.env })),
    ).rejects.toThrow(/Stack manifest "iac-stacks.yaml" was not found/);
  });
});
