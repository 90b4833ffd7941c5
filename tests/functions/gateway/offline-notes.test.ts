/** The offline provider's notes from the input text: an extractive summary and the action items the text states, deterministic. */
import { describe, expect, it } from 'vitest';
import { generate } from '../../../functions/gateway/model-gateway.js';
import { generateStructured } from '../../../functions/gateway/structured-generate.js';
import { composeOfflineNotes, OFFLINE_NOTES_HEADER, OFFLINE_NOTES_MARK } from '../../../functions/gateway/providers/offline-notes.js';
import { MEETING_TRANSCRIPT } from '../../fixtures/meeting-transcript.js';
import { ref } from './fixtures.js';

const noSleep = async () => {};

// The fixture's transcript, with a mention-style item and a line that states none.
const TRANSCRIPT = [MEETING_TRANSCRIPT, '- @lee to share the test report by 2026-12-04', 'Dana: It will be a busy month.'].join('\n');

const NOTES_SCHEMA = {
  type: 'object',
  required: ['summary', 'actionItems'],
  properties: {
    summary: { type: 'string' },
    actionItems: { type: 'array', items: { type: 'object', required: ['task', 'owner'], properties: { task: { type: 'string' }, owner: { type: 'string' }, due: { type: 'string' } } } },
  },
};

describe('offline notes', () => {
  it('finds who will do what by when: "I will" (the speaker), "X will", "Action:", "X to", "TODO … (owner: X)", "@name"', () => {
    const { actionItems } = composeOfflineNotes(TRANSCRIPT);
    expect(actionItems).toEqual([
      { task: 'Send the revised launch plan to leadership by Friday.', owner: 'Dana', due: 'Friday' },
      { task: 'Hold the campaign until the new launch date is confirmed.', owner: 'Marketing' },
      { task: 'Book a review with the payments team by next week.', owner: 'Priya', due: 'next week' },
      { task: 'Update the pricing page copy.', owner: 'Marco' },
      { task: 'Share the test report by 2026-12-04.', owner: 'lee', due: '2026-12-04' },
    ]);
  });

  it('summarises what was said (not the actions, not "thanks all"), in order, from the most frequent words', () => {
    const { summary } = composeOfflineNotes(TRANSCRIPT);
    expect(summary).toBe('Dana: The Q3 launch moves to October because the billing migration is late. Priya: The billing migration needs two more weeks of testing with the payments team. Dana: It will be a busy month.');
  });

  it('drafts labelled notes as text through the gateway when the step has no retrieve context, the same every time', async () => {
    const req = { prompt: TRANSCRIPT, passages: [], chain: [ref('offline')], draftsFrom: 'input' as const };
    const first = await generate(req, { sleep: noSleep });
    expect(first.text.split('\n')[0]).toBe(OFFLINE_NOTES_HEADER);
    expect(first.text).toContain('Action items:\n- Send the revised launch plan to leadership by Friday. (owner: Dana, due: Friday)\n');
    expect((await generate(req, { sleep: noSleep })).text).toBe(first.text);
  });

  it('fills an output schema: the summary (marked offline) and the action items as the list, unknown owners "unassigned"', async () => {
    const result = await generateStructured({ prompt: 'Ana: We will ship on Monday.\nBo: TODO: write the release notes.', passages: [], chain: [ref('offline')], draftsFrom: 'input', outputSchema: NOTES_SCHEMA }, { sleep: noSleep });
    expect(result.output).toEqual({
      // Only actions were said: the summary is what was said, all of it.
      summary: `${OFFLINE_NOTES_MARK} Ana: We will ship on Monday. Bo: TODO: write the release notes.`,
      actionItems: [
        { task: 'Ship on Monday.', owner: 'unassigned' },
        { task: 'Write the release notes.', owner: 'unassigned' },
      ],
    });
  });

  it('still says nothing was found (no invented notes) when a step with retrieve context retrieved nothing', async () => {
    const result = await generate({ prompt: 'Dana will send the plan.', passages: [], chain: [ref('offline')] }, { sleep: noSleep });
    expect(result.text).not.toContain('Action items');
    expect(result.text).toContain('No knowledge-base article covers this question');
  });
});
