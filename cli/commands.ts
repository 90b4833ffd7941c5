/** Each CLI command: parse its arguments, call the API, print the result. */
import { randomUUID } from 'node:crypto';
import { createPatch } from 'diff';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { LOCAL_ISSUER_PATH } from '../functions/auth/local-identity.js';
import { issuerKey, mintIdToken, UnknownUserError } from '../local/identity-issuer.js';
import { webhookSecretIn } from '../local/signing-secret-file.js';
import { vendorSecretName } from '../functions/triggers/webhook-secrets.js';
import { VENDOR_SIGNATURES } from '../functions/triggers/vendor-signatures.js';
import type { VendorTriggerAuth } from '../state-machines/schema.js';
import { signedWebhookHeaders } from '../functions/triggers/standard-webhooks.js';
import { loadDirectory } from '../state-machines/directory.js';
import type { Release } from '../state-machines/release.js';
import type { AuditVerification } from '../functions/audit/verify-chain.js';
import type { Redriven } from '../functions/runs/redrive-run.js';
import { diffReleases as diffReleasesOf, formatReleaseDiff } from '../state-machines/release-diff.js';
import { DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, reviewerToken } from '../functions/approvals/reviewer-tokens.js';
import { signReviewToken } from '../functions/shared/review-link.js';
import { api, baseUrl, CliError } from './api-client.js';

function readFile(path: string | undefined, what: string): string {
  if (!path) throw new CliError(`${what}: give a file path`, 2);
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new CliError(`${what}: cannot read ${path}`, 2);
  }
}

function need(value: string | undefined, what: string): string {
  if (!value) throw new CliError(`missing ${what}; see \`handrail --help\``, 2);
  return value;
}

const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));

/** The workflow's webhook secret: HANDRAIL_WEBHOOK_SECRET, else the local runtime's (in the data dir). */
function webhookSecretFor(workflow: string, dataDir: string): string {
  if (process.env.HANDRAIL_WEBHOOK_SECRET) return process.env.HANDRAIL_WEBHOOK_SECRET;
  try {
    return webhookSecretIn(dataDir, workflow);
  } catch {
    throw new CliError(`no webhook secret for ${workflow}: set HANDRAIL_WEBHOOK_SECRET, or run \`npm start\` once (it makes ${dataDir}/webhook-secrets/${workflow})`, 2);
  }
}

/** Starts a run as the workflow's sender would: the body signed with its webhook secret (Standard Webhooks). */
export async function runWorkflow(workflow: string | undefined, inputFile: string | undefined, dataDir: string, idempotencyKey?: string) {
  const id = need(workflow, '<workflow>');
  const text = readFile(inputFile, '--input');
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    throw new CliError(`--input: ${inputFile} is not valid JSON`, 2);
  }
  const body = JSON.stringify(input);
  const signature = signedWebhookHeaders(webhookSecretFor(id, dataDir), `msg_${randomUUID()}`, body);
  print(await api('POST', `/webhooks/${encodeURIComponent(id)}`, input, { ...signature, ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) }));
}

/** Makes an API key for a webhook sender and prints it: the only time it is shown. */
export async function createKey(name: string | undefined, workflows: string | undefined) {
  const list = need(workflows, '--workflows <workflow>[,<workflow>…]').split(',').map((w) => w.trim()).filter(Boolean);
  const made = await api<{ keyId: string; key: string; workflows: string[] }>('POST', '/api-keys', { name: need(name, '<name>'), workflows: list });
  console.log(made.key);
  console.error(`key ${made.keyId} for ${made.workflows.join(', ')}: store it in the sender now, it is not shown again`);
}

export async function listKeys() {
  const { keys } = await api<{ keys: { keyId: string; name: string; workflows: string[]; status: string; createdAt: string; createdBy: string }[] }>('GET', '/api-keys');
  if (!keys.length) console.log('No API keys.');
  for (const k of keys) console.log(`${k.keyId}  ${k.status}  ${k.name}  workflows: ${k.workflows.join(', ')}  (${k.createdBy}, ${k.createdAt})`);
}

export async function revokeKey(keyId: string | undefined) {
  const { status } = await api<{ status: string }>('POST', `/api-keys/${encodeURIComponent(need(keyId, '<keyId>'))}/revoke`);
  console.log(`${keyId}: ${status}`);
}

