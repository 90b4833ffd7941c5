/**
 * Every door locked: an access matrix generated from the route table (functions/api/route-table.ts)
 * — every route × every role, anonymous, an expired token, a forged one and a disabled admin's gets
 * exactly what the table declares, and a refused call changes nothing — plus what reviewers may see of approvals.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../functions/auth/roles.js';
import { auditTrail } from '../../functions/records/audit.js';
import { LOCAL_ISSUER_PATH } from '../../functions/auth/local-identity.js';
import { ROUTES, type RouteSpec } from '../../functions/api/route-table.js';
import { issuerKey, mintIdToken } from '../../local/identity-issuer.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { loadDirectory } from '../../state-machines/directory.js';
import { client, pendingApprovalOf, startTestRuntime } from '../support/local-runtime.js';

/** A user of the reviewer directory for each role (state-machines/reviewers.yaml). */
const USER_OF: Record<Role, string> = {
  admin: 'admin@example.com',
  author: 'author@example.com',
  reviewer: 'support-agent@example.com',
  auditor: 'auditor@example.com',
};

const DISABLED_ADMIN = 'ops-admin@example.com';

let rt: LocalRuntime;
let runId: string;
let approvalId: string;
const callers: Record<string, string | null> = {};

beforeAll(async () => {
  delete process.env.SUPPORT_REPLY_URL;
  rt = await startTestRuntime();
  const api = client(rt);
  runId = (await api.post('/webhooks/support-reply', { ticketId: 'T-access', subject: 'Refund for my annual plan', body: 'How do I get a refund?' })).body.runId;
  approvalId = (await pendingApprovalOf(rt, runId)).approvalId;
  for (const role of ROLES) callers[role] = await rt.login(USER_OF[role]);
  callers.anonymous = null;
  callers.expired = await rt.login(USER_OF.admin, -120);
  // A valid, unexpired admin token whose user an admin then disables.
  callers.disabled = await rt.login(DISABLED_ADMIN);
  expect((await client(rt).post('/users/disable', { userId: DISABLED_ADMIN, reason: 'left the company' })).status).toBe(200);
  // Signed by a key that is not the issuer's, with the issuer's name.
  callers.forged = await mintIdToken({ key: await issuerKey(mkdtempSync(join(tmpdir(), 'forger-'))), issuer: `${rt.url}${LOCAL_ISSUER_PATH}`, directory: loadDirectory(), userId: USER_OF.admin });
}, 120_000);

afterAll(async () => {
  await rt?.stop();
});

function pathOf(route: RouteSpec): string {
  const values: Record<string, string> = { keyId: 'AAAAAAAAAAAA', releaseId: 'rel-0000000000000000', replayId: 'rpl-000000000000', docId: 'refunds-and-billing-cycle', version: '1', runId, approvalId, itemId: 'part-1', workflowId: 'support-reply', collection: 'support', token: 'not-a-link' };
  return route.path.replace(/\{(\w+)\}/g, (_m, name: string) => values[name]!);
}

async function call(route: RouteSpec, token: string | null) {
  const res = await fetch(`${rt.url}${pathOf(route)}`, {
    method: route.method,
    redirect: 'manual',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(route.method === 'POST' ? { body: '{}' } : {}),
  });
  await res.body?.cancel();
  return res.status;
}

/** What could change: the run, the approval, the support collection. */
async function snapshot() {
  const api = client(rt);
  const [run, approval, documents] = await Promise.all([api.get(`/runs/${runId}`), api.get(`/approvals/${approvalId}`), api.get('/knowledge/support/documents')]);
  return { run: [run.body.status, run.body.steps.length, run.body.audit.filter((e: { type: string }) => e.type !== 'access.denied').length], approval: approval.body.status, documents: documents.body.documents.length };
}

const roleRoutes = (Object.entries(ROUTES) as [string, RouteSpec][]).filter(([, r]) => r.access.kind === 'roles');

