/**
 * A Lambda service error on the approval task: Step Functions retries the state with a new task
 * token after the first invocation stored the request. The stored request takes the new token, so
 * the reviewer's decision still resumes the run (before, it hit the dead token).
 */
import { describe, expect, it } from 'vitest';
import { client, deliveringSuite, decideAs, pendingApprovalOf, waitFor, waitForRun } from '../support/local-runtime.js';

const suite = deliveringSuite('SUPPORT_REPLY_URL');

describe('a retried approval task', () => {
  it('keeps decisions working: the request takes the new token and the decision resumes the run', { timeout: 60_000 }, async () => {
    // Arrange: the first approval invocation stores the request, then Lambda fails it with a service error.
    const approvalFn = Object.entries(suite.rt.template.Resources).find(([, r]) => r.Metadata?.['handrail:kind'] === 'approval')![0];
    const invoke = suite.rt.lambdas.invoke.bind(suite.rt.lambdas);
    const tokens: string[] = [];
    let failed = 0;
    suite.rt.lambdas.invoke = async (arn: string, event: unknown) => {
      const result = await invoke(arn, event);
      if (arn.endsWith(`:function:${approvalFn}`)) {
        tokens.push((event as { taskToken: string }).taskToken);
        if (failed++ === 0) throw Object.assign(new Error('Rate exceeded (injected)'), { name: 'Lambda.ServiceException' });
      }
      return result;
    };
    try {
      // Act
      const { runId } = (await client(suite.rt).post('/webhooks/support-reply', { ticketId: 'T-retry', subject: 'Refund for my annual plan', body: 'How do I get a refund?' })).body;
      const approval = await pendingApprovalOf(suite.rt, runId);
      await waitFor(async () => tokens.length === 2, 'the retried approval invocation');
      const decided = await decideAs(suite.rt, approval, 'support-agent@example.com', { action: 'approve' });

      // Assess: the retry minted a new token; the decision resumed the run once.
      expect(tokens[0]).not.toBe(tokens[1]);
      expect(decided.status, JSON.stringify(decided.body)).toBe(200);
      await waitForRun(suite.rt, runId, ['delivered']);
      expect(suite.receiver.received.filter((r) => r.body.runId === runId)).toHaveLength(1);
    } finally {
      suite.rt.lambdas.invoke = invoke;
    }
  });
});