type CatalogEntry = import('../functions/workflows/catalog.js').CatalogEntry;

export async function listWorkflows() {
  const { workflows } = await api<{ workflows: CatalogEntry[] }>('GET', '/workflows');
  if (!workflows.length) console.log('No workflows deployed.');
  for (const w of workflows) console.log(`${w.id}  ${w.name}  ${w.steps.length} steps  trigger: ${w.trigger.auth.join(' or ')}  release ${w.releaseId ?? '–'}`);
}

export async function showWorkflow(workflowId: string | undefined) {
  const w = await api<CatalogEntry>('GET', `/workflows/${encodeURIComponent(need(workflowId, '<workflow>'))}`);
  const lines = [`${w.id}: ${w.name}${w.description ? ` — ${w.description}` : ''}`, `  version ${w.version}, release ${w.releaseId ?? '–'}`, `  trigger: ${w.trigger.webhook} (${w.trigger.auth.join(' or ')}), input: ${w.trigger.input.join(', ')}`, '  steps:'];
  for (const s of w.steps) lines.push(`    ${s.id} (${s.kind}): ${s.does}`);
  for (const [step, levels] of Object.entries(w.reviewers)) lines.push(`  reviewers of ${step}: ${levels.map((people, i) => `level ${i}: ${people.join(', ')}`).join('; ')}`);
  for (const [target, url] of Object.entries(w.delivery)) lines.push(`  delivers to ${target}: ${url}`);
  for (const [collection, at] of Object.entries(w.knowledge)) lines.push(`  reads ${collection} at ${at}`);
  console.log(lines.join('\n'));
}

export async function listReleases(workflowId?: string) {
  const q = workflowId ? `?workflowId=${encodeURIComponent(workflowId)}` : '';
  const { releases } = await api<{ releases: { releaseId: string; workflowId: string; workflowVersion: string; firstSeenAt?: string; current: boolean }[] }>('GET', `/releases${q}`);
  if (!releases.length) console.log('No releases.');
  for (const r of releases) console.log(`${r.current ? '*' : ' '} ${r.releaseId}  ${r.workflowId}  workflow ${r.workflowVersion}  ${r.firstSeenAt ? `first run ${r.firstSeenAt}` : 'no run yet'}`);
}

const releasePath = (id: string | undefined, what: string) => `/releases/${encodeURIComponent(need(id, what))}`;

export async function showRelease(releaseId: string | undefined) {
  print(await api('GET', releasePath(releaseId, '<releaseId>')));
}

export async function diffReleases(a: string | undefined, b: string | undefined) {
  const [before, after] = await Promise.all([api<Release>('GET', releasePath(a, '<releaseA>')), api<Release>('GET', releasePath(b, '<releaseB>'))]);
  console.log(formatReleaseDiff(before, after, diffReleasesOf(before.manifest, after.manifest)));
}

interface ReleaseVersion {
  versionArn: string;
  version: number;
  releaseId?: string;
  createdAt?: string;
  weight?: number;
}

const versionName = (v: ReleaseVersion) => `${v.releaseId ?? '(no release)'} (version ${v.version})`;

export async function showRollout(workflow: string | undefined) {
  const { live, versions } = await api<{ live: ReleaseVersion[]; versions: ReleaseVersion[] }>('GET', `/workflows/${encodeURIComponent(need(workflow, '<workflow>'))}/rollout`);
  console.log(`New runs of ${workflow}: ${live.map((r) => `${r.weight}% ${versionName(r)}`).join(', ')}`);
  for (const v of versions) console.log(`${live.some((r) => r.versionArn === v.versionArn) ? '*' : ' '} ${versionName(v)}  published ${v.createdAt ?? '?'}`);
}

export async function rollback(workflow: string | undefined, to: string | undefined, reason: string | undefined) {
  const body = { reason: need(reason, '--reason (why; it is audited)'), ...(to ? { to } : {}) };
  const result = await api<{ from: ReleaseVersion[]; to: ReleaseVersion }>('POST', `/workflows/${encodeURIComponent(need(workflow, '<workflow>'))}/rollback`, body);
  console.log(`${workflow}: every new run now goes to ${versionName(result.to)} (was ${result.from.map((r) => `${r.weight}% ${versionName(r)}`).join(', ')}); runs already started finish on theirs`);
}

