import { describe, expect, it } from 'vitest';
import { passagesInState } from '../../../functions/steps/passages-in-state.js';
import type { StateData } from '../../../functions/shared/step-contract.js';

const passage = (passageId: string) => ({ passageId, n: 1, text: passageId, title: 't', docId: 'd', version: 1, collection: 'c', score: 1 });
const state = {
  run: { runId: 'r1', workflowId: 'w', version: 'v' },
  input: {},
  steps: { retrieve_a: { passages: [passage('a#0')] }, draft: { text: 'x' }, retrieve_b: { passages: [passage('b#0'), passage('b#1')] } },
} as unknown as StateData;

describe('passagesInState', () => {
  it('reads every passage retrieved so far, in step order, unless a context names the retrieve steps', () => {
    expect(passagesInState(state).map((p) => p.passageId)).toEqual(['a#0', 'b#0', 'b#1']);
    expect(passagesInState(state, ['retrieve_b']).map((p) => p.passageId)).toEqual(['b#0', 'b#1']);
    expect(passagesInState(state, ['retrieve_a']).map((p) => p.passageId)).toEqual(['a#0']);
  });
});
