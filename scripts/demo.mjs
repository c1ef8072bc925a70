/* global fetch */
// The whole flow with no AWS account: start moto on a free 127.0.0.1 port, then run the built CLI
// over examples/demo: validate, plan, deploy, and plan again (no changes). Writes the reports to
// out/ and stops moto at the end.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const demo = path.join(root, 'examples/demo');
// The CLI writes only inside its working folder, so the reports land beside the demo.
const out = path.join(demo, 'out');
const cli = path.join(root, 'dist/cli.js');
if (!fs.existsSync(cli)) {
  console.error('dist/cli.js is missing: run `npm run bundle` first.');
  process.exit(2);
}

const port = await new Promise((resolve, reject) => {
  const server = net.createServer().once('error', reject);
  server.listen(0, '127.0.0.1', () => {
    const { port: p } = server.address();
    server.close(() => resolve(p));
  });
});
const endpoint = `http://127.0.0.1:${port}`;
const moto = spawn(
  'python3',
  [path.join(root, 'scripts/moto_server.py'), '-H', '127.0.0.1', '-p', String(port)],
  {
    stdio: 'ignore',
  },
);
const stop = () => moto.exitCode === null && moto.kill();
process.on('exit', stop);

try {
  for (let i = 0; ; i++) {
    try {
      await fetch(`${endpoint}/moto-api/`);
      break;
    } catch {
      if (i > 200 || moto.exitCode !== null)
        throw new Error('moto server did not start (pip install "moto[server]")');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  console.log(`moto server on ${endpoint}\n`);
  fs.mkdirSync(out, { recursive: true });
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
  };
  const common = [
    '--environment',
    'demo',
    '--endpoint-url',
    endpoint,
    '--policy-validation',
    'offline',
  ];
  // What the action would post as the pull request comment (plan) and write as job summaries.
  const steps = [
    ['validate', '--summary', 'validate.md'],
    ['plan', '--markdown', 'comment.md'],
    ['deploy', '--summary', 'deploy.md'],
    ['plan', '--summary', 'replan.md'],
  ];
  for (const [command, option, file] of steps) {
    console.log(`$ iac-action ${command} --environment demo`);
    const result = spawnSync(
      process.execPath,
      [cli, command, ...common, option, path.join(out, file)],
      {
        cwd: demo,
        env,
        stdio: 'inherit',
      },
    );
    if (result.status !== 0) throw new Error(`iac-action ${command} exited with ${result.status}`);
    console.log('');
  }
  // The job summary shows the deploy and the re-plan that proves nothing is left to change.
  fs.writeFileSync(
    path.join(out, 'summary.md'),
    `${fs.readFileSync(path.join(out, 'deploy.md'), 'utf8')}\n---\n\n${fs.readFileSync(path.join(out, 'replan.md'), 'utf8')}`,
  );
  console.log(
    `Reports: ${path.relative(process.cwd(), out)}/comment.md (plan), summary.md (deploy and re-plan).`,
  );
} finally {
  stop();
}
