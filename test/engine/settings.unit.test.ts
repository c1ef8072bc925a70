import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  INPUT_DEFAULTS,
  readSettings,
  splitArgs,
  type InputName,
} from '../../src/model/settings.js';
import { TOOL_VERSION } from '../../src/model/version.js';
import { ROOT } from '../helpers/paths.js';

const settings = (
  inputs: Partial<Record<InputName, string>>,
  env: NodeJS.ProcessEnv = {},
  eventName?: string,
) =>
  readSettings((name) => inputs[name], {
    env,
    workspace: '/work/ws',
    ...(eventName ? { eventName } : {}),
  });

describe('settings', () => {
  it('action.yml declares exactly the inputs the code reads, with the same defaults', async () => {
    const action = parse(await fs.readFile(path.join(ROOT, 'action.yml'), 'utf8'));
    expect(action.runs.using).toBe('node24');
    const declared = Object.fromEntries(
      Object.entries(action.inputs as Record<string, { default: string; description: string }>).map(
        ([k, v]) => [k, v.default],
      ),
    );
    expect(Object.keys(declared).sort()).toEqual(Object.keys(INPUT_DEFAULTS).sort());
    for (const [name, value] of Object.entries(INPUT_DEFAULTS)) {
      expect(declared[name], name).toBe(name === 'github-token' ? '${{ github.token }}' : value);
    }
    for (const input of Object.values(action.inputs as Record<string, { description: string }>))
      expect(input.description.length).toBeGreaterThan(20);
  });

  it('the README documents every input and output', async () => {
    const readme = await fs.readFile(path.join(ROOT, 'README.md'), 'utf8');
    const action = parse(await fs.readFile(path.join(ROOT, 'action.yml'), 'utf8'));
    for (const name of [...Object.keys(action.inputs), ...Object.keys(action.outputs)])
      expect(readme, name).toContain(`\`${name}\``);
  });

  it('the tool version matches package.json', async () => {
    const pkg = JSON.parse(await fs.readFile(path.join(ROOT, 'package.json'), 'utf8'));
    expect(TOOL_VERSION).toBe(pkg.version);
  });

  it('uses the defaults when nothing is given', () => {
    const s = settings({});
    expect(s).toMatchObject({
      mode: 'validate',
      templates: ['templates/'],
      failOn: 'error',
      workspace: '/work/ws',
    });
    expect(s.lint).toEqual({
      version: '1.51.0',
      extraArgs: [],
      timeoutSeconds: 30,
      trustRepoConfig: false,
      cache: true,
    });
    expect(s.aws).toMatchObject({
      region: 'us-east-1',
      accountId: '123456789012',
      partition: 'aws',
      hasCredentials: false,
    });
    expect(s.policies.validation).toBe('offline');
    expect(s.policies.autoReason).toMatch(/No AWS credentials/);
  });

  it('auto mode plans on pull requests, without AWS when credentials are missing', () => {
    const creds = { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b', AWS_REGION: 'eu-west-1' };
    expect(settings({}, creds, 'pull_request')).toMatchObject({
      mode: 'plan',
      aws: { region: 'eu-west-1', hasCredentials: true },
      policies: { validation: 'access-analyzer' },
      deploy: { offline: false, baseRef: '' },
    });
    expect(settings({}, {}, 'pull_request')).toMatchObject({
      mode: 'plan',
      deploy: { offline: true },
    });
    expect(settings({ 'base-ref': 'origin/main' }, {}, 'push').deploy.baseRef).toBe('origin/main');
    expect(() => settings({ 'base-ref': '--output=/tmp/x' }, {})).toThrow(
      /Input "base-ref" is "--output=\/tmp\/x", which is not a git branch/,
    );
    expect(settings({}, creds, 'push').mode).toBe('validate');
  });

  it('asks for change-set-name in mode execute before anything runs', () => {
    expect(() => settings({ mode: 'execute' }, {})).toThrow(
      /Mode execute needs input "change-set-name"/,
    );
    expect(settings({ mode: 'execute', 'change-set-name': 'cs' }, {}).deploy.changeSetName).toBe(
      'cs',
    );
  });

  it('refuses deploy and execute on pull request events', () => {
    expect(() => settings({ mode: 'deploy' }, {}, 'pull_request')).toThrow(
      /refused on pull_request events/,
    );
    expect(() => settings({ mode: 'execute' }, {}, 'pull_request_target')).toThrow(/never deploys/);
    expect(settings({ mode: 'deploy' }, {}, 'workflow_dispatch').mode).toBe('deploy');
  });

  it('names the input and the allowed values when one is wrong', () => {
    expect(() => settings({ mode: 'yolo' })).toThrow(
      'Input "mode" is "yolo", which is not one of: auto, validate, plan, deploy, execute.',
    );
    expect(() => settings({ 'policy-concurrency': '0' })).toThrow(
      /"policy-concurrency" is "0", but it must be a whole number from 1 to 64/,
    );
    expect(() => settings({ 'timeout-minutes': '1.5' })).toThrow(/timeout-minutes/);
    expect(() => settings({ 'cfn-lint-version': 'latest' })).toThrow(/exact release/);
    expect(() => settings({ 'aws-account-id': '12345' })).toThrow(/12 digits/);
    expect(() => settings({ 'endpoint-url': 'ftp://x' })).toThrow(/http\(s\) URL/);
    expect(() => settings({ 'trust-repo-config': 'yes' })).toThrow(/"trust-repo-config" is "yes"/);
  });

  it('reads lists and quoted extra arguments', () => {
    const s = settings({
      templates: 'a.yaml\n\n  b/**/*.yaml  \n',
      'ignore-findings': 'A, B\nC',
      'cfn-lint-args': `--include-checks I --configure-rule "E3012:strict=true" 'x y'`,
    });
    expect(s.templates).toEqual(['a.yaml', 'b/**/*.yaml']);
    expect(s.policies.ignore).toEqual(['A', 'B', 'C']);
    expect(s.lint.extraArgs).toEqual([
      '--include-checks',
      'I',
      '--configure-rule',
      'E3012:strict=true',
      'x y',
    ]);
    expect(splitArgs('')).toEqual([]);
  });
});
