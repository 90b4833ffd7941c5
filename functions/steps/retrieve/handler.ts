/** Lambda: ranks knowledge passages for the step's query and records exactly which were used. */
import { assertReadable } from '../../knowledge/collection-access.js';
import { getDocumentText } from '../../knowledge/document-store.js';
import { MAX_REVISABLE_BYTES } from '../../knowledge/validation.js';
import { search } from '../../knowledge/retrieval.js';
import { recordSnapshot, snapshotKey, snapshotOf } from '../../knowledge/snapshots.js';
import { putStepRecord } from '../../records/runs.js';
import { ValidationError } from '../../shared/errors.js';
import type { Passage, RetrieveOutput, WholeDocument } from '../../shared/step-contract.js';
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
  const document = step.wholeDocument && passages[0] ? await wholeDocumentOf(passages[0]) : undefined;
  const output: RetrieveOutput = { query, passages, ...(step.wholeDocument ? { collection: step.collection } : {}), ...(document ? { document } : {}) };
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

/** The whole text of the version the passage is from (pinned by its S3 version where the bucket has one). */
async function wholeDocumentOf(top: Passage): Promise<WholeDocument> {
  const text = await getDocumentText(top);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_REVISABLE_BYTES) {
    throw new ValidationError(`${top.collection}/${top.docId} v${top.version} is ${bytes} bytes; a document revised by a workflow may have at most ${MAX_REVISABLE_BYTES}`, 'step.wholeDocument');
  }
  return { collection: top.collection, docId: top.docId, version: top.version, title: top.title, sha256: top.sha256, text };
}
