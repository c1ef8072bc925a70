import { describe, expect, it } from 'vitest';
import { run, runAction } from '../../src/entries.js';
import { runActionInProcess } from '../helpers/action.js';
import { workspace } from '../helpers/paths.js';

describe('the action in-process', () => {
  it('fails with one message for a wrong input, shown in the job summary too', async () => {
    const ws = await workspace({ 'templates/q.json': { copy: 'valid/queue.json' } });
    const wrong = await runActionInProcess(ws, { 'fail-on': 'often' });
    expect(wrong.failed).toMatch(
      /^Input "fail-on" is "often", which is not one of: error, warning, none\./,
    );
    expect(wrong.summary).toContain('iac-action could not run');
    expect(wrong.summary).toContain('Input &quot;fail-on&quot; is &quot;often&quot;');
    expect(wrong.outputs).toEqual({});
  });

  it('refuses to deploy from a pull request before the pipeline starts', async () => {
    const ws = await workspace({ 'templates/q.json': { copy: 'valid/queue.json' } });
    const pr = await runActionInProcess(
      ws,
      { mode: 'deploy' },
      {
        env: { GITHUB_EVENT_NAME: 'pull_request' },
        pipeline: () => {
          throw new Error('the pipeline must not start');
        },
      },
    );
    expect(pr.failed).toMatch(/^Input "mode: deploy" is refused on pull_request events/);
  });

  it('keeps the github-token input out of a failure message', async () => {
    const ws = await workspace({});
    const r = await runActionInProcess(
      ws,
      { 'github-token': 'ghs_secret' },
      {
        pipeline: () => {
          throw new Error('stopped after reading ghs_secret');
        },
      },
    );
    expect(r.failed).toMatch(/^stopped after reading /);
    expect(r.failed).not.toContain('ghs_secret');
  });

  it('exports run, the name @github/local-action calls', () => {
    expect(run).toBe(runAction);
  });
});
