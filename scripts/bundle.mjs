// Bundle the action (dist/index.js) and the CLI (dist/cli.js) with ncc, both as ESM.
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
execFileSync(process.execPath, [...ncc, 'src/cli.ts', '-o', 'dist/.cli'], { stdio: 'inherit' });
const chunks = fs.readdirSync('dist/.cli').filter((f) => f !== 'index.js' && f.endsWith('.js'));
if (chunks.length)
  throw new Error(`the CLI bundle grew chunks (${chunks.join(', ')}); keep it one file`);
fs.renameSync('dist/.cli/index.js', 'dist/cli.js');
fs.rmSync('dist/.cli', { recursive: true });
fs.chmodSync('dist/cli.js', 0o755);
// The offline policy checks read the IAM catalogue from this digest beside the bundles.
execFileSync(
  process.execPath,
  ['node_modules/tsx/dist/cli.mjs', 'scripts/iam-catalogue.ts', 'dist/iam-catalogue.json.br'],
  { stdio: 'inherit' },
);
