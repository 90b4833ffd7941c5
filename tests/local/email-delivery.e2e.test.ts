/**
 * Email replies through SES v2 (a local server that speaks its API: tests/support/ses-server.ts):
 * throttling is tried again and then sends the run to the human queue, where a redrive sends the
 * reply once; a send whose outcome is unknown is never sent again, not even by a redrive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTrail } from '../../functions/records/audit.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { startFakeSes, type FakeSes } from '../support/ses-server.js';
import { inboundMessage, smtpSend } from '../support/smtp-client.js';
import { client, decideAs, pendingApprovalOf, startTestRuntime, waitFor, waitForRun } from '../support/local-runtime.js';
import { LOCAL_EMAIL_STAGE, useStagesFile } from '../support/stages-file.js';

const ADDRESS = 'support@handrail.localhost';
let rt: LocalRuntime;
let ses: FakeSes;
// The local stage that receives and sends email (the project's stages.yaml declares the same).
useStagesFile(LOCAL_EMAIL_STAGE);
beforeAll(async () => {
  ses = await startFakeSes();
  // Email leaves through SES (the SDK pointed at the fake) instead of the outbox.
  rt = await startTestRuntime({ env: { HANDRAIL_EMAIL_TRANSPORT: 'ses', AWS_ENDPOINT_URL_SESV2: ses.url } });
}, 120_000);
afterAll(async () => {
  await rt?.stop();
  await ses?.close();
});

/** Sends an email in, approves the run it started; returns the run id. */
async function emailAndApprove(n: number): Promise<string> {
  const sent = await smtpSend(rt.smtpPort!, `c${n}@customer.example`, [ADDRESS], inboundMessage({ From: `c${n}@customer.example`, To: ADDRESS, Subject: `Refund ${n}`, 'Message-ID': `<m${n}@customer.example>` }, 'How do I get a refund for my annual plan?'));
  const [received] = await waitFor(async () => {
    const events = await auditTrail(`email#${sent.queuedAs}`);
    return events.length > 0 && events;
  }, 'the run an email started');
  expect(received!.type).toBe('email.received');
  const approval = await pendingApprovalOf(rt, received!.runId!);
  expect((await decideAs(rt, approval, 'support-agent@example.com', { action: 'approve' })).status).toBe(200);
  return received!.runId!;
}

const repliesTo = (address: string) => ses.sent.filter((m) => m.headers.has('in-reply-to') && m.to.includes(address));

describe('email replies through SES', () => {
  it('retries throttling, then the human queue; a redrive sends the reply once, threaded', { timeout: 90_000 }, async () => {
    // Prepare: SES throttles every attempt of the step (maxAttempts 4)
    ses.fail(429, 429, 429, 429);
    const before = ses.calls;
    // Act
    const runId = await emailAndApprove(1);
    // Assess
    const failed = await waitForRun(rt, runId, ['delivery_failed']);
    expect(failed).toMatchObject({ status: 'delivery_failed', error: { error: 'DeliveryFailed' }, humanQueue: 'open', delivery: { status: 'failed' } });
    expect(failed.delivery.email.calls.map((c: any) => c.status)).toEqual([429, 429, 429, 429]);
    expect(ses.calls - before).toBe(4);
    expect(repliesTo('c1@customer.example')).toHaveLength(0);

    expect((await client(rt).post(`/runs/${runId}/redrive`, { reason: 'SES quota raised' })).status).toBe(200);
    await waitForRun(rt, runId, ['delivered']);
    const [reply, ...more] = repliesTo('c1@customer.example');
    expect(more).toEqual([]);
    expect(reply!.from).toBe(ADDRESS);
    expect(reply!.headers.get('in-reply-to')).toEqual(['<m1@customer.example>']);
    expect(reply!.headers.get('references')).toEqual(['<m1@customer.example>']);
    expect(reply!.headers.get('subject')).toEqual(['Re: Refund 1']);
  });

  it('a send whose outcome is unknown (5xx) is not sent again: the human queue, and a redrive sends nothing', { timeout: 90_000 }, async () => {
    ses.fail(500);
    const before = ses.calls;
    const runId = await emailAndApprove(2);
    const failed = await waitForRun(rt, runId, ['delivery_failed']);
    expect(ses.calls - before).toBe(1);
    expect(failed.delivery.email.calls).toEqual([
      expect.objectContaining({ attempt: 1, status: 500 }),
      expect.objectContaining({ attempt: 2, error: expect.stringMatching(/may have sent the reply/) }),
    ]);
    expect((await client(rt).post(`/runs/${runId}/redrive`, { reason: 'try again' })).status).toBe(200);
    const again = await waitFor(async () => {
      const run = await client(rt).get(`/runs/${runId}`);
      return run.body?.status === 'delivery_failed' && run.body.delivery.email.calls.length > 2 && run.body;
    }, 'the redriven step to refuse');
    expect(again.delivery.email.calls.at(-1)).toMatchObject({ error: expect.stringMatching(/may have sent the reply/) });
    expect(ses.calls - before).toBe(1);
    expect(repliesTo('c2@customer.example')).toHaveLength(0);
  });
});
