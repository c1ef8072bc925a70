import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { ROOT, workspace } from '../helpers/paths.js';

/**
 * A workspace holding examples/cdk and its cloud assembly, synthesized with the real aws-cdk-lib
 * the way `cdk synth --debug` does it (path and asset metadata on, creation stacks recorded).
 * Synthesis takes seconds, so each test file calls this once.
 */
export async function synthesizedExample(): Promise<string> {
  const ws = await workspace({ 'app/app.mjs': { copy: '../../examples/cdk/app.mjs' } });
  await fs.cp(path.join(ROOT, 'examples/cdk/handler'), path.join(ws, 'app/handler'), {
    recursive: true,
  });
  await synthesize(ws);
  return ws;
}

/** A workspace whose app/ is a copy of a CDK app folder (app.mjs), synthesized into app/cdk.out. */
export async function synthesizedApp(folder: string): Promise<string> {
  const ws = await workspace({ app: { copy: folder } });
  await synthesize(ws);
  return ws;
}

async function synthesize(ws: string): Promise<void> {
  // The app imports aws-cdk-lib from the project's own devDependencies.
  await fs.symlink(path.join(ROOT, 'node_modules'), path.join(ws, 'node_modules'), 'dir');
  // A deep stack trace limit lets lazily created constructs (a role's DefaultPolicy) reach app code.
  await execa(process.execPath, ['--stack-trace-limit=100', 'app.mjs'], {
    cwd: path.join(ws, 'app'),
    timeout: 240_000,
    env: {
      CDK_OUTDIR: path.join(ws, 'app/cdk.out'),
      CDK_DEBUG: 'true',
      CDK_CONTEXT_JSON: JSON.stringify({
        'aws:cdk:enable-path-metadata': true,
        'aws:cdk:enable-asset-metadata': true,
      }),
    },
  });
  // The symlink served synthesis only: the workspace the action sees holds no links outside it.
  await fs.rm(path.join(ws, 'node_modules'));
}
