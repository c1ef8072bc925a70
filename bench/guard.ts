// The 200-template corpus validated with the Control Tower pack on against the same run without
// it: cfn-guard runs beside cfn-lint, so it should add little to the wall time.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../src/model/logger.js';
import { readSettings, type InputName } from '../src/model/settings.js';
import { realEdges } from '../src/pipeline/edges.js';
import { validate } from '../src/pipeline/validate.js';
import { writeCorpus } from './corpus.js';

const CORPUS_SIZE = Number(process.env.BENCH_CORPUS ?? 200);
const RUNS = Number(process.env.BENCH_GUARD_RUNS ?? 3);

export async function benchGuard(): Promise<string[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'iac-bench-guard-'));
  try {
    const files = await writeCorpus(path.join(dir, 'corpus'), CORPUS_SIZE);
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_REGION: 'us-east-1' };
    const timed = async (inputs: Partial<Record<InputName, string>>) => {
      const settings = readSettings(
        (name) =>
          ({
            templates: 'corpus',
            'policy-validation': 'off',
            'fail-on': 'none',
            // a shared machine can be slow; this measures time, it does not enforce it
            'cfn-lint-timeout': '3600',
            ...inputs,
          })[name as string],
        { env, workspace: dir },
      );
      const start = performance.now();
      await validate(settings, realEdges(settings, { log: silentLogger, env }), {
        environment: undefined,
      });
      return (performance.now() - start) / 1000;
    };
    const without: number[] = [];
    const withGuard: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      without.push(await timed({}));
      withGuard.push(await timed({ 'guard-packs': 'control-tower' }));
    }
    const median = (times: number[]) => [...times].sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
    const [off, on] = [median(without), median(withGuard)];
    return [
      `corpus of ${files.length} templates, validate: without guard ${off.toFixed(2)} s, with the control-tower pack ${on.toFixed(2)} s, guard adds ${(((on - off) / off) * 100).toFixed(0)}% (target <= 15%)`,
    ];
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
