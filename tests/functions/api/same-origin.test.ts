/** A form that relies on the session cookie is accepted only from this API's own pages. */
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireSameOrigin } from '../../../functions/api/same-origin.js';

const before = process.env.HANDRAIL_AUTH_REDIRECT_URL;
beforeAll(() => {
  Object.assign(process.env, { HANDRAIL_AUTH_ISSUER: 'https://issuer.example', HANDRAIL_AUTH_AUDIENCE: 'client', HANDRAIL_AUTH_REDIRECT_URL: 'https://api.example/auth/callback' });
});
afterAll(() => {
  process.env.HANDRAIL_AUTH_REDIRECT_URL = before;
});

const app = new Hono().post('/form', (c) => {
  try {
    requireSameOrigin(c);
    return c.text('accepted');
  } catch (err) {
    return c.text((err as Error).message, 403);
  }
});

describe('requireSameOrigin', () => {
  it.each([
    [{ origin: 'https://api.example' }, 200],
    // no-referrer pages make browsers send Origin: null; Fetch Metadata says where the form was
    [{ origin: 'null', 'sec-fetch-site': 'same-origin' }, 200],
    [{ 'sec-fetch-site': 'same-origin' }, 200],
    [{ origin: 'https://evil.example' }, 403],
    [{ origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' }, 403],
    [{ origin: 'null', 'sec-fetch-site': 'cross-site' }, 403],
    [{ origin: 'null' }, 403],
    [{}, 403],
    [{ origin: 'http://api.example' }, 403],
  ])('%j → %i', async (headers, status) => {
    expect((await app.request('/form', { method: 'POST', headers })).status).toBe(status);
  });
});