export async function verifyAudit(from: string | undefined, to: string | undefined) {
  const query = new URLSearchParams({ ...(from ? { from } : {}), ...(to ? { to } : {}) });
  const report = await api<AuditVerification>('GET', `/audit/verify${query.size ? `?${query}` : ''}`);
  for (const f of report.findings) console.log(`✗ ${f.kind}: ${f.message}`);
  console.log(`${report.ok ? '✓ the audit trail holds' : `✗ ${report.findings.length} finding(s)`}: ${report.events} event(s) in ${report.streams} stream(s), ${report.checkpoints} signed checkpoint(s), ${report.unsigned} event(s) not yet under a checkpoint${report.redacted ? `, ${report.redacted} redacted by an erasure` : ''}`);
  if (!report.ok) throw new CliError(`the audit trail was tampered with (${report.findings.length} finding(s) above)`);
}

export async function disableUser(userId: string | undefined, reason: string | undefined) {
  const { status, changed } = await api<{ status: string; changed: boolean }>('POST', '/users/disable', { userId: need(userId, '<email>'), reason: need(reason, '--reason (why; it is audited)') });
  console.log(`${userId}: ${status}${changed ? '' : ' (already)'}`);
}

export async function enableUser(userId: string | undefined) {
  const { status } = await api<{ status: string }>('POST', '/users/enable', { userId: need(userId, '<email>') });
  console.log(`${userId}: ${status}`);
}

export async function listDisabledUsers() {
  const { users } = await api<{ users: { userId: string; disabledAt: string; disabledBy: string; reason: string }[] }>('GET', '/users/disabled');
  if (!users.length) console.log('No disabled users.');
  for (const u of users) console.log(`${u.userId}  disabled ${u.disabledAt} by ${u.disabledBy}: ${u.reason}`);
}

/** Prints the local runtime's webhook secret of a workflow (give it to whatever posts to the webhook), or with a vendor its signing secret for that vendor (Zendesk, HubSpot). */
export function printWebhookSecret(workflow: string | undefined, dataDir: string, vendor?: VendorTriggerAuth) {
  const id = need(workflow, '<workflow>');
  if (!vendor) return console.log(webhookSecretFor(id, dataDir));
  try {
    console.log(webhookSecretIn(dataDir, vendorSecretName(id, vendor)));
  } catch {
    const { label } = VENDOR_SIGNATURES[vendor];
    throw new CliError(`no ${label} signing secret for ${id}: its trigger.auth must take ${vendor}, and \`npm start\` makes ${dataDir}/webhook-secrets/${vendorSecretName(id, vendor)} (replace it with the one ${label} shows)`, 2);
  }
}

export async function showRun(runId: string | undefined) {
  print(await api('GET', `/runs/${encodeURIComponent(need(runId, '<runId>'))}`));
}

export async function listRuns(workflowId?: string, status?: string) {
  const q = new URLSearchParams({ ...(workflowId ? { workflowId } : {}), ...(status ? { status } : {}) });
  print(await api('GET', `/runs?${q}`));
}

/** Resumes a run from its failed step (POST /runs/{runId}/redrive). */
export async function redriveRun(runId: string | undefined, reason: string | undefined) {
  const id = need(runId, '<runId>');
  const done = await api<Redriven>('POST', `/runs/${encodeURIComponent(id)}/redrive`, reason !== undefined ? { reason } : {});
  console.log(`✓ ${id} redriven from ${done.from} (redrive ${done.redriveCount}): it continues at the step that failed; follow it with \`npx handrail runs show ${id}\``);
}

export async function listApprovals(status = 'pending') {
  const { approvals } = await api<{ approvals: { approvalId: string; workflowId: string; stepId: string; reviewers: string[]; deadline: string; status: string }[] }>(
    'GET',
    `/approvals?status=${encodeURIComponent(status)}`,
  );
  if (!approvals.length) console.log(`No ${status} approvals.`);
  for (const a of approvals) console.log(`${a.approvalId}  ${a.status}  ${a.workflowId}/${a.stepId}  reviewers: ${a.reviewers.join(', ')}  deadline: ${a.deadline}`);
}

