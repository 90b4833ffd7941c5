/**
 * Every route of the HTTP API, declared once: method, path, who may call it, and the zod schemas of
 * what it takes. The Hono app (app.ts), the API Gateway routes and their authorizer
 * (infra/constructs/http-api.ts), the OpenAPI document (GET /openapi.json) and the access tests
 * are all derived from this table; a route cannot be served without an entry, and an entry cannot
 * be written without saying who may call it (`access` is required).
 */
import * as z from 'zod';
import { decisionBodySchema } from '../approvals/decision-schema.js';
import { safeReturnTo } from '../auth/return-to.js';
import type { Role } from '../auth/roles.js';
import { labelName, sourceSchema } from '../knowledge/validation.js';
import { ID_SHAPES, idSchema } from '../shared/ids.js';
import { stageNameSchema } from '../shared/stage-name.js';
import { APPROVAL_STATUSES } from '../records/approvals.js';
import { RUN_STATUSES } from '../records/runs.js';

/**
 * Who may call a route:
 * - `public`: anyone (nothing behind it reads customer data or changes state);
 * - `roles`: a signed-in caller with one of the roles (an identity provider's ID token, or a
 *   reviewer's personal API token, which carries the `reviewer` role);
 * - `link`: the bearer of a signed capability link in the path (a review or inbox link: one
 *   reviewer, one approval, an expiry);
 * - `slack`: Slack, proved by its request signature;
 * - `webhook`: the workflow's trigger (a SaaS tool posting input);
 * - `sign-in`: anyone's browser, signing in with the stage's issuer (state, nonce, PKCE) or out
 *   (the form's Origin is checked); these pages set or clear the session cookie, nothing else;
 * - `console`: a page of the web console, for a browser signed in (the session cookie) as someone
 *   with one of the roles; without a session it is sent to sign in and back.
 */
export type Access =
  | { readonly kind: 'public' }
  | { readonly kind: 'roles'; readonly roles: readonly Role[] }
  | { readonly kind: 'console'; readonly roles: readonly Role[] }
  | { readonly kind: 'link' }
  | { readonly kind: 'slack' }
  | { readonly kind: 'webhook' }
  | { readonly kind: 'sign-in' };

export const PUBLIC: Access = { kind: 'public' };
export const LINK: Access = { kind: 'link' };
export const SLACK: Access = { kind: 'slack' };
export const WEBHOOK: Access = { kind: 'webhook' };
export const SIGN_IN: Access = { kind: 'sign-in' };
export const roles = (...allowed: Role[]): Access => ({ kind: 'roles', roles: allowed });
export const consolePage = (...allowed: Role[]) => ({ kind: 'console', roles: allowed }) as const satisfies Access;

export interface RouteSpec {
  readonly method: 'GET' | 'POST';
  /** OpenAPI form: `/runs/{runId}`. */
  readonly path: string;
  readonly summary: string;
  readonly access: Access;
  readonly query?: z.ZodType;
  /** A JSON body's schema; `workflow-input` when each workflow declares its own (webhooks). */
  readonly body?: z.ZodType | 'workflow-input';
  /** A form body (the review page's form). */
  readonly form?: z.ZodType;
  /** Served as HTML (pages people open). */
  readonly html?: boolean;
}

const returnTo = z
  .string()
  .max(2048)
  .refine((v) => safeReturnTo(v) !== undefined, 'a path on this site, such as /review/…')
  .optional();
const page = { limit: z.coerce.number().int().min(1).max(100).default(25), cursor: z.string().optional() };
const workflowId = idSchema('workflowId', 'a workflow id').optional();
const releaseId = idSchema('releaseId', 'a release id (rel- and 16 hex digits)');
/** A field of a GET form: the browser sends it empty when nothing was chosen. */
const formField = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
/** Why someone did something that is audited. */
const auditedReason = z.string().trim().min(1, 'reason: say why (it is audited)').max(500);
const count = z.number().int().min(0);
/** A time in a query or body, named by its field. */
const isoTime = (field: string, example: string) => z.iso.datetime({ offset: true, message: `${field}: an ISO 8601 time, e.g. ${example}` });
/** A window of time in a query: from, to, either or neither. */
const timeWindow = { from: isoTime('from', '2026-11-01T00:00:00Z').optional(), to: isoTime('to', '2026-11-30T00:00:00Z').optional() };

