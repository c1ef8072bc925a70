import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUARD_VERSION, locateCfnGuard } from '../../src/guard/install.js';
import { silentLogger } from '../../src/model/logger.js';

const packageRoot = path.dirname(
  createRequire(import.meta.url).resolve('@cdklabs/cdk-validator-cfnguard/package.json'),
);
const noneOnPath = async () => undefined;
const env = { PATH: process.env.PATH };

let server: http.Server;
let base: string;
let tarball: Buffer;

beforeAll(async () => {
  // A package tarball in npm's layout holding only the linux x64 binary, served like a registry.
  const staging = await fs.mkdtemp(path.join(os.tmpdir(), 'guard-pkg-'));
  await fs.mkdir(path.join(staging, 'package/bin/ubuntu/x86_64'), { recursive: true });
  await fs.copyFile(
    path.join(packageRoot, 'bin/ubuntu/x86_64/cfn-guard'),
    path.join(staging, 'package/bin/ubuntu/x86_64/cfn-guard'),
  );
  execFileSync('tar', ['-czf', path.join(staging, 'p.tgz'), '-C', staging, 'package']);
  tarball = await fs.readFile(path.join(staging, 'p.tgz'));
  server = http.createServer((req, res) => {
    if (req.url === '/p.tgz') res.end(tarball);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('locateCfnGuard', () => {
  it('copies the package’s binary for the platform into the tool cache and reuses it', async () => {
    const toolCache = await fs.mkdtemp(path.join(os.tmpdir(), 'tool-cache-'));
    const options = { env, log: silentLogger, which: noneOnPath, toolCache, platform: 'linux-x64' };
    const executable = await locateCfnGuard(options);
    expect(executable).toBe(
      path.join(toolCache, 'cfn-guard', GUARD_VERSION, 'linux-x64', 'cfn-guard'),
    );
    expect(execFileSync(executable, ['--version']).toString()).toContain(
      `cfn-guard ${GUARD_VERSION}`,
    );
    await fs.writeFile(executable, 'tampered');
    // A cached file that is not the pinned binary is replaced, never run.
    await locateCfnGuard(options);
    expect(
      createHash('sha256')
        .update(await fs.readFile(executable))
        .digest('hex'),
    ).toMatch(/^9c7a8203/);
  });

  it('downloads the package when it is not installed, checking the tarball and the binary', async () => {
    const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
    const toolCache = await fs.mkdtemp(path.join(os.tmpdir(), 'tool-cache-'));
    const options = {
      env,
      log: silentLogger,
      which: noneOnPath,
      toolCache,
      platform: 'linux-x64',
      installedPackage: null,
    };
    await expect(
      locateCfnGuard({ ...options, tarball: { url: `${base}/p.tgz`, integrity: 'sha512-AAAA' } }),
    ).rejects.toThrow(/integrity does not match/);
    await expect(
      locateCfnGuard({ ...options, tarball: { url: `${base}/missing.tgz`, integrity } }),
    ).rejects.toThrow(/HTTP 404/);
    const executable = await locateCfnGuard({
      ...options,
      tarball: { url: `${base}/p.tgz`, integrity },
    });
    expect(execFileSync(executable, ['--version']).toString()).toContain(
      `cfn-guard ${GUARD_VERSION}`,
    );
    expect(await fs.readdir(path.dirname(executable))).toEqual(['cfn-guard']);
  });

  it('says how to get cfn-guard when it is neither on PATH nor installed', async () => {
    await expect(
      locateCfnGuard({ env, log: silentLogger, which: noneOnPath, installedPackage: null }),
    ).rejects.toThrow(/not on PATH/);
  });
});
