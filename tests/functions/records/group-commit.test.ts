/** Group commit: one request per turn of the event loop, split by size and by conflicting items. */
import { describe, expect, it } from 'vitest';
import { groupCommit } from '../../../functions/records/group-commit.js';

function recorder(fail?: (items: string[]) => boolean) {
  const sent: string[][] = [];
  const commit = groupCommit<string>(
    async (items) => {
      sent.push(items);
      if (fail?.(items)) throw new Error(`refused ${items.join(',')}`);
    },
    { maxBatch: 3, conflicts: (a, b) => a === b },
  );
  return { sent, commit };
}

describe('groupCommit', () => {
  it('sends the writes of one turn together, in batches of at most maxBatch', async () => {
    const { sent, commit } = recorder();
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map(commit));
    expect(sent).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
  });

  it('keeps conflicting items out of the same request', async () => {
    const { sent, commit } = recorder();
    await Promise.all(['a', 'a', 'b'].map(commit));
    expect(sent).toEqual([['a', 'b'], ['a']]);
  });

  it('sends writes of later turns in later requests, and a lone write alone', async () => {
    const { sent, commit } = recorder();
    await commit('a');
    await Promise.all([commit('b'), commit('c')]);
    expect(sent).toEqual([['a'], ['b', 'c']]);
  });

  it('settles each caller with the outcome of the request that carried its write', async () => {
    const { commit } = recorder((items) => items.includes('bad'));
    const outcomes = await Promise.allSettled(['ok1', 'ok2', 'ok3', 'bad'].map(commit));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    expect((outcomes[3] as PromiseRejectedResult).reason.message).toBe('refused bad');
  });
});