/**
 * Decides as the reviewer whose token is in HANDRAIL_REVIEWER_TOKEN (or --token), quoting the hash
 * of the draft as it stands now: the CLI shows nothing else, so it decides on the current draft.
 */
export async function decideApproval(
  action: 'approve' | 'edit' | 'reject',
  approvalId: string | undefined,
  opts: { token?: string; text?: string; textFile?: string; reason?: string; reasonCode?: string },
) {
  const token = need(
    opts.token ?? process.env.HANDRAIL_REVIEWER_TOKEN ?? process.env.HANDRAIL_TOKEN,
    '--token, HANDRAIL_REVIEWER_TOKEN (npx handrail reviewers token <reviewer>) or HANDRAIL_TOKEN (npx handrail login <reviewer>)',
  );
  const id = encodeURIComponent(need(approvalId, '<approvalId>'));
  const text = action === 'edit' ? (opts.textFile ? readFile(opts.textFile, '--text-file') : need(opts.text, '--text or --text-file')) : undefined;
  if (action !== 'approve' && !opts.reasonCode) throw new CliError(`missing --reason-code; ${action} needs one (see the approval's reasons)`, 2);
  const { draftHash } = await api<{ draftHash: string }>('GET', `/approvals/${id}`, undefined, { authorization: `Bearer ${token}` });
  const decided = await api<{ status: string; approvalId: string }>(
    'POST',
    `/approvals/${id}/decision`,
    { action, draftHash, ...(text ? { text } : {}), ...(opts.reasonCode ? { reasonCode: opts.reasonCode } : {}), ...(opts.reason ? { reason: opts.reason } : {}) },
    { authorization: `Bearer ${token}` },
  );
  console.log(`${decided.approvalId}: ${decided.status}`);
}

function localSecret(dataDir: string): string {
  let secret = process.env.HANDRAIL_SIGNING_SECRET;
  if (!secret) {
    try {
      secret = readFileSync(`${dataDir}/signing-secret`, 'utf8').trim();
    } catch {
      throw new CliError(`no signing secret: run \`npm start\` once (it creates ${dataDir}/signing-secret) or set HANDRAIL_SIGNING_SECRET`);
    }
  }
  return secret;
}

/**
 * Signs in locally: an ID token from the local runtime's issuer key (in the data dir), for a user
 * of the reviewer directory, with the issuer the running API expects (its discovery document).
 */
export async function login(userId: string | undefined, dataDir: string) {
  const user = need(userId, '<user> (an id from state-machines/reviewers.yaml, e.g. admin@example.com)');
  if (!existsSync(join(dataDir, 'identity'))) throw new CliError(`no local issuer key in ${dataDir}/identity: run \`npm start\` once (or set HANDRAIL_DATA_DIR)`);
  const { issuer } = await api<{ issuer: string }>('GET', `${LOCAL_ISSUER_PATH}/.well-known/openid-configuration`);
  try {
    console.log(await mintIdToken({ key: await issuerKey(dataDir), issuer, directory: loadDirectory(), userId: user }));
  } catch (err) {
    if (err instanceof UnknownUserError) throw new CliError(err.message, 2);
    throw err;
  }
}

/** Prints a reviewer's personal token, made with the local signing secret (or HANDRAIL_SIGNING_SECRET): the operator's shortcut. */
export function printReviewerToken(reviewer: string | undefined, dataDir: string, days?: string) {
  console.log(reviewerToken(localSecret(dataDir), need(reviewer, '<reviewer>'), { days: parseDays(days) }));
}

function parseDays(days: string | undefined): number | undefined {
  if (days === undefined) return undefined;
  const n = Number(days);
  if (!Number.isInteger(n) || n < 1 || n > MAX_TOKEN_DAYS) throw new CliError(`--days: a whole number of days from 1 to ${MAX_TOKEN_DAYS}`, 2);
  return n;
}

