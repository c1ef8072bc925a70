/**
 * `npm run bench`: our whole validation run (the built CLI) against one plain cfn-lint call over
 * the same files, on a generated corpus and on a single template. Prints the ratios the README
 * records.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { writeCorpus } from './corpus.js';
import { benchDeploy } from './deploy.js';
import { benchGuard } from './guard.js';
import { benchPolicies } from './policies.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);
const CORPUS_SIZE = Number(process.env.BENCH_CORPUS ?? 200);

async function seconds(command: string, args: string[], cwd: string): Promise<number> {
  const start = performance.now();
  await run(command, args, { cwd, maxBuffer: 512 * 1024 * 1024 }).catch((e: { code?: number }) => {
    // Findings make both tools exit non-zero; only a crash (no exit code) is a failed measurement.
    if (typeof e.code !== 'number') throw e;
  });
  return (performance.now() - start) / 1000;
}

/** Median of n runs: robust to one slow outlier on a shared machine. */
function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Time two commands n times each, alternating, so load from anything else on the machine falls on
 * both alike; returns the medians.
 */
async function compare(
  n: number,
  a: () => Promise<number>,
  b: () => Promise<number>,
): Promise<[number, number]> {
  const first: number[] = [];
  const second: number[] = [];
  for (let i = 0; i < n; i++) {
    first.push(await a());
    second.push(await b());
  }
  return [median(first), median(second)];
}

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'iac-bench-'));
  const lines: string[] = [`cores: ${os.availableParallelism()}, node ${process.version}`];
  try {
    const files = await writeCorpus(path.join(dir, 'corpus'), CORPUS_SIZE);
    const cli = path.join(ROOT, 'dist/cli.js');
    const ours = (target: string[]) =>
      seconds(process.execPath, [cli, 'validate', ...target, '--fail-on', 'none'], dir);
    const plain = (target: string[]) =>
      seconds('cfn-lint', ['--format', 'json', '--', ...target], dir);

    const startups: number[] = [];
    for (let i = 0; i < 7; i++) {
      startups.push(await seconds(process.execPath, [path.join(ROOT, 'dist/index.js')], dir));
    }
    const startup = median(startups);
    lines.push(
      `action start-up to its first answer (an input error): ${(startup * 1000).toFixed(0)} ms`,
    );

    const [corpusOurs, corpusPlain] = await compare(
      3,
      () => ours(['corpus']),
      () => plain(files),
    );
    lines.push(
      `corpus of ${files.length} templates: iac-action ${corpusOurs.toFixed(2)} s, plain cfn-lint ${corpusPlain.toFixed(2)} s, ratio ${(corpusOurs / corpusPlain).toFixed(2)} (target <= 0.60)`,
    );
    const single = [path.relative(dir, files[4]!)];
    const [singleOurs, singlePlain] = await compare(
      9,
      () => ours(single),
      () => plain(single),
    );
    lines.push(
      `single template: iac-action ${singleOurs.toFixed(2)} s, plain cfn-lint ${singlePlain.toFixed(2)} s, overhead ${(((singleOurs - singlePlain) / singlePlain) * 100).toFixed(0)}% (target <= 15%)`,
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
  lines.push(...(await benchPolicies()));
  lines.push(...(await benchGuard()));
  lines.push(...(await benchDeploy()));
  console.log(lines.join('\n'));
}

await main();
