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
import { BOMB, changeTemplate, timedWithMemory, writeSmallTemplates } from './lint.js';
import { benchDeploy } from './deploy.js';
import { benchGuard } from './guard.js';
import { benchPolicies } from './policies.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);
const CORPUS_SIZE = Number(process.env.BENCH_CORPUS ?? 200);
const SMALL_TEMPLATES = Number(process.env.BENCH_SMALL ?? 10_000);
/** Runs of each corpus measurement (their median is shown). */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** BENCH_ONLY=corpus,warm,scale runs only those scenarios (all by default). */
const ONLY = process.env.BENCH_ONLY?.split(',');
const wanted = (scenario: string) => !ONLY || ONLY.includes(scenario);

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
  const lines: string[] = [
    `cores: ${os.availableParallelism()}, node ${process.version}, load average at start ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  ];
  try {
    const files = await writeCorpus(path.join(dir, 'corpus'), CORPUS_SIZE);
    // The same corpus with one alias bomb added: our parser refuses it before cfn-lint.
    await writeCorpus(path.join(dir, 'corpus-bomb'), CORPUS_SIZE);
    await fs.copyFile(BOMB, path.join(dir, 'corpus-bomb', 'bomb.yaml'));
    const cli = path.join(ROOT, 'dist/cli.js');
    const validate = (target: string[], cached = false) => [
      cli,
      'validate',
      ...target,
      '--fail-on',
      'none',
      ...(cached ? [] : ['--no-cache']),
    ];
    const ours = (target: string[], cached = false) =>
      seconds(process.execPath, validate(target, cached), dir);
    const plain = (target: string[]) =>
      seconds('cfn-lint', ['--format', 'json', '--', ...target], dir);

    if (wanted('startup')) {
      const startups: number[] = [];
      for (let i = 0; i < 7; i++) {
        startups.push(await seconds(process.execPath, [path.join(ROOT, 'dist/index.js')], dir));
      }
      lines.push(
        `action start-up to its first answer (an input error): ${(median(startups) * 1000).toFixed(0)} ms`,
      );
    }

    let corpusPlain = NaN;
    if (wanted('corpus')) {
      const alone: number[] = [];
      const bare: number[] = [];
      const bombed: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        alone.push(await ours(['corpus']));
        bare.push(await plain(files));
        bombed.push(await ours(['corpus-bomb']));
      }
      const corpusOurs = median(alone);
      corpusPlain = median(bare);
      const withBomb = median(bombed);
      lines.push(
        `corpus of ${files.length} templates (cold, --no-cache): iac-action ${corpusOurs.toFixed(2)} s, plain cfn-lint ${corpusPlain.toFixed(2)} s, ratio ${(corpusOurs / corpusPlain).toFixed(2)} (target <= 0.60)`,
        `corpus plus one alias bomb: ${withBomb.toFixed(2)} s, ${(withBomb / corpusOurs).toFixed(2)}x the corpus alone (target <= 1.10)`,
      );
    }
    if (wanted('warm')) {
      if (Number.isNaN(corpusPlain)) corpusPlain = await plain(files);
      await ours(['corpus'], true); // fills the cache in node_modules/.cache of the bench folder
      const warm: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        await changeTemplate(files[i]!, i);
        warm.push(await ours(['corpus'], true));
      }
      const warmOurs = median(warm);
      lines.push(
        `warm corpus, one template changed: iac-action ${warmOurs.toFixed(2)} s, ${(warmOurs / corpusPlain).toFixed(3)}x one plain cfn-lint call over the corpus (${corpusPlain.toFixed(2)} s; target <= 0.10)`,
      );
    }
    if (wanted('single')) {
      const single = [path.relative(dir, files[4]!)];
      const [singleOurs, singlePlain] = await compare(
        9,
        () => ours(single),
        () => plain(single),
      );
      lines.push(
        `single template: iac-action ${singleOurs.toFixed(2)} s, plain cfn-lint ${singlePlain.toFixed(2)} s, overhead ${(((singleOurs - singlePlain) / singlePlain) * 100).toFixed(0)}% (target <= 15%)`,
      );
    }
    if (wanted('scale')) {
      await writeSmallTemplates(path.join(dir, 'small'), SMALL_TEMPLATES);
      const scale = await timedWithMemory(process.execPath, validate(['small']), dir);
      lines.push(
        `${SMALL_TEMPLATES} small templates (cold, --no-cache): ${scale.seconds.toFixed(1)} s, peak memory ${scale.peakMiB.toFixed(0)} MiB (largest process; target < 1024)`,
      );
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
  if (wanted('policies')) lines.push(...(await benchPolicies()));
  if (wanted('guard')) lines.push(...(await benchGuard()));
  if (wanted('deploy')) lines.push(...(await benchDeploy()));
  console.log(lines.join('\n'));
}

await main();
