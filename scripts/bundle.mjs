// Bundle the action (dist/index.js) and the CLI (dist/cli.js → dist/cli/) with ncc, both as ESM.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const ncc = [
  'node_modules/@vercel/ncc/dist/ncc/cli.js',
  'build',
  '--minify',
  '--no-source-map-register',
  '--license',
  'licenses.txt',
  '--quiet',
];
fs.rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, [...ncc, 'src/index.ts', '-o', 'dist'], { stdio: 'inherit' });
// The CLI gets its own folder, so its lazily loaded chunks (the AWS SDKs) cannot collide with the
// action's; dist/cli.js is the small entry package.json's `bin` names.
execFileSync(process.execPath, [...ncc, 'src/cli.ts', '-o', 'dist/cli'], { stdio: 'inherit' });
fs.writeFileSync('dist/cli.js', "#!/usr/bin/env node\nimport './cli/index.js';\n", { mode: 0o755 });
// The offline policy checks read the IAM catalogue from this digest beside the bundles.
execFileSync(
  process.execPath,
  ['node_modules/tsx/dist/cli.mjs', 'scripts/iam-catalogue.ts', 'dist/iam-catalogue.json.br'],
  { stdio: 'inherit' },
);
