/**
 * A deliver step with `knowledge`: the approved text (the proposal, or its owner's edit) becomes a
 * new immutable version of the document the proposal revises, through the knowledge store the API
 * writes through (versions, S3 objects, the listing retrieval ranks from) and with the same audit
 * event, authored by the reviewer who approved it. Once per run: a retried step finds the version
 * the run wrote and writes nothing; a document that moved on while the edit waited is not
 * overwritten (the run goes to the human queue as `delivery_failed`). Nothing is written unless a
 * person approved the edit.
 */
import { assertWritable } from '../../knowledge/collection-access.js';
import { publishRevision } from '../../knowledge/document-store.js';
import { auditVersion } from '../../knowledge/version-audit.js';
import type { RunRecord } from '../../records/runs.js';
import { ConflictError, ValidationError } from '../../shared/errors.js';
import type { ExecutionState, GenerateOutput, StateData } from '../../shared/step-contract.js';
import type { KnowledgeAct, StepOf } from '../../../state-machines/schema.js';
import { recordConnectorOutcome, type ConnectorDelivery } from './connector-outcome.js';

export async function deliverToKnowledge(step: StepOf<'deliver'> & { knowledge: KnowledgeAct }, state: StateData, record: RunRecord) {
  const { runId } = state.run;
  const { collection, documentFrom } = step.knowledge;
  // The function's own collections only: what its IAM role allows on AWS, refused the same way locally.
  assertWritable(collection);
  const approval = state.approval;
  // A rejected proposal never reaches this step; should one, it writes nothing.
  if (!approval || (approval.action !== 'approve' && approval.action !== 'edit') || !approval.text?.trim()) {
    throw new ValidationError(`deliver ${step.id}: no approved knowledge edit to write (a rejected or undecided proposal writes nothing)`, 'state.approval');
  }
  const revision = (state.steps[documentFrom] as GenerateOutput | undefined)?.revision;
  if (!revision) throw new ValidationError(`deliver ${step.id}: ${documentFrom} proposed no knowledge edit`, 'step.knowledge.documentFrom');
  if (revision.collection !== collection) throw new ValidationError(`deliver ${step.id}: the proposal revises the collection "${revision.collection}", not "${collection}"`, 'step.knowledge.collection');

  const { docId, baseVersion } = revision;
  const delivery: ConnectorDelivery = {
    stepId: step.id,
    state: state as unknown as ExecutionState,
    record,
    text: approval.text,
    to: 'knowledge',
    startedAt: new Date(),
    calls: [],
    input: { collection, docId, baseVersion },
    target: `knowledge document ${collection}/${docId}`,
  };
  const url = `knowledge:${collection}/${docId}`;
  try {
    const version = await publishRevision({ collection, docId, fileName: `${docId}.md`, content: approval.text, author: approval.reviewer, runId, baseVersion });
    const wrote = !version.duplicate && !version.unchanged;
    // Not written now: by this run before (a retry, or a concurrent invocation that committed first), or the text already is the latest version.
    const earlier = !wrote && version.runId === runId;
    // The audit event of every new version, as the API writes it; a retried step's version was audited by the invocation that wrote it.
    if (wrote) await auditVersion(version, { runId, approvalId: approval.approvalId, stepId: step.id, baseVersion });
    return await recordConnectorOutcome(
      delivery,
      { ok: true, output: { collection, docId, version: version.version, sha256: version.sha256, baseVersion, written: wrote, ...(earlier ? { alreadyWritten: true } : {}), ...(!wrote && !earlier ? { unchanged: true } : {}) } },
      url,
      { collection, docId, baseVersion, version: version.version, sha256: version.sha256 },
    );
  } catch (err) {
    if (!(err instanceof ConflictError || err instanceof ValidationError)) throw err;
    return recordConnectorOutcome(delivery, { ok: false, error: err.message }, url, { collection, docId, baseVersion });
  }
}
