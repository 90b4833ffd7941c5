import { describe, expect, it } from 'vitest';
import { slackSignature, verifySlackRequest, verifySlackSignature } from '../../../functions/notifications/slack-signature.js';
import type { NonceClaim } from '../../../functions/records/nonces.js';
import { UnauthorizedError } from '../../../functions/shared/errors.js';

const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const now = 1_700_000_000_000;
const ts = String(now / 1000);
const body = 'payload=%7B%22type%22%3A%22block_actions%22%7D';

function memoryNonces(): NonceClaim {
  const seen = new Set<string>();
  return async (nonce) => (seen.has(nonce) ? false : (seen.add(nonce), true));
}

describe('Slack request signatures (v0)', () => {
  it('matches Slack’s documented example', () => {
    // From Slack's "Verifying requests from Slack" guide.
    const raw = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(slackSignature(secret, '1531420618', raw)).toBe('v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503');
  });

  it('accepts a valid, fresh signature', () => {
    expect(() => verifySlackSignature(secret, { timestamp: ts, signature: slackSignature(secret, ts, body), rawBody: body }, now)).not.toThrow();
  });

  it.each([
    ['a signature made with another secret', { timestamp: ts, signature: slackSignature('other', ts, body), rawBody: body }],
    ['a tampered body', { timestamp: ts, signature: slackSignature(secret, ts, body), rawBody: `${body}x` }],
    ['a signature of another timestamp', { timestamp: ts, signature: slackSignature(secret, String(Number(ts) - 1), body), rawBody: body }],
    ['no signature', { timestamp: ts, signature: undefined, rawBody: body }],
    ['no timestamp', { timestamp: undefined, signature: slackSignature(secret, ts, body), rawBody: body }],
    ['a truncated signature', { timestamp: ts, signature: slackSignature(secret, ts, body).slice(0, 20), rawBody: body }],
  ])('refuses %s', (_case, req) => {
    expect(() => verifySlackSignature(secret, req, now)).toThrow(UnauthorizedError);
  });

  it('refuses a timestamp older (or newer) than five minutes, even correctly signed', () => {
    const stale = String(now / 1000 - 301);
    const future = String(now / 1000 + 301);
    expect(() => verifySlackSignature(secret, { timestamp: stale, signature: slackSignature(secret, stale, body), rawBody: body }, now)).toThrow(/older than five minutes/);
    expect(() => verifySlackSignature(secret, { timestamp: future, signature: slackSignature(secret, future, body), rawBody: body }, now)).toThrow(UnauthorizedError);
    const edge = String(now / 1000 - 299);
    expect(() => verifySlackSignature(secret, { timestamp: edge, signature: slackSignature(secret, edge, body), rawBody: body }, now)).not.toThrow();
  });

  it('refuses the same signed request twice (replay)', async () => {
    const claim = memoryNonces();
    const req = { timestamp: ts, signature: slackSignature(secret, ts, body), rawBody: body };
    await expect(verifySlackRequest(secret, req, claim, now)).resolves.toBeUndefined();
    await expect(verifySlackRequest(secret, req, claim, now)).rejects.toThrow(/replay/);
  });

  it('does not spend a nonce on a request whose signature is bad', async () => {
    const claimed: string[] = [];
    const claim: NonceClaim = async (n) => (claimed.push(n), true);
    await expect(verifySlackRequest(secret, { timestamp: ts, signature: `v0=${'0'.repeat(64)}`, rawBody: body }, claim, now)).rejects.toThrow(UnauthorizedError);
    expect(claimed).toEqual([]);
  });
});
