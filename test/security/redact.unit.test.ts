import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileInside } from '../../src/model/files.js';
import { credentialValues, MASK, Redactor, visibleControls } from '../../src/model/redact.js';

describe('the redaction layer', () => {
  it('hides registered values everywhere in a report, longest first, and tells the runner once', () => {
    const announced: string[] = [];
    const redactor = new Redactor((v) => announced.push(v));
    redactor.add('hunter22', 'hunter22-long', 'abc', undefined, 'hunter22');
    redactor.addCredentials('AWS-SECRET-VALUE');
    expect(announced).toEqual(['hunter22', 'hunter22-long']);
    const report = {
      findings: [{ message: "'hunter22-long' does not match; also hunter22 and AWS-SECRET-VALUE" }],
      byFile: { 'a/hunter22.yaml': 1 },
      count: 3,
    };
    expect(redactor.deep(report)).toEqual({
      findings: [{ message: `'${MASK}' does not match; also ${MASK} and ${MASK}` }],
      byFile: { [`a/${MASK}.yaml`]: 1 },
      count: 3,
    });
    // Short values would garble every message and are no secrets worth the name.
    expect(redactor.text('abc')).toBe('abc');
  });

  it('strips credentials from AWS and GitHub error texts', () => {
    const redactor = new Redactor();
    const text = [
      'https://s3.amazonaws.com/b/k?X-Amz-Credential=AKIAABCDEFGHIJKLMNOP%2F20261201&X-Amz-Signature=0a1b2c3d&X-Amz-Security-Token=IQoJb3JpZ2luX2Vj',
      'Authorization: AWS4-HMAC-SHA256 Credential=AKIAABCDEFGHIJKLMNOP/20261201/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=deadbeef',
      'Bad credentials for ghs_16C7e42F292c6912E7710c838347Ae178B4a and Bearer abc.def-ghi',
      'token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm8vciJ9.c2lnbmF0dXJlLXZhbHVl in a message',
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG',
    ].join('\n');
    const out = redactor.text(text);
    for (const secret of [
      'AKIAABCDEFGHIJKLMNOP',
      '0a1b2c3d',
      'IQoJb3JpZ2luX2Vj',
      'deadbeef',
      'ghs_16C7e42F292c6912E7710c838347Ae178B4a',
      'abc.def-ghi',
      'eyJzdWIiOiJyZXBvOm8vciJ9',
      'wJalrXUtnFEMI',
    ])
      expect(out, secret).not.toContain(secret);
    expect(out).toContain('X-Amz-Signature=****');
  });

  it('knows the job credentials by their variable names, not every variable', () => {
    expect(
      credentialValues({
        AWS_SECRET_ACCESS_KEY: 's1',
        AWS_SESSION_TOKEN: 's2',
        'INPUT_GITHUB-TOKEN': 's3',
        DB_PASSWORD: 's4',
        PATH: '/usr/bin',
        AWS_REGION: 'eu-west-1',
      }).sort(),
    ).toEqual(['s1', 's2', 's3', 's4']);
  });

  it('makes bidi, zero-width and control characters visible, keeping tabs and newlines', () => {
    expect(visibleControls('a\u202Eb\u200Bc\u2066d\x1b[31me\tf\ng\r')).toBe(
      'a\\u202Eb\\u200Bc\\u2066d\\u001B[31me\tf\ng\\u000D',
    );
  });
});

describe('writing a file inside the allowed folders', () => {
  it('writes new files and folders, refuses links, sibling prefixes, hard links and paths outside', async () => {
    const root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'iac-write-')));
    const ws = path.join(root, 'ws');
    const elsewhere = path.join(root, 'elsewhere');
    await fs.mkdir(ws);
    await fs.mkdir(elsewhere);
    await fs.writeFile(path.join(elsewhere, 'target'), 'keep');
    await fs.symlink(path.join(elsewhere, 'target'), path.join(ws, 'link.txt'));
    await fs.symlink(elsewhere, path.join(ws, 'dir'));
    await fs.link(path.join(elsewhere, 'target'), path.join(ws, 'hard.txt'));
    await fs.mkdir(path.join(root, 'ws-other'));

    await writeFileInside(path.join(ws, 'a/b/report.json'), '{}', [ws], 'the report');
    expect(await fs.readFile(path.join(ws, 'a/b/report.json'), 'utf8')).toBe('{}');
    await writeFileInside(path.join(ws, 'a/b/report.json'), '{"again":1}', [ws], 'the report');
    expect(await fs.readFile(path.join(ws, 'a/b/report.json'), 'utf8')).toBe('{"again":1}');

    const refusals: [string, RegExp][] = [
      ['link.txt', /symbolic link/],
      ['dir/x.txt', /leads to .*elsewhere, outside/],
      ['dir/new/x.txt', /leads to .*elsewhere, outside/],
      ['hard.txt', /hard link/],
      ['../ws-other/x.txt', /outside the folders/],
      ['../elsewhere/target', /outside the folders/],
    ];
    for (const [file, why] of refusals) {
      await expect(
        writeFileInside(path.join(ws, file), 'pwned', [ws], 'the report'),
        file,
      ).rejects.toThrow(why);
    }
    expect(await fs.readFile(path.join(elsewhere, 'target'), 'utf8')).toBe('keep');
    expect(await fs.readdir(elsewhere)).toEqual(['target']);
    await fs.rm(root, { recursive: true, force: true });
  });
});
