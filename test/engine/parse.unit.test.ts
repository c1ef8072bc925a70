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
    ['unknown-tag.yaml', 'P1000', 5, /Unknown tag: !Reff/],
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
