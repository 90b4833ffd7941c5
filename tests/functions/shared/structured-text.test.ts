/** A structured output as readable text: the summary paragraph, then each list under its label. */
import { describe, expect, it } from 'vitest';
import { labelOf, renderStructured } from '../../../functions/shared/structured-text.js';

describe('renderStructured', () => {
  it('puts the summary first, then "Action items" with owner and due in brackets', () => {
    const text = renderStructured({
      actionItems: [{ task: 'Send the plan.', owner: 'Dana', due: 'Friday' }, { task: 'Book the review.' }],
      summary: 'The launch moves to October.',
    });
    expect(text).toBe('The launch moves to October.\n\nAction items:\n- Send the plan. (owner: Dana, due: Friday)\n- Book the review.');
  });

  it('says an empty list is empty, writes other fields as labelled lines, and lists plain strings', () => {
    expect(renderStructured({ summary: 'Short sync.', actionItems: [], nextSteps: ['Ship'], urgent: false, category: 'billing' })).toBe(
      'Short sync.\n\nAction items:\n- None.\n\nNext steps:\n- Ship\n\nUrgent: false\n\nCategory: billing',
    );
  });

  it('labels field names as people write them', () => {
    expect([labelOf('actionItems'), labelOf('next_steps'), labelOf('dueDate')]).toEqual(['Action items', 'Next steps', 'Due date']);
  });
});
