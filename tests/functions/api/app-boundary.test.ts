/**
 * The API's input rules, through its public door (`createApp().request`): every refusal is a 4xx
 * that names the field, answered before anything is looked up or stored.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { json, reviewToken, SECRET, storelessApp } from './app-env.js';

let app: Hono;
beforeAll(async () => {
  app = await storelessApp();
});

const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string; field?: string } }).error;

describe('JSON bodies', () => {
  it.each([
    ['nesting deeper than 20 levels', `{"subject":"x","meta":${'['.repeat(25)}${']'.repeat(25)}}`, 'body.meta.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0', /nested deeper than 20 levels/],
    ['an integer JSON cannot keep exactly', '{"subject":"x","count":9007199254740993}', 'body.count', /integer beyond/],
    ['a number DynamoDB cannot hold', '{"subject":"x","n":1e308}', 'body.n', /larger than the store can hold/],
    ['a number past a double', '{"subject":"x","n":-1e400}', 'body.n', /larger than the store can hold/],
    ['a field this workflow does not declare', '{"subject":"x","ticket_url":"https://example.com/t/1"}', 'body.ticket_url', /not a field this accepts/],
    ['a string longer than the default cap', `{"subject":"${'x'.repeat(20_001)}"}`, 'body.subject', /20000/],
  ])('refuses %s with 400 naming the field', async (_case, body, field, message) => {
    // Act
    const res = await app.request('/webhooks/quick-escalation', json(body));
    // Assess
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error).toMatchObject({ code: 'ValidationError', field });
    expect(error.message.startsWith(`${field}: `)).toBe(true);
    expect(error.message).toMatch(message);
  });

  it('bounds decision bodies too', async () => {
    // Signed in (the app's admin, here: a personal token's revocation check would need the store).
    const res = await app.request('/approvals/run-abc.review.0/decision', json('{"action":"approve","draftHash":"0123456789abcdef0123456789abcdef","reason":[[[[[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]]]]}'));
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/^body\.reason\.0(\.0)*: nested deeper than 20 levels$/);
  });
});

describe('ids in paths', () => {
  const long = 'x'.repeat(5000);
  it.each([
    ['GET', `/runs/${long}`],
    ['GET', '/runs/not a run'],
    ['GET', `/approvals/${long}`],
    ['GET', '/approvals/run-abc'],
    ['POST', `/approvals/${long}/decision`],
    ['POST', `/approvals/run-abc.review.0/items/${long}/decision`],
    ['POST', `/webhooks/${long}`],
  ])('%s %s is a 404 without a lookup', async (method, path) => {
    const res = await app.request(path, { method, headers: { 'content-type': 'application/json' }, ...(method === 'POST' ? { body: '{}' } : {}) });
    expect(res.status).toBe(404);
    expect((await errorOf(res)).message.length).toBeLessThan(200);
  });

  it.each([['GET'], ['POST']])('%s /knowledge/{collection}/documents with a bad collection is a 400 naming it', async (method) => {
    const res = await app.request(`/knowledge/${long}/documents`, { method, headers: { 'content-type': 'application/json' }, ...(method === 'POST' ? { body: '{"fileName":"a.md","content":"x"}' } : {}) });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ field: 'collection' });
  });

  it.each([['/review/'], ['/inbox/']])('a malformed or oversized %s token is a 403 page', async (prefix) => {
    for (const token of ['abc', `${'a'.repeat(5000)}.${'b'.repeat(43)}`, 'a.b.c']) {
      const res = await app.request(`${prefix}${token}`);
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
    }
  });

  it('refuses query ids of the wrong shape before they become keys', async () => {
    const res = await app.request(`/runs?workflowId=${'w'.repeat(3000)}`);
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ field: 'query.workflowId' });
  });
});

describe('pagination cursors', () => {
  it.each([['/runs'], ['/runs?workflowId=support-reply'], ['/approvals']])('%s?cursor=e30 is a 400 on cursor, not a store error', async (path) => {
    const res = await app.request(`${path}${path.includes('?') ? '&' : '?'}cursor=e30`);
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.field).toBe('cursor');
    expect(error.message).toMatch(/^cursor: /);
  });
});

describe('the review form', () => {
  it('answers a multipart body without a boundary with a 400 page', async () => {
    // Act
    const res = await app.request(`/review/${reviewToken()}`, { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'action=approve' });
    // Assess
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('not a form this page sends');
  });

  it('answers a form field of the wrong kind (a file, an unknown part id) with a 400 page', async () => {
    const form = new FormData();
    form.set('action', 'approve');
    form.set('draftHash', new Blob(['x']), 'x.txt');
    expect((await app.request(`/review/${reviewToken()}`, { method: 'POST', body: form })).status).toBe(400);
    const res = await app.request(`/review/${reviewToken()}`, { method: 'POST', body: new URLSearchParams({ action: 'approve', draftHash: 'a', itemId: 'x'.repeat(500) }) });
    expect(res.status).toBe(400);
  });
});

describe('error answers', () => {
  it('are JSON {error: {code, message, field?}} with a 4xx status', async () => {
    for (const [path, init, status] of [
      ['/nope', {}, 404],
      ['/runs?limit=0', {}, 400],
      ['/runs?unknown=1', {}, 400],
      ['/webhooks/quick-escalation', json('{not json'), 400],
      ['/webhooks/quick-escalation', json(''), 400],
      ['/approvals/run-abc.review.0/decision', json('{}', { authorization: '' }), 401],
      ['/approvals/run-abc.review.0/decision', json('{}'), 400],
    ] as const) {
      const res = await app.request(path, init);
      expect(res.status, path).toBe(status);
      const body = (await res.json()) as { error: Record<string, unknown> };
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error).toEqual({ code: expect.any(String), message: expect.any(String), ...(body.error.field ? { field: expect.any(String) } : {}) });
    }
  });
});
