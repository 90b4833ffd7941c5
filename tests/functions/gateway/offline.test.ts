/** The offline provider: extractive, cited, deterministic, and honest when nothing covers a question. */
import { describe, expect, it } from 'vitest';
import { generate } from '../../../functions/gateway/model-gateway.js';
import { composeOfflineRevision, composeOfflineText, NO_ARTICLE_TEXT, OFFLINE_HEADER, OFFLINE_REVISION_NOTE } from '../../../functions/gateway/providers/offline.js';
import { PASSAGES, ref } from './fixtures.js';

const noSleep = async () => {};

describe('offline provider', () => {
  it('quotes the best-matching sentences and cites their passages', async () => {
    const result = await generate(
      { prompt: 'How do I reset my password? The emailed link did not work.', passages: PASSAGES, chain: [ref('offline')] },
      { sleep: noSleep },
    );
    expect(result).toMatchObject({ provider: 'offline', model: 'offline-extractive-v1', offline: true });
    expect(result.text.split('\n')[0]).toBe(OFFLINE_HEADER);
    expect(result.text).toContain('Click "Reset password" and follow the emailed link. [1]');
    // The billing article shares one word ("emailed") and must not be pulled in.
    expect(result.text).not.toContain('Invoices');
    expect(result.citations).toEqual([1]);
  });

  it('cites several passages when the request spans them', () => {
    const text = composeOfflineText('I lost my phone and need to reset my password with a backup code', PASSAGES);
    expect(text).toContain('[1]');
    expect(text).toContain('use a backup code to sign in. [3]');
  });

  it('gives the same output for the same input, every time', async () => {
    const req = { system: 'Be kind.', prompt: 'Refunds for my invoice?', passages: PASSAGES, chain: [ref('offline')] };
    const runs = await Promise.all([1, 2, 3].map(() => generate(req, { sleep: noSleep })));
    const shapes = runs.map((r) => ({ text: r.text, usage: r.usage, citations: r.citations }));
    expect(shapes[1]).toEqual(shapes[0]);
    expect(shapes[2]).toEqual(shapes[0]);
    expect(runs[0]!.citations).toEqual([2]);
    // Passage order in the array does not change the draft: passages are taken by rank n.
    const shuffled = await generate({ ...req, passages: [...PASSAGES].reverse() }, { sleep: noSleep });
    expect(shuffled.text).toBe(runs[0]!.text);
  });

  it('counts words as tokens', async () => {
    const result = await generate({ prompt: 'reset password', passages: PASSAGES, chain: [ref('offline')] }, { sleep: noSleep });
    expect(result.usage.outputTokens).toBe(result.text.split(/\s+/).filter(Boolean).length);
    expect(result.usage.inputTokens).toBeGreaterThan(20);
  });

  it('says plainly that no article covers the question when there are no passages', async () => {
    const result = await generate({ prompt: 'Can I pay with goats?', passages: [], chain: [ref('offline')] }, { sleep: noSleep });
    expect(result.text).toBe(`${OFFLINE_HEADER}\n\n${NO_ARTICLE_TEXT}`);
    expect(result.text).toContain('No knowledge-base article covers this question');
    expect(result.text).toContain('A human agent should answer it.');
    expect(result.citations).toEqual([]);
  });
});

describe('offline knowledge edit', () => {
  const current = { docId: 'reset-password', title: 'Resetting your password', version: 3, text: '# Resetting your password\n\nClick "Reset password".\n\n' };
  const request = 'Reset link expired\n\nLinks expire after 30 minutes.\n\n\n\nOnly the newest link works.';

  it('proposes the current document unchanged, then a labelled section from the request, the same every time', async () => {
    const result = await generate({ prompt: request, passages: PASSAGES, chain: [ref('offline')], revision: current }, { sleep: noSleep });
    expect(result).toMatchObject({ provider: 'offline', offline: true, citations: [] });
    expect(result.text).toBe(`# Resetting your password\n\nClick "Reset password".\n\n## Reset link expired\n\n${OFFLINE_REVISION_NOTE}\n\nLinks expire after 30 minutes.\n\nOnly the newest link works.\n`);
    const again = await generate({ prompt: request, passages: PASSAGES, chain: [ref('offline')], revision: current }, { sleep: noSleep });
    expect(again.text).toBe(result.text);
  });

  it('proposes a new document when there is none to revise, and says what to write when the request has no text', () => {
    expect(composeOfflineRevision(request, { title: 'Reset link expired', text: '' })).toBe(`# Reset link expired\n\n${OFFLINE_REVISION_NOTE}\n\nLinks expire after 30 minutes.\n\nOnly the newest link works.\n`);
    expect(composeOfflineRevision('## Only a heading', current)).toMatch(/## Only a heading\n\n> Offline proposal.+\n\n\(The request carried no text beyond its first line: write what the resolution teaches here\.\)\n$/);
  });
});
