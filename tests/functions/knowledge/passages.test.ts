import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PASSAGE_MAX_CHARS, splitPassages } from '../../../functions/knowledge/passages.js';

const samplesDir = join(import.meta.dirname, '../../../knowledge-samples/support');
const words = (s: string) => s.split(/\s+/).filter(Boolean);

describe('splitPassages', () => {
  it('splits every sample article into indexed, non-empty passages of bounded size', () => {
    for (const file of readdirSync(samplesDir).filter((f) => f.endsWith('.md'))) {
      const content = readFileSync(join(samplesDir, file), 'utf8');
      const passages = splitPassages(content);
      expect(passages.length, file).toBeGreaterThan(1);
      passages.forEach((p, i) => {
        expect(p.index).toBe(i);
        expect(p.text.trim().length).toBeGreaterThan(0);
        expect(p.text.length, `${file}#${i}`).toBeLessThanOrEqual(PASSAGE_MAX_CHARS);
        // A heading introduces what follows it; it never ends a passage.
        expect(p.text.split('\n').at(-1)).not.toMatch(/^#/);
      });
      // Nothing is lost or reordered.
      expect(words(passages.map((p) => p.text).join(' '))).toEqual(words(content));
    }
  });

  it('starts a new passage at a heading once the current one is long enough', () => {
    const para = (w: string) => `${w} `.repeat(80).trim();
    const doc = `# Title\n\n${para('alpha')}\n\n## Second\n\n${para('beta')}\n`;
    const passages = splitPassages(doc);
    expect(passages.map((p) => p.text.split('\n')[0])).toEqual(['# Title', '## Second']);
  });

  it('keeps a short document (and a tiny section) in one passage', () => {
    expect(splitPassages('# Hi\n\nShort text.\n\n## More\n\nA little more.')).toEqual([
      { index: 0, text: '# Hi\n\nShort text.\n\n## More\n\nA little more.' },
    ]);
  });

  it('splits an oversized paragraph at sentence boundaries', () => {
    const sentence = 'This sentence is about forty-five characters. ';
    const passages = splitPassages(sentence.repeat(60));
    expect(passages.length).toBeGreaterThan(2);
    for (const p of passages) {
      expect(p.text.length).toBeLessThanOrEqual(PASSAGE_MAX_CHARS);
      expect(p.text.endsWith('.')).toBe(true);
    }
  });

  it('hard-splits a single enormous token', () => {
    const passages = splitPassages('x'.repeat(2000));
    expect(passages.map((p) => p.text.length)).toEqual([900, 900, 200]);
  });

  it('keeps fenced code blocks whole, blank lines included', () => {
    const code = '```\nline one\n\nline two\n```';
    expect(splitPassages(`Intro.\n\n${code}\n\nOutro.`)[0]!.text).toContain(code);
  });

  it('normalises CRLF and returns nothing for blank input', () => {
    expect(splitPassages('# A\r\n\r\nText\r\n')[0]!.text).toBe('# A\n\nText');
    expect(splitPassages(' \n\n\t\n')).toEqual([]);
  });
});
