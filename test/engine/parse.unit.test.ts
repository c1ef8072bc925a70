import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { at, intrinsicName, isMap, toPlain } from '../../src/model/template.js';
import { parseTemplate, type ParsedTemplate } from '../../src/parse/template.js';
import { FIXTURES } from '../helpers/paths.js';

function parsed(text: string): ParsedTemplate {
  const result = parseTemplate(text, 'templates/t.yaml');
  if (!result.ok) throw new Error(`expected a template: ${result.finding.message}`);
  return result.template;
}

describe('parser positions', () => {
  const yaml = [
    'AWSTemplateFormatVersion: "2010-09-09"', // 1
    'Resources:', // 2
    '  Bucket:', // 3
    '    Type: AWS::S3::Bucket', // 4
    '    Properties:', // 5
    '      BucketName: !Sub "${AWS::StackName}-data"', // 6
    '      Tags:', // 7
    '        - Key: arn', // 8
    '          Value: !GetAtt Role.Arn', // 9
    '  Role:', // 10
    '    Type: AWS::IAM::Role', // 11
    '    Condition: IsProd', // 12
    '    Properties:', // 13
    '      Path: !If [IsProd, /prod/, !Ref AWS::NoValue]', // 14
  ].join('\n');

  it('gives every key and value its exact line and column', () => {
    const t = parsed(yaml);
    const bucket = t.root.entries.find((e) => e.key === 'Resources')!.value;
    expect(isMap(bucket) && bucket.entries[0]!.keyStart).toEqual({ line: 3, column: 3 });
    expect(at(t.root, 'Resources', 'Bucket', 'Type')!.start).toEqual({ line: 4, column: 11 });
    expect(at(t.root, 'Resources', 'Bucket', 'Properties', 'Tags', 0, 'Value')!.start.line).toBe(9);
    expect(at(t.root, 'Resources', 'Role', 'Condition')!.start).toEqual({ line: 12, column: 16 });
  });

  it('turns short-form tags into the long form', () => {
    const t = parsed(yaml);
    const name = at(t.root, 'Resources', 'Bucket', 'Properties', 'BucketName');
    expect(intrinsicName(name)).toBe('Fn::Sub');
    expect(toPlain(name!)).toEqual({ 'Fn::Sub': '${AWS::StackName}-data' });
    expect(toPlain(at(t.root, 'Resources', 'Bucket', 'Properties', 'Tags', 0, 'Value')!)).toEqual({
      'Fn::GetAtt': ['Role', 'Arn'],
    });
    expect(toPlain(at(t.root, 'Resources', 'Role', 'Properties', 'Path')!)).toEqual({
      'Fn::If': ['IsProd', '/prod/', { Ref: 'AWS::NoValue' }],
    });
  });

  it('keeps the long form and nested attribute names as they are', () => {
    const t = parsed(
      'Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      X: {"Fn::GetAtt": [Db, Endpoint.Address]}\n      Y: !GetAtt Db.Endpoint.Address\n',
    );
    expect(toPlain(at(t.root, 'Resources', 'A', 'Properties', 'X')!)).toEqual({
      'Fn::GetAtt': ['Db', 'Endpoint.Address'],
    });
    expect(toPlain(at(t.root, 'Resources', 'A', 'Properties', 'Y')!)).toEqual({
      'Fn::GetAtt': ['Db', 'Endpoint.Address'],
    });
  });

  it('parses JSON with positions', async () => {
    const text = await fs.readFile(path.join(FIXTURES, 'valid/queue.json'), 'utf8');
    const result = parseTemplate(text, 'queue.json');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.template.format).toBe('json');
    expect(at(result.template.root, 'Resources', 'Queue', 'Type')!.start).toEqual({
      line: 5,
      column: 15,
    });
    expect(toPlain(at(result.template.root, 'Outputs', 'QueueUrl', 'Value')!)).toEqual({
      Ref: 'Queue',
    });
  });
});

