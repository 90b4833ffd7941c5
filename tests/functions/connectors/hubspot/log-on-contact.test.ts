import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectorCall } from '../../../../functions/connectors/call-recorder.js';
import { crmApi } from '../../../../functions/connectors/hubspot/crm-api.js';
import { logOnContact, markerOf, type ContactLog } from '../../../../functions/connectors/hubspot/log-on-contact.js';
import { BACKOFF_CAP_MS } from '../../../../functions/gateway/retry.js';
import { startHubspotServer, type HubspotServer } from '../../../support/hubspot-server.js';

let server: HubspotServer;
beforeAll(async () => {
  server = await startHubspotServer();
});
afterAll(() => server.close());

let contact = 900;
let calls: ConnectorCall[];
let intents: number;
let notesRecorded: string[];
let waits: number[];
beforeEach(() => {
  contact += 1;
  server.addContact(String(contact));
  calls = [];
  intents = 0;
  notesRecorded = [];
  waits = [];
});

const log = (over: Partial<ContactLog> = {}): ContactLog => ({
  contactId: String(contact),
  ownerId: '77',
  text: 'Hi Sam, Northwind can sign in with Okta through SAML SSO on the Business plan [1].',
  taskSubject: 'Follow up with Sam (Northwind)',
  taskDue: new Date('2026-12-03T09:00:00Z'),
  runId: `run-${contact}`,
  stepId: 'log_on_contact',
  ...over,
});
const deps = (over: { mayHaveLanded?: boolean; maxAttempts?: number; accessToken?: string; done?: { noteId?: string; taskId?: string } } = {}) => ({
  api: crmApi({ url: server.url, accessToken: over.accessToken ?? server.accessToken }, { timeoutMs: 5000, calls }),
  maxAttempts: over.maxAttempts ?? 4,
  mayHaveLanded: over.mayHaveLanded ?? false,
  ...(over.done ? { done: over.done } : {}),
  recordIntent: async () => void (intents += 1),
  recordNote: async (id: string) => void notesRecorded.push(id),
  wait: async (ms: number) => void waits.push(ms),
});
const requestsFor = (id: number) =>
  server.requests.filter((r) => JSON.stringify(r.body ?? {}).includes(`"${id}"`)).map((r) => `${r.method} ${r.path}`);
const objectsOf = (type: 'notes' | 'tasks') => server.objects(type).filter((o) => o.contactIds.includes(String(contact)));

