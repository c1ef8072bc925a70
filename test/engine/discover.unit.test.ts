import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/model/errors.js';
import { loadEnvironment } from '../../src/discover/environment.js';
import { findTemplates } from '../../src/discover/find.js';
import { workspace } from '../helpers/paths.js';

const TOPIC = 'Resources:\n  T:\n    Type: AWS::SNS::Topic\n';

describe('findTemplates', () => {
  it('expands folders, files and globs once each, in a stable order, skipping non-templates', async () => {
    const ws = await workspace({
      'templates/b.yaml': TOPIC,
      'templates/a.json': '{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}',
      'templates/nested/c.yml': TOPIC,
      'templates/params.json': '[{"ParameterKey": "A", "ParameterValue": "b"}]',
      'templates/README.md': '# not a template',
      'templates/node_modules/x.yaml': TOPIC,
      'other/d.template': TOPIC,
    });
    const found = await findTemplates(ws, ['templates/', 'other/*.template', 'templates/b.yaml']);
    expect(found.map((t) => t.file)).toEqual([
      'templates/a.json',
      'templates/b.yaml',
      'templates/nested/c.yml',
      'other/d.template',
    ]);
    expect(found.every((t) => t.origin === 'file')).toBe(true);
  });

  it('refuses paths that resolve outside the workspace, also through links', async () => {
    const ws = await workspace({ 'templates/a.yaml': TOPIC });
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'outside-'));
    await fs.writeFile(path.join(outside, 'secret.yaml'), TOPIC);
    await fs.symlink(outside, path.join(ws, 'linked'));
    await expect(findTemplates(ws, ['../x.yaml'])).rejects.toThrow(/outside the workspace/);
    await expect(findTemplates(ws, ['/etc/passwd'])).rejects.toThrow(/outside the workspace/);
    await expect(findTemplates(ws, ['linked/secret.yaml'])).rejects.toThrow(
      /outside the workspace/,
    );
    await expect(findTemplates(ws, ['../**/*.yaml'])).rejects.toThrow(/outside the workspace/);
  });

  it('accepts names starting with "..", finds UTF-16 files, and takes a linked file once', async () => {
    const ws = await workspace({
      '..templates/a.yaml': TOPIC,
      'templates/wide.yaml': '',
      'templates/real/b.yaml': TOPIC,
    });
    await fs.writeFile(
      path.join(ws, 'templates/wide.yaml'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TOPIC, 'utf16le')]),
    );
    await fs.symlink(path.join(ws, 'templates/real'), path.join(ws, 'templates/linked'));
    expect((await findTemplates(ws, ['..templates/'])).map((t) => t.file)).toEqual([
      '..templates/a.yaml',
    ]);
    expect((await findTemplates(ws, ['..templates/*.yaml'])).map((t) => t.file)).toEqual([
      '..templates/a.yaml',
    ]);
    const found = await findTemplates(ws, ['templates/']);
    expect(found.map((t) => t.file)).toEqual(['templates/linked/b.yaml', 'templates/wide.yaml']);
  });

  it('in a folder scan, refuses a link out of the workspace on its own path and counts skips', async () => {
    const ws = await workspace({
      'templates/a.yaml': TOPIC,
      'templates/params.json': '[{"ParameterKey": "A"}]',
    });
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'outside-'));
    await fs.writeFile(path.join(outside, 'secret.yaml'), TOPIC);
    await fs.symlink(path.join(outside, 'secret.yaml'), path.join(ws, 'templates/secret.yaml'));
    const skipped: string[] = [];
    const found = await findTemplates(ws, ['templates'], (file) => skipped.push(file));
    expect(found.map((t) => [t.file, t.refused ?? 'ok'])).toEqual([
      ['templates/a.yaml', 'ok'],
      ['templates/secret.yaml', expect.stringMatching(/is a link to .*outside the workspace/)],
    ]);
    expect(skipped).toEqual(['templates/params.json']);
  });

  it('names a path or pattern that matches nothing', async () => {
    const ws = await workspace({ 'templates/a.yaml': TOPIC });
    await expect(findTemplates(ws, ['missing.yaml'])).rejects.toThrow(
      /"missing.yaml" does not exist/,
    );
    await expect(findTemplates(ws, ['**/*.njk'])).rejects.toThrow(
      /matched no CloudFormation templates/,
    );
    await expect(findTemplates(ws, [])).rejects.toBeInstanceOf(UserError);
  });

  it('reads each stack template from a CDK cloud assembly', async () => {
    const ws = await workspace({ 'cdk.out': { copy: 'cdk/cdk.out' } });
    const found = await findTemplates(ws, ['cdk.out']);
    expect(found).toEqual([
      expect.objectContaining({
        file: 'cdk.out/AppStack.template.json',
        origin: 'cdk',
        stackName: 'AppStack',
      }),
    ]);
  });

  it('explains a broken cloud assembly', async () => {
    const ws = await workspace({
      'cdk.out/manifest.json':
        '{"version": "55.0.0", "artifacts": {"S": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "gone.json"}}}}',
    });
    await expect(findTemplates(ws, ['cdk.out'])).rejects.toThrow(
      /names gone.json, which does not exist/,
    );
    await fs.writeFile(path.join(ws, 'cdk.out/manifest.json'), '{oops');
    await expect(findTemplates(ws, ['cdk.out'])).rejects.toThrow(
      /manifest.json: cannot be read as a CDK cloud assembly \(.*JSON/,
    );
  });
});

describe('environments', () => {
  it('loads an environment by name and by path', async () => {
    const ws = await workspace({
      environments: { copy: 'rendered/environments' },
      'envs/x.yml': 'parameters:\n  Size: 3\n  Zones: [a, b]\n',
    });
    const dev = await loadEnvironment(ws, 'dev');
    expect(dev).toMatchObject({
      name: 'dev',
      file: 'environments/dev.yaml',
      variables: { zones: ['raw', 'curated'] },
      parameters: { Environment: 'dev' },
    });
    const byPath = await loadEnvironment(ws, 'envs/x.yml');
    expect(byPath).toMatchObject({ name: 'x', parameters: { Size: '3', Zones: 'a,b' } });
    expect(await loadEnvironment(ws, '')).toBeUndefined();
    await expect(loadEnvironment(ws, 'staging')).rejects.toThrow(
      /Environment "staging" was not found: looked for environments\/staging.yaml/,
    );
  });

  it('reports a malformed environment file by name', async () => {
    const ws = await workspace({
      'environments/bad.yaml': 'parameters: [1, 2\n',
      'environments/list.yaml': '- a\n',
    });
    await expect(loadEnvironment(ws, 'bad')).rejects.toThrow(
      /environments\/bad.yaml: not valid YAML/,
    );
    await expect(loadEnvironment(ws, 'list')).rejects.toThrow(/must be a mapping/);
  });
});
