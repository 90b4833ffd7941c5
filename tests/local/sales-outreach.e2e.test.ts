/**
 * sales-outreach on HubSpot, end to end on the local runtime: a stage that declares `hubspot`
 * (stages.yaml, pointed at a local server that speaks HubSpot's CRM API), the private app's access
 * token in the data dir; a HubSpot-signed (v3) form webhook starts the run, the product knowledge
 * base is cited, the rep edits the draft, and the edited text lands on the contact as one note and
 * one task for the owner, through @hubspot/api-client, with every call on the run and step records.
 * Forged and unsigned calls are refused; a HubSpot that stays down sends the run to the human
 * queue, and a redrive creates what is missing once.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime.js';
import { HUBSPOT_HEADERS, hubspotSignedHeaders } from '../../functions/triggers/hubspot-signature.js';
import { vendorSecretName } from '../../functions/triggers/webhook-secrets.js';
import { webhookSecretIn } from '../../local/signing-secret-file.js';
import { client, decideAs, pendingApprovalOf, startTestRuntime, waitForRun } from '../support/local-runtime.js';
import { startHubspotServer, type HubspotServer } from '../support/hubspot-server.js';

let rt: LocalRuntime;
let hubspot: HubspotServer;
let dataDir: string;
let clientSecret: string;
const stagesFileBefore = process.env.HANDRAIL_STAGES_FILE;

beforeAll(async () => {
  hubspot = await startHubspotServer();
  const dir = mkdtempSync(join(tmpdir(), 'handrail-hubspot-stage-'));
  const stagesFile = join(dir, 'stages.yaml');
  writeFileSync(stagesFile, `local:\n  hubspot:\n    url: ${hubspot.url}\n`);
  process.env.HANDRAIL_STAGES_FILE = stagesFile;
  dataDir = mkdtempSync(join(tmpdir(), 'handrail-test-'));
  writeFileSync(join(dataDir, 'hubspot-access-token'), hubspot.accessToken);
  rt = await startTestRuntime({ dataDir });
  clientSecret = webhookSecretIn(dataDir, vendorSecretName('sales-outreach', 'hubspot'));
}, 120_000);

afterAll(async () => {
  await rt?.stop();
  await hubspot?.close();
  process.env.HANDRAIL_STAGES_FILE = stagesFileBefore;
});

const webhookUrl = () => `${rt.url}/webhooks/sales-outreach`;

/** What the HubSpot workflow's webhook action posts (README, HubSpot), plus properties the workflow drops. */
const formBody = (contactId: number) =>
  JSON.stringify({
    contactId: String(contactId),
    email: 'sam@northwind.example',
    firstName: 'Sam',
    company: 'Northwind',
    message: 'Do you support single sign-on with Okta, and is SCIM provisioning available?',
    ownerId: '77',
    lifecyclestage: 'lead',
    hs_analytics_source: 'ORGANIC_SEARCH',
  });

