/** Lambda: ranks knowledge passages for the step's query and records exactly which were used. */
import { assertReadable } from '../../knowledge/collection-access.js';
import { search } from '../../knowledge/retrieval.js';
import { recordSnapshot, snapshotKey, snapshotOf } from '../../knowledge/snapshots.js';
import { putStepRecord } from '../../records/runs.js';
import type { RetrieveOutput } from '../../shared/step-contract.js';
import { renderTemplate } from '../../shared/template.js';
import { expiryOf } from '../../shared/ttl.js';
import { stepTaskHandler } from '../step-task.js';

export const handler = stepTaskHandler('retrieve', undefined, async ({ step, state, record }): Promise<RetrieveOutput> => {
  // Its workflow's collections only: what its IAM role allows on AWS, refused the same way locally.
  assertReadable(step.collection);
  const startedAt = new Date();
  const query = renderTemplate(step.query, state).slice(0, 4000);
  const { passages, searched } = await search({ collection: step.collection, label: step.label, query, topK: step.topK });
  // The exact versions it searched, kept once: "which runs used this version" reads them back.
  const snapshot = snapshotOf(step.collection, searched);
  await recordSnapshot(snapshot);
  const output: RetrieveOutput = { query, passages };
  const finishedAt = new Date();
  await putStepRecord({
    runId: state.run.runId,
    stepId: step.id,
    kind: 'retrieve',
    status: 'succeeded',
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    latencyMs: finishedAt.getTime() - startedAt.getTime(),
    input: { collection: step.collection, ...(step.label ? { label: step.label } : {}), query, topK: step.topK },
    // The passages with their text: the steps after this one read them from here (run-view.ts).
    output,
    knowledgeSnapshot: snapshotKey(snapshot),
    ...expiryOf(record.retention, 'steps', finishedAt),
  });
  return output;
});
