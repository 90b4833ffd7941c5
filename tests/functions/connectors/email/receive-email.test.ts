/**
 * An email whose input names a reviewer (a workflow's `reviewersFromInput`, here the meeting's owner
 * as its sender) is refused like a webhook that does: the reviewer must be in the directory with
 * the reviewer role, else no run starts, the message is `email.rejected` with the field named, and
 * it stays in the bucket. Against the S3 and DynamoDB emulators; starting the run is stubbed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { receiveEmail } from '../../../../functions/connectors/email/receive-email.js';
import { auditTrail } from '../../../../functions/records/audit.js';
import { startRun } from '../../../../functions/runs/start-run.js';
import { s3Client } from '../../../../functions/shared/aws-clients.js';
import { ENV } from '../../../../functions/shared/env-names.js';
import { resetWorkflowRegistry } from '../../../../functions/shared/workflow-registry.js';
import { startEmulatorEnv, stringKeys, type EmulatorEnv } from '../../../support/emulator-env.js';
import { inboundMessage } from '../../../support/smtp-client.js';

vi.mock('../../../../functions/runs/start-run.js', () => ({ startRun: vi.fn(async () => ({ runId: 'run-from-mail', duplicate: false })) }));

const ADDRESS = 'notes@handrail.localhost';
const BUCKET = 'inbound-mail-test';
let env: EmulatorEnv;

beforeAll(async () => {
  // meeting-notes, started by email too: the sender owns the meeting and approves its notes.
  const workflows = mkdtempSync(join(tmpdir(), 'mail-workflows-'));
  const notes = readFileSync(new URL('../../../../state-machines/workflows/meeting-notes.yaml', import.meta.url), 'utf8');
  writeFileSync(join(workflows, 'meeting-notes.yaml'), notes.replace(/^trigger:\n/m, 'trigger:\n  email:\n    input: { transcript: text, owner: from, channel: subject }\n'));
  env = await startEmulatorEnv({
    name: 'receive-email',
    env: {
      [ENV.auditTable]: 'test-audit',
      [ENV.inboundMailBucket]: BUCKET,
      [ENV.inboundMailPrefix]: 'inbound/',
      [ENV.emailRoutes]: JSON.stringify({ [ADDRESS]: 'meeting-notes' }),
      [ENV.workflowsDir]: workflows,
      [ENV.s3ForcePathStyle]: 'true',
    },
    tables: [{ TableName: 'test-audit', ...stringKeys('subject', 'at') }],
  });
  resetWorkflowRegistry();
  await s3Client().send(new CreateBucketCommand({ Bucket: BUCKET }));
});
afterAll(async () => {
  resetWorkflowRegistry();
  await env?.stop();
});

async function received(messageId: string, from: string) {
  const raw = inboundMessage({ From: from, To: ADDRESS, Subject: 'C0NOTES', 'Message-ID': `<${messageId}@example.com>` }, 'Ann: ship the release on Friday.');
  await s3Client().send(new PutObjectCommand({ Bucket: BUCKET, Key: `inbound/${messageId}`, Body: raw }));
  return receiveEmail({ eventSource: 'aws:ses', ses: { mail: { messageId }, receipt: { recipients: [ADDRESS] } } } as never);
}

describe('an email whose input names a reviewer', () => {
  it('is refused when the directory has no such reviewer: no run, the field named, the message kept', async () => {
    const outcome = await received('mail-unknown-owner', 'stranger@elsewhere.example');
    expect(outcome).toEqual({ status: 'rejected', reason: expect.stringMatching(/^input\.owner: .*reviewer directory/) });
    expect(startRun).not.toHaveBeenCalled();
    const [event, ...more] = await auditTrail('email#mail-unknown-owner');
    expect(more).toEqual([]);
    expect(event).toMatchObject({ type: 'email.rejected', details: expect.objectContaining({ workflowId: 'meeting-notes', key: 'inbound/mail-unknown-owner' }) });
  });

  it('starts the run when the sender is a reviewer of the directory', async () => {
    const outcome = await received('mail-known-owner', 'support-agent@example.com');
    expect(outcome).toMatchObject({ status: 'started', runId: 'run-from-mail', workflowId: 'meeting-notes' });
    expect(startRun).toHaveBeenCalledWith(expect.objectContaining({ definition: expect.objectContaining({ id: 'meeting-notes' }) }), expect.objectContaining({ owner: 'support-agent@example.com', channel: 'C0NOTES' }), 'ses:mail-known-owner');
  });
});
