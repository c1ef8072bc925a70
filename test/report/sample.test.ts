import fs from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { silentLogger } from '../../src/model/logger.js';
import { readSettings, type InputName } from '../../src/model/settings.js';
import { realEdges } from '../../src/pipeline/edges.js';
import { runPipeline } from '../../src/pipeline/pipeline.js';
import { renderComment } from '../../src/report/comment.js';
import { noCredentials } from '../helpers/cli.js';
import { ROOT, workspace } from '../helpers/paths.js';
import { RUN } from '../helpers/report.js';

/**
 * README.md shows the exact comment a real run renders over test/fixtures/sample: real cfn-lint
 * and the offline policy checks. `npm run sample` rewrites it after a deliberate change.
 */
const docs = path.join(ROOT, 'README.md');
const START = '<!-- sample:start -->\n```markdown\n';
const END = '```\n<!-- sample:end -->';

it('README.md shows the exact comment of a real run over the sample templates', async () => {
  const ws = await workspace({ templates: { copy: 'sample/templates' } });
  const inputs: Partial<Record<InputName, string>> = { 'policy-validation': 'offline' };
  const settings = readSettings((name) => inputs[name], { env: noCredentials, workspace: ws });
  const { report } = await runPipeline(
    settings,
    realEdges(settings, { log: silentLogger, env: noCredentials }),
  );
  const sample = renderComment(report, RUN, 'checks/cloudformation');
  const text = await fs.readFile(docs, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  expect(start).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  if (process.env.UPDATE_DOCS === '1') {
    await fs.writeFile(docs, `${text.slice(0, start + START.length)}${sample}${text.slice(end)}`);
    return;
  }
  expect(text.slice(start + START.length, end)).toBe(sample);
});