describe('logOnContact against the HubSpot protocol server (@hubspot/api-client)', () => {
  it('makes exactly one note and one task on the contact, with the Bearer token; intent recorded first, the note recorded before the task', async () => {
    // Act
    const outcome = await logOnContact(log(), deps());
    // Assess
    expect(requestsFor(contact)).toEqual(['POST /crm/v3/objects/notes', 'POST /crm/v3/objects/tasks']);
    const [note, task] = server.creates().slice(-2);
    expect(note!.authorization).toBe(`Bearer ${server.accessToken}`);
    expect(note!.body).toEqual({
      properties: { hs_note_body: `${log().text}\n\n${markerOf(log())}`, hs_timestamp: expect.any(String), hubspot_owner_id: '77' },
      associations: [{ to: { id: String(contact) }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 202 }] }],
    });
    expect(task!.body).toEqual({
      properties: {
        hs_task_subject: `Follow up with Sam (Northwind) ${markerOf(log())}`,
        hs_task_body: log().text,
        hs_task_status: 'NOT_STARTED',
        hs_task_type: 'TODO',
        hs_timestamp: '2026-12-03T09:00:00.000Z',
        hubspot_owner_id: '77',
      },
      associations: [{ to: { id: String(contact) }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 204 }] }],
    });
    expect(objectsOf('notes')).toHaveLength(1);
    expect(objectsOf('tasks')).toHaveLength(1);
    expect(outcome).toEqual({ ok: true, noteId: objectsOf('notes')[0]!.id, taskId: objectsOf('tasks')[0]!.id, alreadyPosted: { note: false, task: false } });
    expect(intents).toBe(1);
    expect(notesRecorded).toEqual([objectsOf('notes')[0]!.id]);
    expect(calls.map((c) => [c.method, c.path, c.status, c.attempt])).toEqual([
      ['POST', '/crm/v3/objects/notes', 201, 1],
      ['POST', '/crm/v3/objects/tasks', 201, 1],
    ]);
    expect(JSON.stringify(calls)).not.toContain(server.accessToken);
  });

  it('makes no call again on a retried step that finds both by the run marker', async () => {
    // Prepare: the first invocation created both, then its answer was lost to the step
    await logOnContact(log(), deps());
    const before = server.requests.length;
    calls = [];
    // Act: the step retried (intent on the run record), nothing recorded yet
    const outcome = await logOnContact(log(), deps({ mayHaveLanded: true }));
    // Assess: two searches, no create
    expect(server.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /crm/v3/objects/notes/search', 'POST /crm/v3/objects/tasks/search']);
    expect(objectsOf('notes')).toHaveLength(1);
    expect(objectsOf('tasks')).toHaveLength(1);
    expect(outcome).toMatchObject({ ok: true, alreadyPosted: { note: true, task: true } });
  });

  it('makes no call at all on a retried step whose run record has both ids', async () => {
    const first = await logOnContact(log(), deps());
    const before = server.requests.length;
    const outcome = await logOnContact(log(), deps({ mayHaveLanded: true, done: { noteId: (first as { noteId: string }).noteId, taskId: (first as { taskId: string }).taskId } }));
    expect(server.requests.length).toBe(before);
    expect(outcome).toMatchObject({ ok: true, alreadyPosted: { note: true, task: true } });
  });

  it('creates only the task when the note is recorded and the step was retried before the task', async () => {
    // Prepare: a note from an earlier invocation, recorded on the run; no task
    const noteOnly = await crmApi({ url: server.url, accessToken: server.accessToken }, { timeoutMs: 5000, calls: [] }).create('notes', { hs_note_body: `x\n\n${markerOf(log())}`, hs_timestamp: new Date().toISOString() }, String(contact), 1);
    expect(noteOnly.ok).toBe(true);
    const before = server.requests.length;
    // Act
    const outcome = await logOnContact(log(), deps({ mayHaveLanded: true, done: { noteId: (noteOnly as { value: { id: string } }).value.id } }));
    // Assess: looks for the task (it may have landed), finds none, creates it once; no second note
    expect(server.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /crm/v3/objects/tasks/search', 'POST /crm/v3/objects/tasks']);
    expect(objectsOf('notes')).toHaveLength(1);
    expect(objectsOf('tasks')).toHaveLength(1);
    expect(outcome).toMatchObject({ ok: true, alreadyPosted: { note: true, task: false } });
  });

  it('tries a 5xx again with the gateway backoff and does not repeat a create whose answer was lost', async () => {
    // Prepare: the note is created but answered 502; the search that follows is refused with a 503
    server.fail({ status: 502, applied: true }, { status: 503 });
    // Act
    const outcome = await logOnContact(log(), deps());
    // Assess: the create, a search (refused), a search (finds it), then the task, once (this
    // invocation never tried it: nothing to look for)
    expect(requestsFor(contact)).toEqual(['POST /crm/v3/objects/notes', 'POST /crm/v3/objects/notes/search', 'POST /crm/v3/objects/notes/search', 'POST /crm/v3/objects/tasks']);
    expect(objectsOf('notes')).toHaveLength(1);
    expect(objectsOf('tasks')).toHaveLength(1);
    expect(outcome).toMatchObject({ ok: true, alreadyPosted: { note: true, task: false } });
    expect(waits).toHaveLength(2);
    for (const ms of waits) expect(ms).toBeLessThanOrEqual(BACKOFF_CAP_MS);
    expect(calls.map((c) => c.status)).toEqual([502, 503, 200, 201]);
  });

  it('honours Retry-After on a 429', async () => {
    server.fail({ status: 429, retryAfterSeconds: 3 });
    const outcome = await logOnContact(log(), deps());
    expect(outcome.ok).toBe(true);
    expect(waits[0]).toBeGreaterThanOrEqual(3000);
  });

  it('fails after maxAttempts of 5xx, creating nothing, with the last error', async () => {
    // Prepare: the create refused with a 500 (it may have landed: the next attempts look first), the searches too
    server.fail({ status: 500 }, { status: 500 }, { status: 500 });
    const outcome = await logOnContact(log(), deps({ maxAttempts: 3 }));
    expect(requestsFor(contact)).toEqual(['POST /crm/v3/objects/notes', 'POST /crm/v3/objects/notes/search', 'POST /crm/v3/objects/notes/search']);
    expect(outcome).toEqual({ ok: false, error: expect.stringMatching(/searching the notes of contact \d+: HTTP 500 \(after 3 attempt\(s\)\)/) });
    expect(objectsOf('notes')).toHaveLength(0);
    expect(objectsOf('tasks')).toHaveLength(0);
  });

  it('does not retry a 4xx (a bad token, an unknown contact)', async () => {
    const badToken = await logOnContact(log(), deps({ accessToken: 'pat-wrong' }));
    expect(badToken).toEqual({ ok: false, error: expect.stringMatching(/HTTP 401$/) });
    const unknown = await logOnContact(log({ contactId: '404404' }), deps());
    expect(unknown).toEqual({ ok: false, error: expect.stringMatching(/creating a note on contact 404404: HTTP 400$/) });
    expect(waits).toEqual([]);
  });
});
