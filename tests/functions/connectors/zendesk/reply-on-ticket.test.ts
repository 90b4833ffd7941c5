import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { replyOnTicket, type TicketReply } from '../../../../functions/connectors/zendesk/reply-on-ticket.js';
import { ticketApi, type ZendeskCall } from '../../../../functions/connectors/zendesk/ticket-api.js';
import { BACKOFF_CAP_MS } from '../../../../functions/gateway/retry.js';
import { startZendeskServer, type ZendeskServer } from '../../../support/zendesk-server.js';

let server: ZendeskServer;
beforeAll(async () => {
  server = await startZendeskServer();
});
afterAll(() => server.close());

let ticketId = 100;
let calls: ZendeskCall[];
let intents: number;
let waits: number[];
beforeEach(() => {
  ticketId += 1;
  server.addTicket(ticketId);
  calls = [];
  intents = 0;
  waits = [];
});

const reply = (over: Partial<TicketReply> = {}): TicketReply => ({
  ticketId,
  text: 'Hi Pat, we have refunded the unused months.',
  act: { ticket: 'ticketId', comment: 'public', status: 'pending', tags: ['handrail'] },
  runId: `run-${ticketId}`,
  stepId: 'send_reply',
  ...over,
});
const deps = (over: { mayHaveLanded?: boolean; maxAttempts?: number; apiToken?: string } = {}) => ({
  api: ticketApi({ url: server.url, email: server.email, apiToken: over.apiToken ?? server.apiToken }, { timeoutMs: 5000, calls }),
  maxAttempts: over.maxAttempts ?? 4,
  mayHaveLanded: over.mayHaveLanded ?? false,
  recordIntent: async () => void (intents += 1),
  wait: async (ms: number) => void waits.push(ms),
});
const requestsFor = (id: number) => server.requests.filter((r) => r.path.startsWith(`/api/v2/tickets/${id}`)).map((r) => `${r.method} ${r.path}`);