export const schemas = {
  listRuns: z.object({ workflowId, status: z.enum(RUN_STATUSES).optional(), releaseId: releaseId.optional(), ...timeWindow, ...page }).strict(),
  listApprovals: z
    .object({
      status: z.enum(APPROVAL_STATUSES).default('pending'),
      reviewer: z.string().min(1).max(320).optional(),
      workflowId,
      /** Only requests waiting at least this long. */
      olderThanMinutes: z.coerce.number().min(0).max(1e7).optional(),
      ...page,
    })
    .strict(),
  decision: decisionBodySchema,
  reviewForm: z.object({
    action: z.enum(['approve', 'edit', 'reject']),
    draftHash: z.string().max(64),
    itemId: z.string().regex(ID_SHAPES.itemId, 'a part id').optional(),
    text: z.string().max(20000).optional(),
    reasonCode: z.string().max(32).optional(),
    reason: z.string().max(2000).optional(),
  }),
  /** A knowledge document's new version; its author is the signed-in caller. */
  putDocument: z
    .object({
      fileName: z.string().min(1).max(255),
      content: z.string().min(1, 'content must not be empty'),
      docId: z.string().max(128).optional(),
      /** Where it was synced from (`npx handrail kb sync`). */
      source: sourceSchema.optional(),
    })
    .strict(),
  /** Why the document leaves its collection (audited), and the sync that found it gone. */
  removeDocument: z.object({ reason: auditedReason, source: sourceSchema.optional() }).strict(),
  usage: z
    .object({ workflowId, day: z.iso.date('a day as YYYY-MM-DD').optional() })
    .strict()
    .refine((q) => q.workflowId || q.day, { message: 'give workflowId, day (YYYY-MM-DD), or both', path: ['workflowId'] }),
  autonomy: z.object({ workflowId }).strict(),
  listReleases: z.object({ workflowId }).strict(),
  /** A label to freeze the collection's latest versions under. */
  createLabel: z.object({ label: labelName }).strict(),
  versionRuns: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict(),
  knowledgeHistory: z.object({ docId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,127}$/, 'a document id').optional() }).strict(),
  /** Which version's content becomes the new latest version, and why (kept in the audit trail). */
  restoreDocument: z.object({ version: z.number().int().min(1), reason: z.string().trim().max(500).optional() }).strict(),
  /** A new API key for webhook senders: a name people recognize, and the workflows it may start. */
  createPersonalToken: z.object({ days: z.number().int().min(1).max(90).default(30) }).strict(),
  /** A token to revoke: the token itself (its holder), or its id (an admin; the holder's own id works too). */
  revokePersonalToken: z.union([z.object({ token: z.string().min(10).max(2000) }).strict(), z.object({ tokenId: z.string().regex(/^[A-Za-z0-9_-]{16}$/, 'a token id') }).strict()]),
  /** Where a workflow's new runs go back to (a release id; default: the release before), and why (audited). */
  rollback: z.object({ to: releaseId.optional(), reason: auditedReason }).strict(),
  /** Which release re-runs which recorded runs: those that ended from `from` (to `to`, default now), at most `limit`. */
  startReplay: z
    .object({
      release: releaseId,
      from: isoTime('from', '2026-11-01T00:00:00Z'),
      to: isoTime('to', '2026-11-30T00:00:00Z').optional(),
      limit: z.number().int().min(1).max(200).default(20),
    })
    .strict(),
  /**
   * Send every new run to the release this stage deploys, taken from the stage before (`from`) on
   * this evidence of it there (state-machines/promotion.ts; npx handrail promote gathers it), and why.
   */
  promote: z
    .object({
      release: releaseId,
      from: stageNameSchema,
      to: stageNameSchema,
      reason: auditedReason,
      evidence: z
        .object({
          stage: stageNameSchema,
          releases: z.array(z.object({ releaseId: releaseId, runs: count }).strict()).max(100),
          replay: z.object({ replayId: idSchema('replayId', 'a replay id'), runs: count, changedOutcome: count, changedPath: count }).strict().optional(),
        })
        .strict(),
    })
    .strict(),
  /** Which recorded events of the audit trail to report on (all when neither is given). */
  verifyAudit: z.object(timeWindow).strict(),
  /** A page of the audit events recorded in a window (all when neither end is given). */
  listAuditEvents: z
    .object({
      ...timeWindow,
      limit: z.coerce.number().int().min(1).max(1000).default(500),
      cursor: z.string().optional(),
    })
    .strict(),
  /** A user to disable: their email (the id their tokens carry), and why (kept in the audit trail). */
  disableUser: z.object({ userId: z.email('userId: an email address').max(320), reason: auditedReason }).strict(),
  enableUser: z.object({ userId: z.email('userId: an email address').max(320) }).strict(),
  /** Whose data to erase (their email address), and why (kept in the audit trail, without the address). */
  /** The runs explorer's filter form: empty fields mean "any"; dates are whole UTC days (to: up to the end of that day). */
  consoleRuns: z
    .object({
      workflowId: formField(idSchema('workflowId', 'a workflow id')),
      status: formField(z.enum(RUN_STATUSES)),
      releaseId: formField(releaseId),
      from: formField(z.iso.date({ message: 'from: a date, e.g. 2026-11-01' })),
      to: formField(z.iso.date({ message: 'to: a date, e.g. 2026-11-30' })),
      cursor: formField(z.string().max(2048)),
    })
    .strict(),
  consoleDashboard: z
    .object({
      workflowId: formField(idSchema('workflowId', 'a workflow id')),
      days: z.preprocess((v) => (v === '' || v === undefined ? '14' : v), z.enum(['7', '14', '30'], { message: 'days: 7, 14 or 30' })).transform(Number),
    })
    .strict(),
  consoleAudit: z
    .object({
      from: formField(z.iso.date({ message: 'from: a date, e.g. 2026-11-01' })),
      to: formField(z.iso.date({ message: 'to: a date, e.g. 2026-11-30' })),
      verify: formField(z.literal('1', { message: 'verify: 1, or leave it out' })),
      cursor: formField(z.string().max(2048)),
    })
    .strict(),
  redriveRun: z.object({ reason: z.string().trim().min(1, 'reason: say what was fixed, or leave it out').max(500).optional() }).strict(),
  eraseSubject: z.object({ subject: z.email('subject: an email address').max(320), reason: z.string().trim().min(1, 'reason: say why, or leave it out').max(500).optional() }).strict(),
  signIn: z.object({ returnTo }).strict(),
  /** What the issuer sends the browser back with (oauth4webapi checks it: state, iss, code or error). */
  signInCallback: z.object({ code: z.string().max(2048).optional(), state: z.string().max(512).optional(), iss: z.string().max(2048).optional(), error: z.string().max(256).optional(), error_description: z.string().max(2048).optional() }),
  signOut: z.object({ returnTo }).strict(),
  createApiKey: z
    .object({
      name: z.string().trim().min(1, 'name is required').max(100),
      workflows: z.array(idSchema('workflowId', 'a workflow id')).min(1, 'workflows: name at least one workflow the key may start').max(50),
    })
    .strict(),
};