const postFromHubspot = (body: string, headers: Record<string, string>) =>
  fetch(webhookUrl(), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

const editedText = (contactId: number) => `Hi Sam, yes: Okta SSO is on Business and SCIM on Enterprise [1]. (contact ${contactId})`;

async function startAndEdit(contactId: number): Promise<string> {
  hubspot.addContact(String(contactId));
  const body = formBody(contactId);
  const res = await postFromHubspot(body, hubspotSignedHeaders(clientSecret, webhookUrl(), body));
  expect(res.status).toBe(202);
  const { runId } = (await res.json()) as { runId: string };
  const approval = await pendingApprovalOf(rt, runId);
  expect(approval.reviewers).toEqual(['sales-rep@example.com']);
  const decided = await decideAs(rt, approval, 'sales-rep@example.com', { action: 'edit', text: editedText(contactId), reasonCode: 'tone' });
  expect(decided.status).toBe(200);
  return runId;
}

const objectsOf = (type: 'notes' | 'tasks', contactId: number) => hubspot.objects(type).filter((o) => o.contactIds.includes(String(contactId)));

describe('sales-outreach on HubSpot', () => {
  it('refuses unsigned, forged, tampered and stale HubSpot calls with 401, naming what is wrong', async () => {
    const body = formBody(1);
    const unsigned = await postFromHubspot(body, { [HUBSPOT_HEADERS.timestamp]: String(Date.now()) });
    expect(unsigned.status).toBe(401);
    expect(((await unsigned.json()) as any).error.message).toMatch(/must be signed by HubSpot/);
    const forged = await postFromHubspot(body, hubspotSignedHeaders('not-the-client-secret', webhookUrl(), body));
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as any).error.message).toMatch(/does not match this workflow's HubSpot client secret/);
    const tampered = await postFromHubspot(body.replace('"1"', '"2"'), hubspotSignedHeaders(clientSecret, webhookUrl(), body));
    expect(tampered.status).toBe(401);
    const elsewhere = await postFromHubspot(body, hubspotSignedHeaders(clientSecret, `${rt.url}/webhooks/support-reply`, body));
    expect(elsewhere.status).toBe(401);
    const stale = await postFromHubspot(body, hubspotSignedHeaders(clientSecret, webhookUrl(), body, Date.now() - 10 * 60_000));
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as any).error.message).toMatch(/more than five minutes/);
    const none = await fetch(webhookUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(none.status).toBe(401);
    expect(hubspot.requests).toEqual([]);
  });

  it('starts from a HubSpot-signed form webhook, cites the product knowledge, and logs the edited text on the contact once: one note, one task for the owner', { timeout: 90_000 }, async () => {
    const runId = await startAndEdit(901);
    const run = await waitForRun(rt, runId, ['delivered']);
    // The draft cited the product collection
    const research = run.steps.find((s: any) => s.stepId === 'research_product');
    expect(research.output.passages[0]).toMatchObject({ collection: 'product', docId: 'single-sign-on' });
    const draft = run.steps.find((s: any) => s.stepId === 'draft_outreach');
    expect(draft.output.text).toMatch(/\[1\]/);
    // Exactly one note and one task on the contact, with the edited text, as HubSpot's API takes them
    expect(hubspot.creates().map((r) => r.path)).toEqual(['/crm/v3/objects/notes', '/crm/v3/objects/tasks']);
    const [note] = objectsOf('notes', 901);
    const [task] = objectsOf('tasks', 901);
    expect(objectsOf('notes', 901)).toHaveLength(1);
    expect(objectsOf('tasks', 901)).toHaveLength(1);
    expect(note!.properties.hs_note_body).toBe(`${editedText(901)}\n\n(Handrail: run ${runId}, step log_on_contact)`);
    expect(task!.properties).toMatchObject({ hs_task_subject: `Send the approved follow-up (Handrail: run ${runId}, step log_on_contact)`, hs_task_body: editedText(901), hubspot_owner_id: '77', hs_task_status: 'NOT_STARTED' });
    // The run: only the declared input kept, delivered to the contact, every call recorded
    expect(run.input).toEqual({ contactId: '901', email: 'sam@northwind.example', firstName: 'Sam', company: 'Northwind', message: 'Do you support single sign-on with Okta, and is SCIM provisioning available?', ownerId: '77' });
    expect(run.delivery).toMatchObject({
      status: 'delivered',
      url: `${hubspot.url}/crm/v3/objects/contacts/901`,
      hubspot: { contactId: '901', noteId: note!.id, taskId: task!.id, calls: [{ attempt: 1, method: 'POST', path: '/crm/v3/objects/notes', status: 201 }, { attempt: 1, method: 'POST', path: '/crm/v3/objects/tasks', status: 201 }] },
    });
    const step = run.steps.find((s: any) => s.stepId === 'log_on_contact');
    expect(step).toMatchObject({ kind: 'deliver', status: 'succeeded', input: { to: 'hubspot', contactId: '901', ownerId: '77' }, output: { noteId: note!.id, taskId: task!.id } });
    expect(JSON.stringify(run)).not.toContain(hubspot.accessToken);
  });

  it('sends the run to the human queue when HubSpot stays down, and a redrive creates the note and task once', { timeout: 120_000 }, async () => {
    hubspot.fail(...Array.from({ length: 4 }, () => ({ status: 503 })));
    const runId = await startAndEdit(902);
    const failed = await waitForRun(rt, runId, ['delivery_failed']);
    expect(failed).toMatchObject({ status: 'delivery_failed', error: { error: 'DeliveryFailed' }, humanQueue: 'open', delivery: { status: 'failed' } });
    expect(failed.delivery.hubspot.calls).toHaveLength(4);
    expect(objectsOf('notes', 902)).toHaveLength(0);
    const redriven = await client(rt).post(`/runs/${runId}/redrive`, { reason: 'HubSpot is back' });
    expect(redriven.status).toBe(200);
    const run = await waitForRun(rt, runId, ['delivered']);
    expect(objectsOf('notes', 902)).toHaveLength(1);
    expect(objectsOf('tasks', 902)).toHaveLength(1);
    // The retried step searched for the note before creating it: the calls of both invocations are kept
    expect(run.delivery.hubspot.calls.slice(4).map((c: any) => c.path)).toEqual(['/crm/v3/objects/notes/search', '/crm/v3/objects/notes', '/crm/v3/objects/tasks']);
  });
});
