import { describe, expect, it } from 'vitest';
import { mapRenderedLines } from '../../src/discover/linemap.js';
import { renderTemplate } from '../../src/discover/render.js';

const SOURCE = [
  'Resources:', // 1
  '{% for zone in zones %}', // 2
  '  {{ zone | capitalize }}Bucket:', // 3
  '    Type: AWS::S3::Bucket', // 4
  '    Properties:', // 5
  '      BucketName: lake-{{ zone }}', // 6
  '{% endfor %}', // 7
  '  Topic:', // 8
  '    Type: AWS::SNS::Topic', // 9
  '', // 10
].join('\n');

describe('mapping rendered lines back to the template', () => {
  it('follows loops and substitutions', async () => {
    const rendered = await renderTemplate(SOURCE, 't.njk', {
      workspace: '/tmp',
      trusted: false,
      environment: {
        name: 'dev',
        file: 'e',
        variables: { zones: ['raw', 'curated'] },
        parameters: {},
        stacks: {},
      },
    });
    if (!rendered.ok) throw new Error(rendered.finding.message);
    const lines = rendered.text.split('\n');
    expect(lines).toContain('  CuratedBucket:');
    const map = mapRenderedLines(SOURCE, rendered.text);
    const sourceOf = (text: string, nth = 0) =>
      map.line(
        lines.findIndex(
          (l, i) => l === text && lines.slice(0, i).filter((x) => x === text).length === nth,
        ) + 1,
      );
    expect(sourceOf('  RawBucket:')).toBe(3);
    expect(sourceOf('      BucketName: lake-raw')).toBe(6);
    expect(sourceOf('  CuratedBucket:')).toBe(3);
    expect(sourceOf('    Type: AWS::S3::Bucket', 1)).toBe(4);
    expect(sourceOf('      BucketName: lake-curated')).toBe(6);
    expect(sourceOf('    Type: AWS::SNS::Topic')).toBe(9);
    expect(map.verbatim(lines.indexOf('    Type: AWS::SNS::Topic') + 1)).toBe(true);
    expect(map.verbatim(lines.indexOf('  RawBucket:') + 1)).toBe(false);
  });
});

describe('line mapping stays bounded', () => {
  it('maps a line of many expressions that a rendering does not match, without backtracking', () => {
    const expressions = Array.from({ length: 24 }, (_, i) => `{{ v${i} }}`).join('-');
    const source = `Resources:\n  Name: ${expressions}\n  Other: x\n`;
    const rendered = `Resources:\n  Name: ${'a-'.repeat(2000)}\n  Other: x\n`;
    const lines = mapRenderedLines(source, rendered);
    expect([lines.line(1), lines.line(3)]).toEqual([1, 3]);
    expect(lines.verbatim(3)).toBe(true);
  });

  it('ignores an unclosed comment or expression instead of scanning past it again and again', () => {
    const source = `Resources:\n  A: ${'{#'.repeat(20000)}\n  B: ${'{{'.repeat(20000)}\n`;
    const lines = mapRenderedLines(source, 'Resources:\n  A: \n  B: x\n');
    expect([lines.line(1), lines.line(2), lines.line(3)]).toEqual([1, 2, 3]);
  });

  it('maps long rendered lines against many expression lines in bounded work', () => {
    const source = Array.from({ length: 5000 }, (_, i) => `{{ a }}b{{ c }}q${i}{{ d }}`);
    const rendered = [...Array(100).fill('b'.repeat(50_000)), 'q4999'].join('\n');
    const lines = mapRenderedLines([...source, 'q4999'].join('\n'), rendered);
    // Past the work budget a line keeps the last match's source line: coarse, but it ends.
    expect([lines.line(1), lines.line(101), lines.verbatim(101)]).toEqual([1, 1, false]);
  });
});
