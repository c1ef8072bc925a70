import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The hostile file of the bomb scenario: an alias bomb our parser refuses before cfn-lint. */
export const BOMB = path.resolve(import.meta.dirname, '../test/fixtures/malformed/alias-bomb.yaml');

/** Small templates (one queue each) for the scale run. */
export async function writeSmallTemplates(dir: string, count: number): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    await fs.writeFile(
      path.join(dir, `small-${String(i).padStart(5, '0')}.yaml`),
      `Resources:\n  Queue${i}:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: ${i % 900}\n`,
    );
  }
}

/** A template changed as a pull request would: one more entry at its end (under Outputs). */
export async function changeTemplate(file: string, n: number): Promise<void> {
  await fs.appendFile(file, `  Changed${n}:\n    Type: AWS::SNS::Topic\n`);
}

/** Wall time and the peak resident memory of the largest process (GNU time's %M, in KiB). */
export async function timedWithMemory(
  command: string,
  args: string[],
  cwd: string,
): Promise<{ seconds: number; peakMiB: number }> {
  const start = performance.now();
  const result = await run('/usr/bin/time', ['-f', 'peak-rss-kib %M', command, ...args], {
    cwd,
    maxBuffer: 512 * 1024 * 1024,
  }).catch((e: { code?: number; stderr?: string }) => {
    if (typeof e.code !== 'number') throw e;
    return { stderr: e.stderr ?? '' };
  });
  const seconds = (performance.now() - start) / 1000;
  const kib = Number(/peak-rss-kib (\d+)/.exec(String(result.stderr))?.[1] ?? NaN);
  return { seconds, peakMiB: kib / 1024 };
}