/** A personal token for the signed-in user (HANDRAIL_TOKEN), through the API: shown once. */
export async function createToken(days: string | undefined) {
  const made = await api<{ token: string; tokenId: string; expiresAt: string }>('POST', '/personal-tokens', { days: parseDays(days) ?? DEFAULT_TOKEN_DAYS });
  console.log(made.token);
  console.error(`token ${made.tokenId} expires ${made.expiresAt}: store it now, it is not shown again`);
}

/** Revokes one personal token: the token itself, or (as an admin) its id. */
export async function revokeToken(tokenOrId: string | undefined) {
  const value = need(tokenOrId, '<token or token id>');
  const body = /^[A-Za-z0-9_-]{16}$/.test(value) ? { tokenId: value } : { token: value };
  const { tokenId, status } = await api<{ tokenId: string; status: string }>('POST', '/personal-tokens/revoke', body);
  console.log(`${tokenId}: ${status}`);
}

/** Prints a reviewer's signed inbox link (valid 7 days) on HANDRAIL_URL. */
export function printInboxLink(reviewer: string | undefined, dataDir: string) {
  const token = signReviewToken(localSecret(dataDir), { approvalId: '*', reviewer: need(reviewer, '<reviewer>'), expiresAt: Math.floor(Date.now() / 1000) + 7 * 24 * 3600 });
  console.log(`${baseUrl()}/inbox/${token}`);
}

export async function kbPut(collection: string | undefined, file: string | undefined) {
  const content = readFile(file, '<file>');
  const version = await api<{ docId: string; version: number; sha256: string; unchanged?: boolean }>('POST', `/knowledge/${encodeURIComponent(need(collection, '<collection>'))}/documents`, {
    fileName: basename(file!),
    content,
  });
  console.log(`${collection}/${version.docId} v${version.version} sha256:${version.sha256.slice(0, 12)}${version.unchanged ? ' (unchanged)' : ''}`);
}

export async function kbList(collection: string | undefined) {
  const { documents } = await api<{ documents: { docId: string; version: number; title: string; author: string; createdAt: string }[] }>(
    'GET',
    `/knowledge/${encodeURIComponent(need(collection, '<collection>'))}/documents`,
  );
  if (!documents.length) console.log(`Collection ${collection} has no documents.`);
  for (const d of documents) console.log(`${d.docId}  v${d.version}  ${d.title}  (${d.author}, ${d.createdAt})`);
}

type VersionRow = { docId: string; version: number; title: string; author: string; createdAt: string; sha256: string };

export async function kbHistory(collection: string | undefined, docId: string | undefined) {
  const q = docId ? `?docId=${encodeURIComponent(docId)}` : '';
  const { versions } = await api<{ versions: VersionRow[] }>('GET', `/knowledge/${encodeURIComponent(need(collection, '<collection>'))}/history${q}`);
  if (!versions.length) console.log(`No versions in ${collection}${docId ? `/${docId}` : ''}.`);
  for (const v of versions) console.log(`${v.createdAt}  ${v.docId}  v${v.version}  sha256:${v.sha256.slice(0, 12)}  ${v.author}  ${v.title}`);
}

/** `support/refunds` → its collection and document. */
function documentRef(ref: string | undefined): { collection: string; docId: string } {
  const [collection, docId, extra] = need(ref, '<collection>/<doc>').split('/');
  if (!collection || !docId || extra !== undefined) throw new CliError(`"${ref}": name the document as <collection>/<doc>, e.g. support/refunds-and-billing-cycle`, 2);
  return { collection, docId };
}

function versionNumber(value: string | undefined, what: string): number {
  if (!/^[1-9]\d*$/.test(need(value, what))) throw new CliError(`${what}: a version number such as 2, not "${value}"`, 2);
  return Number(value);
}

export async function kbDiff(ref: string | undefined, from: string | undefined, to: string | undefined) {
  const { collection, docId } = documentRef(ref);
  const [a, b] = [versionNumber(from, '<v1>'), versionNumber(to, '<v2>')];
  const path = (v: number) => `/knowledge/${encodeURIComponent(collection)}/documents/${encodeURIComponent(docId)}/versions/${v}`;
  const [before, after] = await Promise.all([api<{ text: string }>('GET', path(a)), api<{ text: string }>('GET', path(b))]);
  process.stdout.write(createPatch(`${collection}/${docId}`, before.text, after.text, `v${a}`, `v${b}`, { context: 3 }));
}

