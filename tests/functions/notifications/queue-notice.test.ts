/** What queue owners read: the same facts in email, Slack and Teams; Lambda's error envelope unwrapped; markup escaped. */
import { describe, expect, it } from 'vitest';
import { queueEmail, queueNotice, queueSlackMessage, queueTeamsCard, runPageUrl, type QueueFacts } from '../../../functions/notifications/queue-notice.js';

const run: QueueFacts = {
  runId: 'run-1',
  workflowId: 'support-reply',
  status: 'delivery_failed',
  error: { error: 'DeliveryFailed', cause: JSON.stringify({ errorType: 'DeliveryFailed', errorMessage: 'deliver send: <https://x> answered HTTP 503', trace: ['at a', 'at b'] }) },
  queuedAt: '2026-12-01T10:00:00.000Z',
  dueAt: '2026-12-01T14:00:00.000Z',
};

describe('queue notices', () => {
  it('names the run, what failed, the cause (the Lambda error message, not its JSON), the SLA, the console link and the redrive command', () => {
    const n = queueNotice(run, 'https://api.example.com/');
    expect(n.title).toBe('Delivery failed: support-reply run run-1');
    expect(n.lines).toEqual([
      'The run is in the human queue: the approved text could not be delivered.',
      'Error: DeliveryFailed',
      'Cause: deliver send: <https://x> answered HTTP 503',
      'In the queue since 2026-12-01T10:00:00.000Z; act by 2026-12-01T14:00:00.000Z.',
    ]);
    expect(n.link).toBe('https://api.example.com/console/runs/run-1');
    expect(n.redrive).toBe('npx handrail runs redrive run-1');
    expect(queueNotice({ ...run, status: 'needs_human', overdue: true, dueAt: undefined, error: { error: 'StructuredOutputInvalid', cause: 'plain text' } }, 'https://a').lines).toEqual([
      'The run is in the human queue: a step failed after its retries.',
      'Error: StructuredOutputInvalid',
      'Cause: plain text',
      'In the queue since 2026-12-01T10:00:00.000Z.',
    ]);
    expect(queueNotice({ ...run, overdue: true }, 'https://a').title).toBe('Past its SLA: Delivery failed: support-reply run run-1');
  });

  it('escapes HTML in email and mrkdwn in Slack; every channel carries the link', () => {
    const n = queueNotice(run, 'https://api.example.com');
    const email = queueEmail(n, { name: 'Sam <lead>', email: 'sam@example.com' });
    expect(email).toMatchObject({ to: 'sam@example.com', subject: '[Handrail] Delivery failed: support-reply run run-1' });
    expect(email.html).toContain('Hello Sam &lt;lead&gt;');
    expect(email.html).toContain('&lt;https://x&gt;');
    expect(email.html).toContain('href="https://api.example.com/console/runs/run-1"');
    expect(email.text).toContain('Open the run: https://api.example.com/console/runs/run-1');
    const slack = queueSlackMessage(n);
    expect(JSON.stringify(slack.blocks)).toContain('&lt;https://x&gt;');
    expect(JSON.stringify(slack.blocks)).toContain('"url":"https://api.example.com/console/runs/run-1"');
    expect(JSON.stringify(queueTeamsCard(n))).toContain('"url":"https://api.example.com/console/runs/run-1"');
  });

  it('encodes the run id in the link', () => {
    expect(runPageUrl('https://a/', 'run 1/x')).toBe('https://a/console/runs/run%201%2Fx');
  });
});
