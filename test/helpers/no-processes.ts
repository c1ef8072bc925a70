// Set up for the unit project (vitest.config.ts): starting a process there is a mistake, so every
// way to start one throws, naming the test file suffix that belongs to the full suite.
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';

const STARTERS = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'];

for (const name of STARTERS) {
  Object.assign(childProcess, {
    [name]: (command: unknown) => {
      throw new Error(
        `A unit test started a process (${name} ${String(command)}): move the test into a *.test.ts file of the full suite.`,
      );
    },
  });
}
// ESM imports of node:child_process (execa's too) see the replacements only after this.
syncBuiltinESMExports();