export async function kbRuns(ref: string | undefined, version: string | undefined) {
  const { collection, docId } = documentRef(ref);
  const v = versionNumber(version, '<version>');
  const { runs, truncated } = await api<{ runs: { runId: string; snapshot: string }[]; truncated: boolean }>('GET', `/knowledge/${encodeURIComponent(collection)}/documents/${encodeURIComponent(docId)}/versions/${v}/runs?limit=1000`);
  if (!runs.length) console.log(`No run searched ${collection}/${docId} v${v}.`);
  for (const r of runs) console.log(`${r.runId}  snapshot ${r.snapshot}`);
  if (truncated) console.log('(more runs: only the first 1000 are listed)');
}

export async function kbLabel(collection: string | undefined, label: string | undefined) {
  const made = await api<{ label: string; versions: Record<string, number> }>('POST', `/knowledge/${encodeURIComponent(need(collection, '<collection>'))}/labels`, { label: need(label, '<label>') });
  console.log(`${collection}@${made.label}: ${Object.entries(made.versions).map(([d, v]) => `${d} v${v}`).join(', ') || 'no documents'}`);
}

export async function kbLabels(collection: string | undefined) {
  const { labels } = await api<{ labels: { label: string; versions: Record<string, number>; createdAt: string; createdBy: string }[] }>('GET', `/knowledge/${encodeURIComponent(need(collection, '<collection>'))}/labels`);
  if (!labels.length) console.log(`Collection ${collection} has no labels.`);
  for (const l of labels) console.log(`${l.label}  ${Object.keys(l.versions).length} document(s)  (${l.createdBy}, ${l.createdAt})`);
}

export async function kbRestore(ref: string | undefined, version: string | undefined, reason: string | undefined) {
  const { collection, docId } = documentRef(ref);
  const restored = await api<{ version: number; restoredFrom: number; unchanged?: boolean }>('POST', `/knowledge/${encodeURIComponent(collection)}/documents/${encodeURIComponent(docId)}/restore`, {
    version: versionNumber(version, '<version>'),
    ...(reason ? { reason } : {}),
  });
  console.log(restored.unchanged ? `${collection}/${docId}: v${restored.restoredFrom} is already the latest content (unchanged)` : `${collection}/${docId} v${restored.version} (the content of v${restored.restoredFrom})`);
}

const percent = (rate: number | null) => (rate === null ? '–' : `${Math.round(rate * 1000) / 10}%`);
const seconds = (ms: number | null) => (ms === null ? '–' : `${Math.round(ms / 100) / 10}s`);

/** One line per route path: status, figures over the window, and the rule they are judged by. */
export async function showAutonomy(workflowId?: string) {
  type Path = {
    routeKey: string;
    status: string;
    rule: { minDecisions: number; minUneditedApprovalRate: number; spotCheckRate: number; window: number } | null;
    figures: { decisions: number; window: number; approvalRate: number | null; uneditedApprovalRate: number | null; rejectionReasons: Record<string, number>; medianDecisionMs: number | null };
    autoApproved: number;
  };
  const { paths } = await api<{ paths: Path[] }>('GET', `/autonomy${workflowId ? `?workflowId=${encodeURIComponent(workflowId)}` : ''}`);
  if (!paths.length) console.log('No route paths.');
  for (const p of paths) {
    const f = p.figures;
    const reasons = Object.entries(f.rejectionReasons).map(([code, n]) => `${code}×${n}`).join(' ');
    const rule = p.rule
      ? `rule: ≥${p.rule.minDecisions} decisions, ≥${percent(p.rule.minUneditedApprovalRate)} unedited, ${percent(p.rule.spotCheckRate)} spot checks, window ${p.rule.window}`
      : 'no rule';
    console.log(
      `${p.routeKey}  ${p.status.replace(/_/g, '-')}  decisions ${f.decisions}/${f.window}  unedited ${percent(f.uneditedApprovalRate)}  approved ${percent(f.approvalRate)}  ` +
        `median ${seconds(f.medianDecisionMs)}  auto-approved ${p.autoApproved}${reasons ? `  rejections ${reasons}` : ''}  ${rule}`,
    );
  }
}