describe('the access matrix, from the route table', () => {
  it('covers every route that takes a role', () => {
    expect(roleRoutes.map(([id]) => id).sort()).toEqual(['autonomy', 'createApiKey', 'decide', 'decidePart', 'getApproval', 'getRun', 'listApiKeys', 'listApprovals', 'listDocuments', 'listRuns', 'putDocument', 'revokeApiKey', 'createPersonalToken', 'revokePersonalToken', 'usage', 'listDisabledUsers', 'disableUser', 'enableUser', 'listReleases', 'getRelease', 'knowledgeHistory', 'getDocumentVersion', 'restoreDocument', 'versionRuns', 'listLabels', 'createLabel', 'listWorkflows', 'getWorkflow', 'getRollout', 'rollback', 'promote', 'verifyAudit', 'listAuditEvents', 'startReplay', 'getReplay', 'removeDocument', 'eraseSubject', 'redriveRun'].sort());
  });

  for (const [id, route] of roleRoutes) {
    const allowed = (route.access as { roles: readonly Role[] }).roles;
    it(`${id}: ${route.method} ${route.path} — ${allowed.join(', ')} in; everyone else out, and nothing changes`, async () => {
      const before = await snapshot();
      for (const who of ['anonymous', 'expired', 'forged', 'disabled'] as const) expect(await call(route, callers[who]!), `${who}`).toBe(401);
      for (const role of ROLES) {
        const status = await call(route, callers[role]!);
        if (allowed.includes(role)) expect([401, 403], `${role} is allowed`).not.toContain(status);
        else expect(status, `${role} is not allowed`).toBe(403);
      }
      // Allowed callers sent '{}' (a 400) and refused ones were stopped at the door.
      expect(await snapshot()).toEqual(before);
    });
  }

  it('public routes answer anyone; link, Slack and webhook routes ask for their own proof, not a sign-in', async () => {
    for (const [, route] of Object.entries(ROUTES) as [string, RouteSpec][]) {
      if (route.access.kind === 'public') expect(await call(route, null), route.path).toBe(200);
      if (route.access.kind === 'link') for (const token of [null, callers.admin!]) expect(await call(route, token), route.path).toBe(403);
      if (route.access.kind === 'slack') for (const token of [null, callers.admin!]) expect(await call(route, token), route.path).toBe(401);
    }
  });

  it('console pages take the session cookie only: without one (a bearer token is not one) the browser is sent to sign in', async () => {
    const pages = (Object.entries(ROUTES) as [string, RouteSpec][]).filter(([, r]) => r.access.kind === 'console');
    expect(pages.map(([id]) => id).sort()).toEqual(['consoleAudit', 'consoleDashboard', 'consoleRun', 'consoleRuns']);
    for (const [, route] of pages) {
      expect(route.html, route.path).toBe(true);
      for (const token of [null, callers.admin!, callers.reviewer!]) expect(await call(route, token), route.path).toBe(302);
    }
  });

  it('sign-in routes take no token: login sends the browser to the issuer, a callback without its transaction is refused, a sign-out needs its own Origin', async () => {
    const signIn = (Object.entries(ROUTES) as [string, RouteSpec][]).filter(([, r]) => r.access.kind === 'sign-in');
    expect(signIn.map(([id]) => id).sort()).toEqual(['signIn', 'signInCallback', 'signOut']);
    const expected: Record<string, number> = { signIn: 302, signInCallback: 400, signOut: 403 };
    for (const [id, route] of signIn) for (const token of [null, callers.admin!]) expect(await call(route, token), route.path).toBe(expected[id]);
  });

  it('audits a refusal by role with who, which route and why', async () => {
    expect(await call(ROUTES.usage, callers.reviewer!)).toBe(403);
    const refusals = await auditTrail('access');
    expect(refusals).toContainEqual(
      expect.objectContaining({
        type: 'access.denied',
        actor: USER_OF.reviewer,
        details: { route: 'GET /usage', reason: `GET /usage takes the role admin or auditor; ${USER_OF.reviewer} has reviewer` },
      }),
    );
  });
});

describe('reviewers see only what is theirs', () => {
  it('a reviewer gets their own review link, never another reviewer\'s; an admin gets every link, an auditor none', async () => {
    const asReviewer = await client(rt, { as: USER_OF.reviewer }).get(`/approvals/${approvalId}`);
    expect(asReviewer.status).toBe(200);
    expect(Object.keys(asReviewer.body.reviewLinks)).toEqual([USER_OF.reviewer]);
    const asOther = await client(rt, { as: 'support-lead@example.com' }).get(`/approvals/${approvalId}`);
    expect(asOther.status).toBe(404);
    expect(asOther.text).not.toContain('/review/');
    const asAdmin = await client(rt).get(`/approvals/${approvalId}`);
    expect(Object.keys(asAdmin.body.reviewLinks)).toEqual(asAdmin.body.reviewers);
    const asAuditor = await client(rt, { as: USER_OF.auditor }).get(`/approvals/${approvalId}`);
    expect(asAuditor.status).toBe(200);
    expect(asAuditor.body.reviewLinks).toEqual({});
  });

  it('a reviewer\'s queue is their own; asking for someone else\'s is refused', async () => {
    const mine = await client(rt, { as: USER_OF.reviewer }).get('/approvals');
    expect(mine.body.approvals.map((a: { approvalId: string }) => a.approvalId)).toContain(approvalId);
    expect(mine.body.approvals.every((a: { reviewers: string[] }) => a.reviewers.includes(USER_OF.reviewer))).toBe(true);
    const lead = await client(rt, { as: 'support-lead@example.com' }).get('/approvals');
    expect(lead.body.approvals.map((a: { approvalId: string }) => a.approvalId)).not.toContain(approvalId);
    expect((await client(rt, { as: 'support-lead@example.com' }).get(`/approvals?reviewer=${USER_OF.reviewer}`)).status).toBe(403);
  });

  it('the author of a knowledge version is the signed-in caller, never a body field', async () => {
    const author = client(rt, { as: USER_OF.author });
    const named = await author.post('/knowledge/support/documents', { fileName: 'who.md', content: '# Who\n\nA test.', author: 'ceo@example.com' });
    expect(named.status).toBe(400);
    expect(named.body.error.field).toBe('body.author');
    const put = await author.post('/knowledge/support/documents', { fileName: 'who.md', content: '# Who\n\nA test.' });
    expect(put.status).toBe(201);
    expect(put.body.author).toBe(USER_OF.author);
  });

  it('describes every route, with who may call it, in GET /openapi.json', async () => {
    const { status, body } = await client(rt, { as: null }).get('/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    for (const [id, route] of Object.entries(ROUTES) as [string, RouteSpec][]) {
      const op = body.paths[route.path][route.method.toLowerCase()];
      expect(op.operationId).toBe(id);
      if (route.access.kind === 'roles') expect(op['x-handrail-roles']).toEqual(route.access.roles);
      else expect(op.security).toEqual(route.access.kind === 'slack' ? [{ slackSignature: [] }] : []);
      expect(op.responses['429'].headers['Retry-After']).toBeDefined();
    }
    expect(Object.keys(body.components.securitySchemes)).toEqual(['idToken', 'reviewerToken', 'slackSignature']);
    expect(body.paths['/runs'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['workflowId', 'status', 'releaseId', 'from', 'to', 'limit', 'cursor']);
  });
});