describe('replyOnTicket against the Zendesk protocol server (node-zendesk)', () => {
  it('makes exactly one ticket update: the reply, status, tags and the run on its audit, with API-token auth; intent recorded first', async () => {
    // Act
    const outcome = await replyOnTicket(reply(), deps());
    // Assess
    expect(requestsFor(ticketId)).toEqual([`PUT /api/v2/tickets/${ticketId}.json`]);
    const [put] = server.updates().slice(-1);
    expect(put!.authorization).toBe(`Basic ${Buffer.from(`${server.email}/token:${server.apiToken}`).toString('base64')}`);
    expect(put!.body).toEqual({
      ticket: {
        comment: { body: 'Hi Pat, we have refunded the unused months.', public: true },
        status: 'pending',
        additional_tags: ['handrail'],
        metadata: { handrail_run: `run-${ticketId}`, handrail_step: 'send_reply' },
      },
    });
    const ticket = server.ticket(ticketId)!;
    expect(ticket.comments).toHaveLength(1);
    expect(ticket).toMatchObject({ status: 'pending', tags: ['handrail'] });
    expect(outcome).toEqual({ ok: true, auditId: ticket.audits[0]!.id, commentId: ticket.comments[0]!.id, alreadyPosted: false });
    expect(intents).toBe(1);
    expect(calls).toEqual([{ attempt: 1, method: 'PUT', path: `/api/v2/tickets/${ticketId}.json`, status: 200, durationMs: expect.any(Number), at: expect.any(String) }]);
    expect(JSON.stringify(calls)).not.toContain(server.apiToken);
  });

  it('posts an internal note when the step says so, and leaves status and tags alone when it names none', async () => {
    await replyOnTicket(reply({ act: { ticket: 'ticketId', comment: 'internal', tags: [] } }), deps());
    expect(server.updates().at(-1)!.body.ticket).toEqual({ comment: { body: expect.any(String), public: false }, metadata: expect.any(Object) });
    expect(server.ticket(ticketId)).toMatchObject({ status: 'open', tags: [] });
  });

  it('a retried step whose reply already landed posts nothing: it finds the reply on the ticket audits', async () => {
    // Prepare: the first invocation posted, then died before recording the outcome
    const first = await replyOnTicket(reply(), deps());
    calls.length = 0;
    // Act: the step runs again, its intent on the run record
    const again = await replyOnTicket(reply(), deps({ mayHaveLanded: true }));
    // Assess
    expect(requestsFor(ticketId)).toEqual([`PUT /api/v2/tickets/${ticketId}.json`, `GET /api/v2/tickets/${ticketId}/audits.json`]);
    expect(server.ticket(ticketId)!.comments).toHaveLength(1);
    expect(again).toEqual({ ok: true, auditId: (first as { auditId: number }).auditId, commentId: (first as { commentId: number }).commentId, alreadyPosted: true });
    expect(intents).toBe(1);
  });

  it('a retried step whose intent was recorded but nothing landed looks, then posts once', async () => {
    const outcome = await replyOnTicket(reply(), deps({ mayHaveLanded: true }));
    expect(requestsFor(ticketId)).toEqual([`GET /api/v2/tickets/${ticketId}/audits.json`, `PUT /api/v2/tickets/${ticketId}.json`]);
    expect(outcome).toMatchObject({ ok: true, alreadyPosted: false });
    expect(intents).toBe(0);
  });

  it('tries a 5xx again with the gateway backoff, checking the ticket before posting again', async () => {
    server.fail({ status: 503 });
    const outcome = await replyOnTicket(reply(), deps());
    expect(requestsFor(ticketId)).toEqual([`PUT /api/v2/tickets/${ticketId}.json`, `GET /api/v2/tickets/${ticketId}/audits.json`, `PUT /api/v2/tickets/${ticketId}.json`]);
    expect(outcome).toMatchObject({ ok: true, alreadyPosted: false });
    expect(server.ticket(ticketId)!.comments).toHaveLength(1);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeLessThanOrEqual(BACKOFF_CAP_MS);
    expect(calls.map((c) => [c.attempt, c.method, c.status])).toEqual([[1, 'PUT', 503], [2, 'GET', 200], [2, 'PUT', 200]]);
  });

  it('an update applied but answered with a 5xx (its reply lost) is not posted again', async () => {
    server.fail({ status: 502, applied: true });
    const outcome = await replyOnTicket(reply(), deps());
    expect(requestsFor(ticketId)).toEqual([`PUT /api/v2/tickets/${ticketId}.json`, `GET /api/v2/tickets/${ticketId}/audits.json`]);
    expect(server.ticket(ticketId)!.comments).toHaveLength(1);
    expect(outcome).toMatchObject({ ok: true, alreadyPosted: true });
  });

  it('honours Retry-After on a 429, which changed nothing (no need to look)', async () => {
    server.fail({ status: 429, retryAfterSeconds: 2 });
    const outcome = await replyOnTicket(reply(), deps());
    expect(requestsFor(ticketId)).toEqual([`PUT /api/v2/tickets/${ticketId}.json`, `PUT /api/v2/tickets/${ticketId}.json`]);
    expect(waits).toEqual([2000]);
    expect(outcome).toMatchObject({ ok: true });
  });

  it('gives up after maxAttempts of failures, having posted nothing', async () => {
    server.fail({ status: 503 }, { status: 503 }, { status: 503 });
    const outcome = await replyOnTicket(reply(), deps({ maxAttempts: 3 }));
    expect(outcome).toEqual({ ok: false, error: expect.stringMatching(/HTTP 503 \(after 3 attempt\(s\)\)$/) });
    // After a 5xx the update may have landed: each later attempt looks first, and never posts blind.
    expect(requestsFor(ticketId)).toEqual([`PUT /api/v2/tickets/${ticketId}.json`, `GET /api/v2/tickets/${ticketId}/audits.json`, `GET /api/v2/tickets/${ticketId}/audits.json`]);
    expect(server.ticket(ticketId)!.comments).toHaveLength(0);
    expect(waits).toHaveLength(2);
  });

  it.each([
    ['an unknown ticket', () => ({ ticketId: 999_999 }), {}, /updating ticket 999999: HTTP 404/],
    ['a wrong API token', () => ({}), { apiToken: 'wrong' }, /HTTP 401/],
  ])('stops at once on %s (a 4xx)', async (_case, change, over, message) => {
    const outcome = await replyOnTicket(reply(change()), deps(over));
    expect(outcome).toEqual({ ok: false, error: expect.stringMatching(message) });
    expect(calls).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('a network failure (nothing listening) is retried, then given up', async () => {
    const api = ticketApi({ url: 'http://127.0.0.1:9', email: server.email, apiToken: server.apiToken }, { timeoutMs: 2000, calls });
    const outcome = await replyOnTicket(reply(), { ...deps({ maxAttempts: 2 }), api });
    expect(outcome).toMatchObject({ ok: false });
    expect(calls.map((c) => [c.attempt, c.method, c.status, Boolean(c.error)])).toEqual([[1, 'PUT', undefined, true], [2, 'GET', undefined, true]]);
  });
});