const readers = roles('admin', 'auditor', 'author');
const deciders = roles('admin', 'reviewer');

export const ROUTES = {
  health: { method: 'GET', path: '/health', summary: 'Liveness check', access: PUBLIC },
  openapi: { method: 'GET', path: '/openapi.json', summary: 'This API, as an OpenAPI 3.1 document', access: PUBLIC },
  startRun: { method: 'POST', path: '/webhooks/{workflowId}', summary: "Start a run of the workflow with the body as its input (Idempotency-Key header: one run per key)", access: WEBHOOK, body: 'workflow-input' },
  listRuns: { method: 'GET', path: '/runs', summary: 'Runs, newest first, by workflow, status, release and start time (from inclusive, to exclusive)', access: roles('admin', 'auditor', 'author'), query: schemas.listRuns },
  getRun: { method: 'GET', path: '/runs/{runId}', summary: 'Everything a run did: steps, approvals, usage, audit trail', access: roles('admin', 'auditor', 'author') },
  consoleDashboard: { method: 'GET', path: '/console/dashboard', summary: 'The web console: success rate, decisions and their reasons, time to decision, handling time against the baseline, cost by day, workflow and model, errors (charts, with their figures)', access: consolePage('admin', 'auditor', 'author'), query: schemas.consoleDashboard, html: true },
  consoleAudit: { method: 'GET', path: '/console/audit', summary: "The web console: the audit trail by day, a page at a time, and its verification on request (every edited, inserted or deleted event, and where)", access: consolePage('admin', 'auditor'), query: schemas.consoleAudit, html: true },
  consoleRuns: { method: 'GET', path: '/console/runs', summary: 'The web console: runs by workflow, status, release and day, newest first', access: consolePage('admin', 'auditor', 'author'), query: schemas.consoleRuns, html: true },
  consoleRun: { method: 'GET', path: '/console/runs/{runId}', summary: "The web console: one run's timeline (steps with input and output, model attempts, gate verdicts, approvals with the edit diff, delivery, audit events)", access: consolePage('admin', 'auditor', 'author'), html: true },
  redriveRun: { method: 'POST', path: '/runs/{runId}/redrive', summary: 'Resume a run in the human queue (needs_human, delivery_failed) or failed, from the step that failed: Step Functions RedriveExecution (audited with who and why)', access: roles('admin', 'author'), body: schemas.redriveRun },
  listApprovals: { method: 'GET', path: '/approvals', summary: "Approval requests by status (a reviewer sees their own queue)", access: roles('admin', 'auditor', 'reviewer'), query: schemas.listApprovals },
  getApproval: { method: 'GET', path: '/approvals/{approvalId}', summary: "An approval request; the caller's own review link while it is pending (every reviewer's for an admin)", access: roles('admin', 'auditor', 'reviewer') },
  decide: { method: 'POST', path: '/approvals/{approvalId}/decision', summary: 'Approve, edit or reject, as the signed-in reviewer', access: deciders, body: schemas.decision },
  decidePart: { method: 'POST', path: '/approvals/{approvalId}/items/{itemId}/decision', summary: 'Decide one part of a multi-part approval, as the signed-in reviewer', access: deciders, body: schemas.decision },
  reviewPage: { method: 'GET', path: '/review/{token}', summary: 'The review page a reviewer opens from a signed link', access: LINK, html: true },
  reviewForm: { method: 'POST', path: '/review/{token}', summary: "The review page's decision form", access: LINK, form: schemas.reviewForm, html: true },
  inbox: { method: 'GET', path: '/inbox/{token}', summary: "A reviewer's pending requests, from a signed inbox link", access: LINK, html: true },
  slackInteractions: { method: 'POST', path: '/slack/interactions', summary: "Slack's interactivity requests (approval buttons and modals; message shortcuts that start the workflow whose trigger.slack declares them)", access: SLACK },
  slackCommands: { method: 'POST', path: '/slack/commands', summary: "Slack slash commands: start a run of the workflow whose trigger.slack declares the command, and answer Slack at once with an ephemeral acknowledgement", access: SLACK },
  listDocuments: { method: 'GET', path: '/knowledge/{collection}/documents', summary: "The latest version of each document in a collection", access: readers },
  putDocument: { method: 'POST', path: '/knowledge/{collection}/documents', summary: 'Add a new immutable version of a document, authored by the caller', access: roles('admin', 'author'), body: schemas.putDocument },
  knowledgeHistory: { method: 'GET', path: '/knowledge/{collection}/history', summary: "Every version of a collection's documents (or of one: ?docId=), newest first, with author and content hash", access: readers, query: schemas.knowledgeHistory },
  getDocumentVersion: { method: 'GET', path: '/knowledge/{collection}/documents/{docId}/versions/{version}', summary: 'One version of a document, with its text', access: readers },
  versionRuns: { method: 'GET', path: '/knowledge/{collection}/documents/{docId}/versions/{version}/runs', summary: 'Which runs searched this version of a document (their retrieve steps), so a change in answers can be traced to a knowledge update', access: readers, query: schemas.versionRuns },
  listLabels: { method: 'GET', path: '/knowledge/{collection}/labels', summary: "A collection's labels: named, frozen sets of document versions a workflow's retrieval can pin", access: readers },
  createLabel: { method: 'POST', path: '/knowledge/{collection}/labels', summary: "Freeze the collection's latest versions under a label (labels never move; audited)", access: roles('admin', 'author'), body: schemas.createLabel },
  removeDocument: { method: 'POST', path: '/knowledge/{collection}/documents/{docId}/remove', summary: 'Remove a document from its collection: a new version marked removed (history keeps the rest; audited)', access: roles('admin', 'author'), body: schemas.removeDocument },
  restoreDocument: { method: 'POST', path: '/knowledge/{collection}/documents/{docId}/restore', summary: "A new version with an earlier version's content, authored by the caller (audited)", access: roles('admin', 'author'), body: schemas.restoreDocument },
  usage: { method: 'GET', path: '/usage', summary: 'Tokens and cost by workflow and day', access: roles('admin', 'auditor'), query: schemas.usage },
  autonomy: { method: 'GET', path: '/autonomy', summary: 'Graduated autonomy per route path: figures and status', access: readers, query: schemas.autonomy },
  createPersonalToken: { method: 'POST', path: '/personal-tokens', summary: "A personal API token for the signed-in reviewer (CLI, scripts): expires in `days` (1-90, default 30)", access: roles('admin', 'reviewer'), body: schemas.createPersonalToken },
  revokePersonalToken: { method: 'POST', path: '/personal-tokens/revoke', summary: 'Revoke one personal token, at once: its holder by presenting it, an admin by its id', access: roles('admin', 'reviewer'), body: schemas.revokePersonalToken },
  listWorkflows: { method: 'GET', path: '/workflows', summary: 'The deployed workflows: trigger, steps, reviewers by level, delivery, knowledge, release', access: readers },
  getWorkflow: { method: 'GET', path: '/workflows/{workflowId}', summary: 'One deployed workflow, as the catalog describes it', access: readers },
  getRollout: { method: 'GET', path: '/workflows/{workflowId}/rollout', summary: "Which releases take the workflow's new runs, at what weight, and every version it has had", access: readers },
  startReplay: { method: 'POST', path: '/workflows/{workflowId}/replays', summary: "Re-run recorded runs' inputs through a release (a published version): nothing delivered, nobody asked; compare with GET /replays/{replayId}", access: roles('admin', 'author'), body: schemas.startReplay },
  getReplay: { method: 'GET', path: '/replays/{replayId}', summary: 'A replay side by side with the runs it re-ran: outcome, route, classification, gates, draft length and citations, cost, latency, and how a person decided the original', access: readers },
  promote: { method: 'POST', path: '/workflows/{workflowId}/promotions', summary: 'Send every new run to the release this stage deploys, promoted from the stage before on the evidence npx handrail promote gathered there (audited with who and why)', access: roles('admin'), body: schemas.promote },
  rollback: { method: 'POST', path: '/workflows/{workflowId}/rollback', summary: 'Send every new run back to an earlier release at once, without a deploy (runs already started finish on theirs; audited)', access: roles('admin'), body: schemas.rollback },
  listAuditEvents: { method: 'GET', path: '/audit/events', summary: 'A page of the audit events recorded in a window, every stream, with a cursor for the next (what npx handrail audit export streams)', access: roles('admin', 'auditor'), query: schemas.listAuditEvents },
  verifyAudit: { method: 'GET', path: '/audit/verify', summary: 'Walk the hash-chained audit trail and its signed checkpoints: every edited, inserted or deleted event, and where', access: roles('admin', 'auditor'), query: schemas.verifyAudit },
  listReleases: { method: 'GET', path: '/releases', summary: "Each workflow's releases, newest first: the one deployed now, and every one a run started on", access: readers, query: schemas.listReleases },
  getRelease: { method: 'GET', path: '/releases/{releaseId}', summary: 'One release: its manifest (definition with prompts and gates, reviewers, delivery, prices, knowledge)', access: readers },
  listDisabledUsers: { method: 'GET', path: '/users/disabled', summary: 'Users whose sign-ins, tokens and links are refused', access: roles('admin', 'auditor') },
  disableUser: { method: 'POST', path: '/users/disable', summary: "Disable a user: their ID tokens, personal tokens and review links stop working at once (audited with the reason)", access: roles('admin'), body: schemas.disableUser },
  enableUser: { method: 'POST', path: '/users/enable', summary: 'Enable a disabled user again (audited)', access: roles('admin'), body: schemas.enableUser },
  eraseSubject: { method: 'POST', path: '/erasures', summary: "Erase a person's email address from every run, step record, approval, stored citation and audit event (GDPR); the erasure is audited and audit verify still holds", access: roles('admin'), body: schemas.eraseSubject },
  listApiKeys: { method: 'GET', path: '/api-keys', summary: 'API keys of webhook senders (never their secrets)', access: roles('admin') },
  createApiKey: { method: 'POST', path: '/api-keys', summary: 'Make an API key for webhook senders, scoped to workflows; the key is in this answer only', access: roles('admin'), body: schemas.createApiKey },
  signIn: { method: 'GET', path: '/auth/login', summary: "Sign in with a browser: off to the stage's identity provider, then back to `returnTo` (a path on this site)", access: SIGN_IN, query: schemas.signIn, html: true },
  signInCallback: { method: 'GET', path: '/auth/callback', summary: 'Where the identity provider sends the browser back: the code is exchanged (PKCE) and the session cookie set', access: SIGN_IN, query: schemas.signInCallback, html: true },
  signOut: { method: 'POST', path: '/auth/logout', summary: "Sign out: the browser's session cookie is cleared (a form from this site's pages)", access: SIGN_IN, form: schemas.signOut, html: true },
  revokeApiKey: { method: 'POST', path: '/api-keys/{keyId}/revoke', summary: 'Revoke an API key: it stops working at once', access: roles('admin') },
} as const satisfies Record<string, RouteSpec>;

