/**
 * State stays small: a run's long input, passages and draft are stored once (run, step and approval
 * records) and the execution state carries only what its Choice states read, so a ticket near the
 * workflow's size limit runs with a state of a few KB, and every step still sees all of it.
 */
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateMachineName } from '../../state-machines/compiler/index.js';
import { LOCAL_STAGE, type LocalRuntime } from '../../local/runtime.js';
import { client, decideAs, pendingApprovalOf, startTestRuntime, waitForRun } from '../support/local-runtime.js';

let rt: LocalRuntime;
beforeAll(async () => {
  delete process.env.SUPPORT_REPLY_URL;
  rt = await startTestRuntime();
});
afterAll(async () => {
  await rt?.stop();
});

async function historyOf(runId: string) {
  const sfn = new SFNClient({ endpoint: rt.sfnEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const executionArn = `arn:aws:states:us-east-1:000000000000:execution:${stateMachineName(LOCAL_STAGE, 'support-reply')}:${runId}`;
  const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn, includeExecutionData: true, maxResults: 1000 }));
  return events;
}

describe('state by reference', () => {
  it('runs a 19 KB ticket with a state of a few KB, and delivers the whole reply with the whole input', { timeout: 60_000 }, async () => {
    const marker = 'ZQXJ-long-ticket-marker';
    const body = `${marker} I was charged twice for my annual plan and need a refund. `.padEnd(19_000, 'Please look into the billing cycle and the refund policy. ');
    const api = client(rt);
    const { runId } = (await api.post('/webhooks/support-reply', { ticketId: 'T-big', subject: 'Refund for my annual plan', body, priority: 'normal' })).body;
    const approval = await pendingApprovalOf(rt, runId);
    // The steps saw the whole ticket: the request the reviewer reads carries it, and the draft.
    expect(approval.input.body).toBe(body);
    expect(approval.draft.text.length).toBeGreaterThan(100);
    expect(approval.sources.length).toBeGreaterThan(0);
    const edit = `${approval.draft.text}\n\nEdited by the reviewer: ${'we have refunded the duplicate charge. '.repeat(50)}`.trim();
    const reviewer = approval.reviewers[0];
    const decided = await decideAs(rt, approval, reviewer, { action: 'edit', text: edit, reasonCode: 'incomplete' });
    expect(decided.status, decided.text).toBe(200);
    await waitForRun(rt, runId, ['delivered']);

    // The deliver step read the decided text from the approval and the input from the run record.
    const sink = await api.get('/sink/support-reply');
    const delivered = sink.body.deliveries.find((d: any) => d.body.runId === runId).body;
    expect(delivered.text).toBe(edit);
    expect(delivered.input.body).toBe(body);
    expect(delivered.approval).toMatchObject({ approvalId: approval.approvalId, action: 'edit', reviewer });

    // What the execution itself carried: no event holds the ticket, a passage or the draft.
    const events = await historyOf(runId);
    const payloads = events.map((e) => JSON.stringify(e));
    expect(payloads.some((p) => p.includes(marker))).toBe(false);
    expect(payloads.some((p) => p.includes(approval.draft.text.slice(0, 60)))).toBe(false);
    const inputs = events.flatMap((e) => [e.stateEnteredEventDetails?.input, e.stateExitedEventDetails?.output, e.executionSucceededEventDetails?.output].filter((v): v is string => !!v));
    expect(inputs.length).toBeGreaterThan(10);
    expect(Math.max(...inputs.map((i) => Buffer.byteLength(i)))).toBeLessThan(4096);
    // Only what triage reads: the priority and the classification flags.
    const final = JSON.parse(events.find((e) => e.type === 'ExecutionSucceeded')!.executionSucceededEventDetails!.output!);
    expect(final.input).toEqual({ priority: 'normal' });
    expect(Object.keys(final.steps.classify_ticket).sort()).toEqual(['sentiment', 'topic']);
    expect(final.steps.draft_reply).toEqual({});
    expect(final.approval).not.toHaveProperty('text');

    // The records hold each value once: the retrieve step's record has the passages' text.
    const run = (await api.get(`/runs/${runId}`)).body;
    const retrieve = run.steps.find((s: any) => s.stepId === 'retrieve_context');
    expect(retrieve.output.passages[0].text.length).toBeGreaterThan(20);
  });
});
