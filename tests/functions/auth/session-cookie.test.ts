/** The session and sign-in transaction cookies: their attributes, their expiry, and what is refused. */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { clearSession, cookieNames, sessionToken, setSession, setTransaction, takeTransaction, TRANSACTION_SECONDS } from '../../../functions/auth/session-cookie.js';

const SECRET = 'session-cookie-test-secret';
const pending = { state: 's'.repeat(43), nonce: 'n'.repeat(43), codeVerifier: 'v'.repeat(43), returnTo: '/review/abc' };

function app(secure: boolean) {
  return new Hono()
    .get('/set', (c) => {
      setSession(c, secure, 'header.payload.signature', Math.floor(Date.now() / 1000) + 1800);
      return c.text('ok');
    })
    .get('/read', (c) => c.text(sessionToken(c, secure) ?? 'none'))
    .get('/clear', (c) => {
      clearSession(c, secure);
      return c.text('ok');
    })
    .get('/start', (c) => {
      setTransaction(c, secure, SECRET, pending);
      return c.text('ok');
    })
    .get('/take', (c) => c.json(takeTransaction(c, secure, SECRET) ?? null));
}

describe('the session cookie', () => {
  it('on http://localhost: HttpOnly, SameSite=Lax, path /, no Secure; lives as long as the ID token', async () => {
    const res = await app(false).request('/set');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^handrail-session=header\.payload\.signature; Max-Age=(1799|1800); Path=\/; HttpOnly; SameSite=Lax$/);
  });

  it('on https: Secure, with the __Host- prefix', async () => {
    const cookie = (await app(true).request('/set')).headers.get('set-cookie')!;
    expect(cookie).toMatch(/^__Host-handrail-session=.*; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    expect(cookieNames(true)).toEqual({ session: '__Host-handrail-session', transaction: '__Host-handrail-sign-in' });
  });

  it('is read back, and cleared with Max-Age=0', async () => {
    expect(await (await app(false).request('/read', { headers: { cookie: 'handrail-session=a.b.c' } })).text()).toBe('a.b.c');
    expect(await (await app(false).request('/read')).text()).toBe('none');
    // The secure name only: a non-__Host- cookie planted by a sibling host is not read on https.
    expect(await (await app(true).request('/read', { headers: { cookie: 'handrail-session=a.b.c' } })).text()).toBe('none');
    expect((await app(false).request('/clear')).headers.get('set-cookie')).toMatch(/^handrail-session=; Max-Age=0; Path=\//);
  });
});

describe('the sign-in transaction cookie', () => {
  it('is signed, lives ten minutes, and is taken once', async () => {
    const started = await app(false).request('/start');
    const cookie = started.headers.get('set-cookie')!;
    expect(cookie).toContain(`Max-Age=${TRANSACTION_SECONDS}`);
    const value = cookie.split(';')[0]!;
    const taken = await app(false).request('/take', { headers: { cookie: value } });
    expect(await taken.json()).toEqual(pending);
    expect(taken.headers.get('set-cookie')).toMatch(/^handrail-sign-in=; Max-Age=0/);
  });

  it('refuses an altered or foreign one', async () => {
    const value = (await app(false).request('/start')).headers.get('set-cookie')!.split(';')[0]!;
    const [name, token] = value.split('=') as [string, string];
    const [payload, mac] = token.split('.') as [string, string];
    const altered = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), returnTo: '/elsewhere' })).toString('base64url');
    expect(await (await app(false).request('/take', { headers: { cookie: `${name}=${altered}.${mac}` } })).json()).toBeNull();
    expect(await (await app(false).request('/take')).json()).toBeNull();
  });

  it('drops a returnTo that is not a same-origin path, even when signed', async () => {
    const evil = new Hono()
      .get('/start', (c) => {
        setTransaction(c, false, SECRET, { ...pending, returnTo: '//evil.example' });
        return c.text('ok');
      })
      .get('/take', (c) => c.json(takeTransaction(c, false, SECRET) ?? null));
    const value = (await evil.request('/start')).headers.get('set-cookie')!.split(';')[0]!;
    expect(await (await evil.request('/take', { headers: { cookie: value } })).json()).toEqual({ ...pending, returnTo: undefined });
  });
});
