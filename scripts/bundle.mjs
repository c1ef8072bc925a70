// Bundle the action and the CLI with ncc into one ESM bundle (dist/lib/) with two thin entries.
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
execFileSync(process.execPath, [...ncc, 'src/entries.ts', '-o', 'dist/lib'], { stdio: 'inherit' });
// The nunjucks renderer runs in a process of its own that may read only its own folder.
execFileSync(process.execPath, [...ncc, 'src/discover/render-worker.ts', '-o', 'dist/render'], {
  stdio: 'inherit',
});
// dist/index.js (action.yml's main) and dist/cli.js (package.json's bin) are src/index.ts and
// src/cli.ts themselves, importing from the shared bundle instead of the sources.
fs.writeFileSync('dist/package.json', '{"type":"module"}\n');
for (const [source, target, from] of [
  ['src/index.ts', 'dist/index.js', './entry/action.js'],
  ['src/cli.ts', 'dist/cli.js', './entry/cli.js'],
]) {
  const text = fs.readFileSync(source, 'utf8');
  if (!text.includes(`from '${from}';`)) throw new Error(`${source} no longer imports ${from}`);
  fs.writeFileSync(target, text.replace(`from '${from}';`, "from './lib/index.js';"), {
    mode: 0o755,
  });
}
// The offline policy checks read the IAM catalogue from this digest beside the bundle.
execFileSync(
  process.execPath,
  ['node_modules/tsx/dist/cli.mjs', 'scripts/iam-catalogue.ts', 'dist/lib/iam-catalogue.json.br'],
  { stdio: 'inherit' },
);
// Offline runs check the AWS managed policies principals attach by ARN against this copy.
execFileSync(
  process.execPath,
  [
    'node_modules/tsx/dist/cli.mjs',
    'scripts/aws-managed-policies.ts',
    'dist/lib/aws-managed-policies.json.br',
  ],
  { stdio: 'inherit' },
);
// The cfn-lint server (src/lint/server.ts) is a Python script run from beside the bundle.
fs.copyFileSync('src/lint/cfnlint_server.py', 'dist/lib/cfnlint_server.py');
// Guard packs are read at run time from beside the bundle (src/guard/pack.ts), not bundled as code.
fs.cpSync(
  'node_modules/@cdklabs/cdk-validator-cfnguard/rules/control-tower',
  'dist/lib/guard-packs/control-tower',
  { recursive: true },
);
