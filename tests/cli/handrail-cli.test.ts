/** The `handrail` CLI, run as a user runs it, against a local runtime. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewerToken, verifyReviewerToken } from '../../functions/approvals/reviewer-tokens.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { client, startSignedReceiver, startTestRuntime, waitFor } from '../support/local-runtime.js';

const bin = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'handrail-cli-'));
let rt: LocalRuntime;
let receiver: Awaited<ReturnType<typeof startSignedReceiver>>;

async function handrail(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], {
      env: { ...process.env, HANDRAIL_URL: rt?.url ?? 'http://127.0.0.1:9', ...env },
      cwd: work,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  rt = await startTestRuntime();
  receiver = await startSignedReceiver(rt.deliverySecret);
  process.env.SUPPORT_REPLY_URL = receiver.url;
  writeFileSync(join(work, 'ticket.json'), JSON.stringify({ ticketId: 'C-1', subject: 'Export', body: 'How can I export my data?' }));
  writeFileSync(join(work, 'bad.json'), '{ nope');
  writeFileSync(join(work, 'shipping.md'), '# Shipping\n\nWe ship worldwide within five working days.\n');
});

afterAll(async () => {
  await receiver?.close();
  await rt?.stop();
});

describe('npx handrail', () => {
  it('prints help and exits 0', async () => {
    const out = await handrail(['--help']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('Usage: handrail <command>');
  });

  it.each([
    [['bogus'], 2, /unknown command "bogus"/],
    [['run', 'support-reply', '--input', 'missing.json'], 2, /--input: cannot read missing.json/],
    [['run', 'support-reply', '--input', 'bad.json'], 2, /--input: bad.json is not valid JSON/],
    [['runs', 'show'], 2, /missing <runId>/],
    [['approvals', 'approve', 'x'], 2, /missing --token, HANDRAIL_REVIEWER_TOKEN .* or HANDRAIL_TOKEN/],
    [['login'], 2, /missing <user>/],
    [['--frobnicate'], 2, /Unknown option '--frobnicate'/],
  ])('%j exits %i with one line that says what to fix', async (args, code, message) => {
    const out = await handrail(args);
    expect(out.code).toBe(code);
    expect(out.stderr).toMatch(message);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('says how to start Handrail when no API answers', async () => {
    const out = await handrail(['runs', 'list'], { HANDRAIL_URL: 'http://127.0.0.1:9' });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('No Handrail API at http://127.0.0.1:9: start it with `npm start`');
  });

  it('signs in locally: login prints an ID token the API accepts; without one, reads are refused', async () => {
    const anonymous = await handrail(['runs', 'list']);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toMatch(/Sign in: send "Authorization: Bearer <token>" \(locally: npx handrail login <user>\)/);
    const login = await handrail(['login', 'auditor@example.com'], { HANDRAIL_DATA_DIR: rt.dataDir });
    expect(login.code).toBe(0);
    const token = login.stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    expect((await handrail(['runs', 'list'], { HANDRAIL_TOKEN: token })).code).toBe(0);
    // An auditor reads but never writes knowledge.
    const refused = await handrail(['kb', 'put', 'support', 'shipping.md'], { HANDRAIL_TOKEN: token });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('takes the role admin or author; auditor@example.com has auditor');
    const stranger = await handrail(['login', 'mallory@example.com'], { HANDRAIL_DATA_DIR: rt.dataDir });
    expect(stranger.code).toBe(2);
    expect(stranger.stderr).toContain('no user mallory@example.com in the reviewer directory');
  });

  it('runs a workflow, lists the approval, approves it with a reviewer token, shows the delivered run', async () => {
    const admin = { HANDRAIL_TOKEN: await rt.login('admin@example.com') };
    // Signed with the workflow's webhook secret from the runtime's data folder, as its sender would.
    const unsigned = await handrail(['run', 'support-reply', '--input', 'ticket.json']);
    expect(unsigned.code).toBe(2);
    expect(unsigned.stderr).toContain('no webhook secret for support-reply: set HANDRAIL_WEBHOOK_SECRET');
    const secret = await handrail(['webhooks', 'secret', 'support-reply'], { HANDRAIL_DATA_DIR: rt.dataDir });
    expect(secret.stdout.trim()).toBe(rt.webhookSecret('support-reply'));
    const started = await handrail(['run', 'support-reply', '--input', 'ticket.json', '--idempotency-key', 'cli-1'], { HANDRAIL_DATA_DIR: rt.dataDir });
    expect(started.code).toBe(0);
    const { runId } = JSON.parse(started.stdout);
    const api = client(rt);
    await waitFor(async () => (await api.get(`/runs/${runId}`)).body?.status === 'awaiting_approval', 'the approval');

    const list = await handrail(['approvals', 'list'], admin);
    expect(list.stdout).toContain(`${runId}.agent_review.0  pending  support-reply/agent_review`);

    const token = await handrail(['reviewers', 'token', 'support-agent@example.com'], { HANDRAIL_SIGNING_SECRET: rt.signingSecret });
    expect(verifyReviewerToken(rt.signingSecret, token.stdout.trim())).toMatchObject({ reviewer: 'support-agent@example.com' });
    const refused = await handrail(['approvals', 'reject', `${runId}.agent_review.0`, '--token', token.stdout.trim()]);
    expect(refused.code).toBe(2);
    const approved = await handrail(['approvals', 'approve', `${runId}.agent_review.0`, '--reason', 'looks right'], { HANDRAIL_REVIEWER_TOKEN: token.stdout.trim() });
    expect(approved.stdout.trim()).toBe(`${runId}.agent_review.0: approved`);

    await waitFor(async () => (await api.get(`/runs/${runId}`)).body?.status === 'delivered', 'delivery');
    const shown = await handrail(['runs', 'show', runId], admin);
    expect(JSON.parse(shown.stdout)).toMatchObject({ runId, status: 'delivered', approvals: [{ decision: { channel: 'api', reason: 'looks right' } }] });

    const wrongToken = await handrail(['approvals', 'approve', `${runId}.agent_review.0`, '--token', reviewerToken('other-secret', 'support-agent@example.com')]);
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toContain('The reviewer token is not valid');
  });

  it('adds knowledge versions and lists them; a bad collection exits non-zero', async () => {
    // The author is whoever signed in, never an option.
    const author = { HANDRAIL_TOKEN: await rt.login('author@example.com') };
    const put = await handrail(['kb', 'put', 'support', 'shipping.md'], author);
    expect(put.stdout).toMatch(/^support\/shipping v1 sha256:[0-9a-f]{12}\n$/);
    const again = await handrail(['kb', 'put', 'support', 'shipping.md'], author);
    expect(again.stdout).toContain('(unchanged)');
    const list = await handrail(['kb', 'list', 'support'], author);
    expect(list.stdout).toMatch(/shipping {2}v1 {2}Shipping {2}\(author@example.com/);
    expect((await handrail(['kb', 'put', 'support', 'shipping.md', '--author', 'someone@example.com'], author)).code).toBe(2);
    const bad = await handrail(['kb', 'put', 'Bad Name', 'shipping.md'], author);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Invalid collection');
  });

  it('disables a user, lists them, enables them again; a missing reason exits 2 with one line', async () => {
    const admin = { HANDRAIL_TOKEN: await rt.login('admin@example.com') };
    const reviewer = { HANDRAIL_TOKEN: await rt.login('policy-officer@example.com') };
    expect((await handrail(['approvals', 'list'], reviewer)).code).toBe(0);
    const noReason = await handrail(['users', 'disable', 'policy-officer@example.com'], admin);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr.trim().split('\n')).toEqual(['handrail: missing --reason (why; it is audited); see `handrail --help`']);
    expect((await handrail(['users', 'disable', 'policy-officer@example.com', '--reason', 'on leave'], admin)).stdout).toBe('policy-officer@example.com: disabled\n');
    const refused = await handrail(['approvals', 'list'], reviewer);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('The account policy-officer@example.com is disabled');
    expect((await handrail(['users', 'disabled'], admin)).stdout).toMatch(/^policy-officer@example\.com {2}disabled \S+ by admin@example\.com: on leave\n$/);
    expect((await handrail(['users', 'enable', 'policy-officer@example.com'], admin)).stdout).toBe('policy-officer@example.com: enabled\n');
    expect((await handrail(['approvals', 'list'], reviewer)).code).toBe(0);
  });
});
