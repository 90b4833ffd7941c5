/**
 * The deliver step's `knowledge` target: an approved knowledge edit becomes exactly one new version
 * of the document it revises, through the knowledge store (versions, audit); a retried step writes
 * none, nor does a rejected or undecided proposal, a document that moved on meanwhile, or a
 * collection the function may not write. Against dynalite and s3rver, through the real SDK clients.
 */
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { documentHistory, getDocumentText, putDocument } from '../../../../functions/knowledge/document-store.js';
import { auditTrail } from '../../../../functions/records/audit.js';
import { createRun, getRun, type RunRecord } from '../../../../functions/records/runs.js';
import { s3Client } from '../../../../functions/shared/aws-clients.js';
import { ENV } from '../../../../functions/shared/env-names.js';
import { DeliveryFailed, ForbiddenError, ValidationError } from '../../../../functions/shared/errors.js';
import type { GenerateOutput, StateData } from '../../../../functions/shared/step-contract.js';
import { deliverToKnowledge } from '../../../../functions/steps/deliver/knowledge-delivery.js';
import type { KnowledgeAct, StepOf } from '../../../../state-machines/schema.js';
import { startEmulatorEnv, stringKeys, type EmulatorEnv } from '../../../support/emulator-env.js';

let env: EmulatorEnv;
beforeAll(async () => {
  env = await startEmulatorEnv({
    name: 'knowledge-delivery',
    env: {
      [ENV.s3ForcePathStyle]: 'true',
      [ENV.knowledgeTable]: 'test-knowledge',
      [ENV.knowledgeBucket]: 'test-knowledge',
      [ENV.runsTable]: 'test-runs',
      [ENV.auditTable]: 'test-audit',
      [ENV.writableCollections]: 'support',
    },
    tables: [
      { TableName: 'test-knowledge', ...stringKeys('collection', 'docVersion') },
      { TableName: 'test-runs', ...stringKeys('runId', 'sk') },
      { TableName: 'test-audit', ...stringKeys('subject', 'at') },
    ],
  });
  await s3Client().send(new CreateBucketCommand({ Bucket: 'test-knowledge' }));
});
afterAll(async () => {
  await env?.stop();
});
beforeEach(() => env.apply());

const step: StepOf<'deliver'> & { knowledge: KnowledgeAct } = {
  id: 'publish_edit', kind: 'deliver', text: 'approval', maxAttempts: 4, timeoutMs: 10000,
  knowledge: { collection: 'support', documentFrom: 'propose_edit' },
};
const BASE = '# Resetting your password\n\nUse the link on the sign-in page.\n';

async function runWith(runId: string, docId: string, baseVersion: number, approval: StateData['approval']): Promise<{ state: StateData; record: RunRecord }> {
  const at = new Date().toISOString();
  await createRun({ runId, workflowId: 'kb-update', workflowVersion: 'v', status: 'running', input: {}, createdAt: at, updatedAt: at });
  const proposal: GenerateOutput = {
    text: `${BASE}\n## Link expired\n\nProposed.\n`, provider: 'offline', model: 'offline-extractive-v1', citations: [],
    revision: { collection: 'support', docId, baseVersion, title: 'Resetting your password', baseText: BASE },
  };
  const state: StateData = { run: { runId, workflowId: 'kb-update', version: 'v' }, input: {}, steps: { propose_edit: proposal }, ...(approval ? { approval } : {}) };
  return { state, record: (await getRun(runId))! };
}

const approved = (runId: string, text: string, action: 'approve' | 'edit' = 'edit') => ({
  approvalId: `${runId}.owner_review.0`, stepId: 'owner_review', action, reviewer: 'kb-owner@example.com', text, originalText: 'proposed', decidedAt: new Date().toISOString(),
});

async function seed(docId: string) {
  return putDocument({ collection: 'support', docId, fileName: `${docId}.md`, content: BASE, author: 'author@example.com' });
}

