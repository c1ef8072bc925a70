import { describe, expect, it } from 'vitest';
import { LintCache, MAX_CACHE_BYTES } from '../../src/lint/cache.js';
import type { CfnLintResult } from '../../src/lint/findings.js';
import { lintCacheKeys } from '../../src/pipeline/edges.js';
import { workspace } from '../helpers/paths.js';

const RESULT: CfnLintResult = {
  Filename: '/tmp/x/a.yaml',
  Level: 'Error',
  Message: 'bad',
  Location: { Start: { LineNumber: 5, ColumnNumber: 7 }, Path: ['Resources', 'Q', 0] },
  Rule: { Id: 'E3002', ShortDescription: 'short' },
};
const ARGS = ['--format', 'json', '--regions', 'us-east-1'];
const KEY = 'a'.repeat(64);

describe('the cfn-lint cache', () => {
  it('keeps what cfn-lint said, without the file name or fields we do not read', async () => {
    const cwd = await workspace({});
    const cache = LintCache.parse(undefined, '1.51.0');
    const scope = cache.scope(ARGS, cwd)!;
    const key = scope.keyOf('Resources: {}\n', 'a.yaml')!;
    scope.set(key, [{ ...RESULT, Id: 'uuid', ParentId: null } as CfnLintResult]);
    expect(cache.changed).toBe(true);
    const again = LintCache.parse(cache.serialize(), '1.51.0');
    expect(again.dropped).toBe(0);
    expect(again.scope(ARGS, cwd)!.get(key)).toEqual([{ ...RESULT, Filename: null }]);
    expect(again.changed).toBe(false); // the same entries: nothing to save
    expect(LintCache.parse(cache.serialize(), '1.51.0').changed).toBe(true); // unused: dropped
  });

  it('keys on the text, its kind of file, the cfn-lint version, options and trusted config', async () => {
    const plain = await workspace({});
    const trusted = await workspace({ '.cfnlintrc': 'ignore_checks: [W2001]\n' });
    const key = (version: string, args: string[], cwd: string, text: string, file = 'a.yaml') =>
      LintCache.parse(undefined, version).scope(args, cwd)!.keyOf(text, file);
    const base = key('1.51.0', ARGS, plain, 'Resources: {}\n');
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(key('1.51.0', ARGS, plain, 'Resources: {}\n')).toBe(base);
    expect(
      new Set([
        base,
        key('1.52.0', ARGS, plain, 'Resources: {}\n'),
        key('1.51.0', [...ARGS.slice(0, 3), 'eu-west-1'], plain, 'Resources: {}\n'),
        key('1.51.0', ARGS, trusted, 'Resources: {}\n'),
        key('1.51.0', ARGS, plain, 'Resources: {}\n', 'a.json'),
        key('1.51.0', ARGS, plain, 'Resources:  {}\n'),
      ]).size,
    ).toBe(6);
    // Findings that depend on other files are never cached.
    expect(
      key('1.51.0', ARGS, plain, 'Resources:\n  N:\n    Type: AWS::CloudFormation::Stack\n'),
    ).toBeUndefined();
    const cache = LintCache.parse(undefined, '1.51.0');
    expect(cache.scope([...ARGS, '--append-rules', 'rules/'], plain)).toBeUndefined();
    expect(cache.scope([...ARGS, '-o', 'spec.json'], plain)).toBeUndefined();
    const rules = await workspace({ '.cfnlintrc': 'append_rules:\n  - rules/\n' });
    expect(cache.scope(ARGS, rules)).toBeUndefined();
  });

  it('reads a stored cache as hostile: anything malformed is dropped, never trusted', async () => {
    const cwd = await workspace({});
    const stored = (entries: Record<string, unknown>) =>
      LintCache.parse(JSON.stringify({ format: 1, entries }), '1.51.0');
    for (const text of ['not json', '[]', '{"format":2,"entries":{}}', '{"format":1}']) {
      const cache = LintCache.parse(text, '1.51.0');
      expect(cache.scope(ARGS, cwd)!.get(KEY)).toBeUndefined();
    }
    expect(LintCache.parse(' '.repeat(MAX_CACHE_BYTES + 1), '1.51.0').changed).toBe(false);
    const bad: unknown[] = [
      'x',
      [{ ...RESULT, Level: 'Fatal' }],
      [{ ...RESULT, Message: 42 }],
      [{ ...RESULT, Location: { Start: { LineNumber: -1, ColumnNumber: 1 } } }],
      [{ ...RESULT, Location: { Path: [{}] } }],
      [{ ...RESULT, Rule: { Id: ['E1'] } }],
      [{ ...RESULT, Message: 'm'.repeat(70_000) }],
      Array.from({ length: 5_001 }, () => RESULT),
    ];
    const cache = stored({
      ...Object.fromEntries(bad.map((b, i) => [String(i).padStart(64, '0'), b])),
      'not-a-key': [RESULT],
      [KEY]: [{ ...RESULT, __proto__: { polluted: true }, extra: '<script>' }],
    });
    expect(cache.dropped).toBe(bad.length + 1);
    const kept = cache.scope(ARGS, cwd)!.get(KEY)!;
    expect(kept).toEqual([{ ...RESULT, Filename: null }]);
    expect(Object.keys(kept[0]!).sort()).toEqual([
      'Filename',
      'Level',
      'Location',
      'Message',
      'Rule',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('Actions cache keys', () => {
  const env = { GITHUB_REF: 'refs/pull/7/merge', GITHUB_BASE_REF: 'main' };
  const prefix = `iac-action-cfn-lint-v1-${process.platform}-`;

  it('a pull request restores from its own ref, then its base branch, and saves to its own', () => {
    expect(lintCacheKeys({ ...env, GITHUB_EVENT_NAME: 'pull_request' })).toEqual({
      restore: [`${prefix}refs/pull/7/merge-`, `${prefix}refs/heads/main-`],
      savePrefix: `${prefix}refs/pull/7/merge-`,
    });
  });

  it('main restores and saves only its own; base-scoped runs over pull request files only restore', () => {
    expect(lintCacheKeys({ GITHUB_REF: 'refs/heads/main', GITHUB_EVENT_NAME: 'push' })).toEqual({
      restore: [`${prefix}refs/heads/main-`],
      savePrefix: `${prefix}refs/heads/main-`,
    });
    for (const event of ['pull_request_target', 'workflow_run'])
      expect(
        lintCacheKeys({ GITHUB_REF: 'refs/heads/main', GITHUB_EVENT_NAME: event })!.savePrefix,
      ).toBeUndefined();
    expect(lintCacheKeys({})).toBeUndefined();
  });
});