export type RouteId = keyof typeof ROUTES;

/** The console's pages: served by their own function on AWS (functions/api/console-handler.ts). */
export type ConsoleRouteId = { [K in RouteId]: (typeof ROUTES)[K]['access'] extends { kind: 'console' } ? K : never }[RouteId];

/** Where the knowledge routes live: every path under it is served by the knowledge function. */
export const KNOWLEDGE_PATH_PREFIX = '/knowledge/';

/**
 * The knowledge routes: served by their own function on AWS (functions/api/knowledge-handler.ts), so
 * the S3 client they need stays out of the API's bundle.
 */
export type KnowledgeRouteId = { [K in RouteId]: (typeof ROUTES)[K]['path'] extends `${typeof KNOWLEDGE_PATH_PREFIX}${string}` ? K : never }[RouteId];

/** The Lambda functions the HTTP API's routes are served by. */
export type RouteFunction = 'api' | 'console' | 'knowledge';

/** Which Lambda function serves a route: the console's pages theirs, the knowledge routes theirs, every other route the API's. */
export function servedBy(route: RouteSpec): RouteFunction {
  if (route.access.kind === 'console') return 'console';
  return route.path.startsWith(KNOWLEDGE_PATH_PREFIX) ? 'knowledge' : 'api';
}

/** Where the issuer sends a browser back after sign-in: registered with it as a callback URL (infra/constructs/identity.ts). */
export const SIGN_IN_CALLBACK_PATH = ROUTES.signInCallback.path;

/** `/runs/{runId}` → `/runs/:runId` (Hono's form). */
export function honoPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}