describe('malformed input gives one finding that names the line', () => {
  const cases: [string, string, number, RegExp][] = [
    ['tabs.yaml', 'P1000', 3, /Tabs are not allowed/],
    ['duplicate-keys.yaml', 'P1005', 4, /Duplicate key/],
    ['syntax.yaml', 'P1000', 4, /YAML syntax error/],
    ['empty.yaml', 'P1003', 1, /empty/],
    ['binary.yaml', 'P1002', 1, /binary|UTF-8/],
    ['not-a-template.yaml', 'P1006', 1, /no Resources section/],
    ['broken.json', 'P1000', 3, /JSON syntax error/],
    ['alias-bomb.yaml', 'P1004', 0, /aliases/],
    ['deep.yaml', 'P1004', 4, /Nesting deeper than 100/],
  ];
  it.each(cases)('%s', async (name, ruleId, line, message) => {
    const bytes = await fs.readFile(path.join(FIXTURES, 'malformed', name));
    const result = parseTemplate(bytes, `templates/${name}`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.finding).toMatchObject({
      source: 'parser',
      ruleId,
      severity: 'error',
      file: `templates/${name}`,
    });
    expect(result.finding.message).toMatch(message);
    if (line) expect(result.finding.line).toBe(line);
    else expect(result.finding.line).toBeGreaterThan(0);
  });

  it('points JSON syntax errors at their own line and column', () => {
    const at = (text: string) => {
      const result = parseTemplate(text, 'a.json');
      return result.ok
        ? 'parsed'
        : [result.finding.line, result.finding.column, result.finding.message];
    };
    expect(at('{\n "Resources": {\n  "A": {"Type": \'x\'}}}')).toEqual([
      3,
      17,
      'JSON syntax error: invalid character (strings need double quotes).',
    ]);
    expect(at('{\n "Resources": {\n  "A": {"Type": "x",}\n }\n}')).toEqual([
      3,
      21,
      'JSON syntax error: property name expected (in double quotes).',
    ]);
    expect(at('{\n "Resources": {}, // note\n "X": 1\n}')).toEqual([
      2,
      19,
      'JSON syntax error: comments are not allowed in JSON.',
    ]);
  });

  it.each([
    ['UTF-16LE', [0xff, 0xfe], 'utf16le'],
    ['UTF-16BE', [0xfe, 0xff], 'utf16le'],
    ['UTF-32LE', [0xff, 0xfe, 0, 0], 'utf16le'],
  ] as const)('names a %s file by its byte order mark', (encoding, mark, body) => {
    const bytes = Buffer.concat([Buffer.from(mark), Buffer.from('Resources: {}\n', body)]);
    const result = parseTemplate(bytes, 'wide.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.finding.ruleId).toBe('P1002');
    expect(result.finding.message).toContain(`File is ${encoding} text`);
  });

  it('refuses files over 1 MiB without parsing them', () => {
    const big = `Resources:\n  A:\n    Type: AWS::SNS::Topic\n# ${'x'.repeat(1_100_000)}\n`;
    const result = parseTemplate(big, 'big.yaml');
    expect(!result.ok && result.finding.ruleId).toBe('P1001');
  });

  it('refuses a list nested per dash on one line and deep block nesting', () => {
    const dashes = `Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Metadata:\n      ${'- '.repeat(3000)}x\n`;
    expect(parseTemplate(dashes, 'a.yaml')).toMatchObject({
      ok: false,
      finding: { ruleId: 'P1004', line: 5 },
    });
    let block = 'Resources:\n';
    for (let i = 1; i < 200; i++) block += `${' '.repeat(i)}k${i}:\n`;
    expect(parseTemplate(block, 'b.yaml')).toMatchObject({
      ok: false,
      finding: { ruleId: 'P1004' },
    });
  });

  it('refuses more resources than CloudFormation allows in one template, at the Resources key', () => {
    const topics = (n: number) =>
      Array.from({ length: n }, (_, i) => `  T${i}:\n    Type: AWS::SNS::Topic\n`).join('');
    expect(parseTemplate(`Description: d\nResources:\n${topics(500)}`, 'a.yaml').ok).toBe(true);
    const json = JSON.stringify({
      Resources: Object.fromEntries(
        Array.from({ length: 501 }, (_, i) => [`T${i}`, { Type: 'AWS::SNS::Topic' }]),
      ),
    });
    for (const [text, line] of [
      [`Description: d\nResources:\n${topics(501)}`, 2],
      [json, 1],
    ] as const) {
      const result = parseTemplate(text, 'many.yaml');
      expect(result).toMatchObject({ ok: false, finding: { ruleId: 'P1009', line } });
      expect(!result.ok && result.finding.message).toMatch(/declares 501 resources.*at most 500/);
    }
  });

  it('does not mistake brackets inside quotes or comments for nesting', () => {
    const text = `Resources:\n  A:\n    Type: AWS::SNS::Topic # ${'['.repeat(500)}\n    Properties:\n      DisplayName: "${'{'.repeat(500)}"\n`;
    expect(parseTemplate(text, 'q.yaml').ok).toBe(true);
  });

  it('a self-referencing alias is refused, not followed forever', () => {
    const text = 'Resources:\n  A: &a\n    Type: AWS::SNS::Topic\n    Metadata:\n      Self: *a\n';
    const result = parseTemplate(text, 'self.yaml');
    expect(result.ok).toBe(false);
  });
});

describe('unknown tags, as cfn-lint reads them', () => {
  it('keeps each as an opaque Fn:: value and names every tag once, where it first appears', () => {
    const text = [
      'Resources:',
      '  Bucket:',
      '    Type: AWS::S3::Bucket',
      '    Properties:',
      '      BucketName: !ValueOf [Name, Value]',
      '      Tags: !Rain::Embed tags.yaml',
      '  Other:',
      '    Type: AWS::S3::Bucket',
      '    Properties: { BucketName: !ValueOf [Other, Value] }',
      '',
    ].join('\n');
    const result = parseTemplate(text, 'tags.yaml');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(toPlain(result.template.root)).toMatchObject({
      Resources: {
        Bucket: {
          Properties: {
            BucketName: { 'Fn::ValueOf': ['Name', 'Value'] },
            Tags: { 'Fn::Rain::Embed': 'tags.yaml' },
          },
        },
      },
    });
    expect(result.warnings.map((w) => [w.ruleId, w.severity, w.line, w.message])).toEqual([
      [
        'P1008',
        'warning',
        5,
        expect.stringMatching(/^Unknown tag !ValueOf: kept as .*Fn::ValueOf/),
      ],
      ['P1008', 'warning', 6, expect.stringMatching(/^Unknown tag !Rain::Embed/)],
    ]);
  });
});
