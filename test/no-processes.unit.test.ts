// The unit project (vitest.config.ts) refuses to start processes, so `npm run test:unit` stays fast.
import { execFileSync, spawn } from 'node:child_process';
import { execa } from 'execa';
import { expect, it } from 'vitest';

it('a unit test that starts a process fails, naming the way out', async () => {
  expect(() => execFileSync('cfn-lint', ['--version'])).toThrow(
    /A unit test started a process \(execFileSync cfn-lint\): move the test into a \*\.test\.ts file/,
  );
  expect(() => spawn('python3')).toThrow(/unit test started a process/);
  // execa, which the lint stage and the renderer use, reaches the same refusal.
  await expect(execa('node', ['--version'])).rejects.toThrow(/unit test started a process/);
});