describe('deliver to knowledge', () => {
  it('writes the approved text as one new version, authored by the reviewer, with its audit event', async () => {
    const v1 = await seed('reset-password');
    const edited = `${BASE}\n## When the link has expired\n\nRequest a new link; each link works for 30 minutes.\n`;
    const { state, record } = await runWith('run-one', 'reset-password', v1.version, approved('run-one', edited));

    const out = await deliverToKnowledge(step, state, record);

    expect(out).toMatchObject({ status: 'delivered', to: 'knowledge', collection: 'support', docId: 'reset-password', version: 2, baseVersion: 1, written: true });
    const history = await documentHistory('support', 'reset-password');
    expect(history.map((v) => [v.version, v.author, v.runId])).toEqual([[2, 'kb-owner@example.com', 'run-one'], [1, 'author@example.com', undefined]]);
    expect(await getDocumentText(history[0]!)).toBe(edited);
    expect(await getRun('run-one')).toMatchObject({ status: 'delivered', delivery: { status: 'delivered', url: 'knowledge:support/reset-password', knowledge: { docId: 'reset-password', version: 2, baseVersion: 1 } } });
    const audit = (await auditTrail('knowledge#support')).filter((e) => e.type === 'knowledge.version_added');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'kb-owner@example.com', details: { docId: 'reset-password', version: 2, runId: 'run-one', baseVersion: 1 } });
  });

  it('writes nothing when the step is retried after it wrote (the run record not yet updated)', async () => {
    const v1 = await seed('retried-doc');
    const { state, record } = await runWith('run-retry', 'retried-doc', v1.version, approved('run-retry', `${BASE}\nMore.\n`, 'edit'));
    const first = await deliverToKnowledge(step, state, record);
    // The same invocation again, as a retry sees it: the run record it loaded before the first one finished.
    const again = await deliverToKnowledge(step, state, record);

    expect(first).toMatchObject({ version: 2, written: true });
    expect(again).toMatchObject({ status: 'delivered', version: 2, written: false, alreadyWritten: true });
    expect((await documentHistory('support', 'retried-doc')).map((v) => v.version)).toEqual([2, 1]);
    expect((await auditTrail('knowledge#support')).filter((e) => e.type === 'knowledge.version_added' && (e.details as { docId?: string }).docId === 'retried-doc')).toHaveLength(1);
  });

  it('writes once when two invocations of the same run race', async () => {
    const v1 = await seed('raced-doc');
    const { state, record } = await runWith('run-race', 'raced-doc', v1.version, approved('run-race', `${BASE}\nRaced.\n`));
    const outs = await Promise.all([deliverToKnowledge(step, state, record), deliverToKnowledge(step, state, record)]);
    expect(outs.map((o) => o.version)).toEqual([2, 2]);
    expect(outs.map((o) => o.written).sort()).toEqual([false, true]);
    expect(outs.find((o) => !o.written)).toMatchObject({ alreadyWritten: true });
    expect((await documentHistory('support', 'raced-doc')).map((v) => v.version)).toEqual([2, 1]);
  });

  it('writes nothing for a rejected or undecided proposal', async () => {
    const v1 = await seed('rejected-doc');
    const { state, record } = await runWith('run-rejected', 'rejected-doc', v1.version, undefined);
    await expect(deliverToKnowledge(step, state, record)).rejects.toThrow(ValidationError);
    await expect(deliverToKnowledge(step, state, record)).rejects.toThrow(/rejected or undecided proposal writes nothing/);
    expect((await documentHistory('support', 'rejected-doc')).map((v) => v.version)).toEqual([1]);
  });

  it('does not overwrite a version written while the edit waited: the delivery fails naming both', async () => {
    const v1 = await seed('moved-doc');
    await putDocument({ collection: 'support', docId: 'moved-doc', fileName: 'moved-doc.md', content: `${BASE}\nSomeone else's change.\n`, author: 'author@example.com' });
    const { state, record } = await runWith('run-moved', 'moved-doc', v1.version, approved('run-moved', `${BASE}\nMine.\n`, 'approve'));

    await expect(deliverToKnowledge(step, state, record)).rejects.toThrow(DeliveryFailed);
    await expect(deliverToKnowledge(step, state, record)).rejects.toThrow(/drafted against v1, the current version is v2/);
    expect((await documentHistory('support', 'moved-doc')).map((v) => v.version)).toEqual([2, 1]);
    expect(await getRun('run-moved')).toMatchObject({ delivery: { status: 'failed', knowledge: { docId: 'moved-doc', baseVersion: 1 } } });
  });

  it('creates a new document when the proposal revises none', async () => {
    const { state, record } = await runWith('run-new', 'brand-new-article', 0, approved('run-new', '# Brand new article\n\nText.\n', 'approve'));
    expect(await deliverToKnowledge(step, state, record)).toMatchObject({ docId: 'brand-new-article', version: 1, baseVersion: 0, written: true });
  });

  it('writes nothing when the approved text already is the current version', async () => {
    const v1 = await seed('same-doc');
    const { state, record } = await runWith('run-same', 'same-doc', v1.version, approved('run-same', BASE, 'edit'));
    expect(await deliverToKnowledge(step, state, record)).toMatchObject({ status: 'delivered', version: 1, written: false, unchanged: true });
    expect((await documentHistory('support', 'same-doc')).map((v) => v.version)).toEqual([1]);
  });

  it('refuses a collection its function may not write, writing nothing', async () => {
    process.env[ENV.writableCollections] = 'rfp';
    const v1 = await seed('forbidden-doc');
    const { state, record } = await runWith('run-forbidden', 'forbidden-doc', v1.version, approved('run-forbidden', `${BASE}\nNo.\n`));
    await expect(deliverToKnowledge(step, state, record)).rejects.toThrow(ForbiddenError);
    expect((await documentHistory('support', 'forbidden-doc')).map((v) => v.version)).toEqual([1]);
  });
});
