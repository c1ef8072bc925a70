import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { RENDER_LIMITS, createRenderer } from '../../src/discover/render.js';

const fast = { ...RENDER_LIMITS, timeoutMs: 1500, memoryMb: 64, maxOutputBytes: 4096 };

describe('the isolated renderer', () => {
  it('stops a template at each limit with a finding, and renders the next one in a fresh process', async () => {
    const renderer = createRenderer(os.tmpdir(), fast);
    const render = (text: string) => renderer.render({ text, file: 't.njk', trusted: false });
    try {
      expect(
        await render(
          '{% for a in range(0, 100000) %}{% for b in range(0, 100000) %}{% endfor %}{% endfor %}',
        ),
      ).toMatchObject({
        ok: false,
        finding: { ruleId: 'R1001', message: expect.stringMatching(/stopped after 1\.5 s/) },
      });
      expect(
        await render('A: {{ "x" * 1 }}\n{% for i in range(0, 5000) %}xx{% endfor %}'),
      ).toMatchObject({
        ok: false,
        finding: { message: expect.stringMatching(/larger than 4096 bytes/) },
      });
      expect(
        await render(
          '{% set a = [] %}{% for i in range(0, 100000000) %}{{ a.push("abcdefgh" + i) }}{% endfor %}',
        ),
      ).toMatchObject({
        ok: false,
        finding: { message: expect.stringMatching(/more than 64 MiB of memory|killed|stopped/) },
      });
      expect(await render('A: {{ 6 * 7 }}\n')).toEqual({ ok: true, text: 'A: 42\n' });
    } finally {
      renderer.close();
    }
  });
});
