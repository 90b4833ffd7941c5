/**
 * fast-check arbitraries of HTTP requests to every route of the Handrail API: ids that are right,
 * wrong, long or odd; malformed, deep, extreme or oversized bodies; wrong content types; signed and
 * unsigned Slack interactions; bad cursors. Valid values appear often enough to reach the code behind
 * each check. Large bodies are described (`size`) and built when sent, so generating stays cheap.
 */
import fc from 'fast-check';

/** What the generators may refer to: real ids from a run started before fuzzing. */
export interface FuzzTargets {
  readonly approvalId: string;
  readonly draftHash: string;
  readonly runId: string;
  readonly reviewerToken: string;
  /** ID tokens of signed-in users with each role (admin, author, auditor), from the runtime's issuer. */
  readonly idTokens: readonly string[];
  readonly reviewToken: string;
  readonly inboxToken: string;
  readonly validCursor: string;
}

export type FuzzBody =
  | { readonly kind: 'none' }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  | { readonly kind: 'repeat'; readonly prefix: string; readonly unit: string; readonly size: number; readonly suffix: string }
  | { readonly kind: 'slack'; readonly payload: string; readonly signed: boolean }
  /** A slash command's form (already encoded), signed like a payload. */
  | { readonly kind: 'slack-form'; readonly form: string; readonly signed: boolean }
  | { readonly kind: 'signed-sink'; readonly text: string };

export interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: FuzzBody;
}

const ascii = (maxLength: number) => fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });

/** Segment text that is odd in every way a URL can be: unicode, percent garbage, dots, huge. */
const oddSegment = fc.oneof(
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 20 }).map(encodeURIComponent),
  fc.constantFrom('%', '%E0%A4%A', '%00', '..', '%2e%2e', '%2F', '.', '-', '_', 'run-', 'run-a.b.c', 'e30', 'a.b', 'A'.repeat(3000)),
  fc.integer({ min: 1, max: 9000 }).map((n) => 'x'.repeat(n)),
);

const pick = <T>(...values: T[]) => fc.constantFrom(...values);

/** Ids: the real one, the shape of a real one, or anything. */
function idArb(real: string, shaped: string) {
  return fc.oneof({ weight: 2, arbitrary: fc.constant(real) }, { weight: 1, arbitrary: fc.constant(shaped) }, { weight: 3, arbitrary: oddSegment });
}

const extremeNumbers = ['9007199254740993', '-9007199254740993', '1e308', '-1e400', '1e-400', '1e-131', '123456789012345678901234567890', '-0', '0.1e999', '1E126', '5e-324'];

/** JSON text: valid values, extreme numbers spliced in, deep nesting, and broken JSON. */
const jsonText = fc.oneof(
  fc.json({ depthSize: 'medium' }),
  fc.tuple(ascii(12), pick(...extremeNumbers)).map(([k, n]) => `{${JSON.stringify(k)}:${n}}`),
  fc.tuple(fc.integer({ min: 15, max: 3000 }), pick('[', '{"a":')).map(([n, open]) => `${open.repeat(n)}1${(open === '[' ? ']' : '}').repeat(n)}`),
  fc.tuple(fc.json(), fc.nat(40)).map(([j, cut]) => j.slice(0, Math.max(0, j.length - cut))),
  pick('', ' ', 'null', 'true', '[]', '{}', '"x"', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', '\u0000', '{"a":1,"a":2}'),
);

/** An object of these fields, some swapped for arbitrary JSON values, some extra. */
function mutated(base: Record<string, unknown>) {
  const keys = Object.keys(base);
  return fc
    .record({
      drop: fc.subarray(keys),
      replace: fc.dictionary(pick(...keys), fc.oneof(fc.jsonValue(), pick(...extremeNumbers.map(Number)))),
      extra: fc.dictionary(ascii(20), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 2 }),
      pristine: fc.boolean(),
    })
    .map(({ drop, replace, extra, pristine }) => {
      if (pristine) return JSON.stringify(base);
      const out: Record<string, unknown> = { ...base, ...replace, ...extra };
      for (const k of drop) delete out[k];
      return JSON.stringify(out);
    });
}

/** A body for a JSON route: mostly near-valid, sometimes broken, oversized or not text at all. */
function bodyFor(validish: fc.Arbitrary<string>): fc.Arbitrary<FuzzBody> {
  return fc.oneof(
    { weight: 4, arbitrary: validish.map((text) => ({ kind: 'text' as const, text })) },
    { weight: 3, arbitrary: jsonText.map((text) => ({ kind: 'text' as const, text })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ kind: 'bytes' as const, bytes })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
    {
      weight: 1,
      arbitrary: fc
        .record({ size: fc.integer({ min: 100 * 1024, max: 3 * 1024 * 1024 }), unit: pick('a', 'é', '\\u0041', '[', ' ') })
        .map(({ size, unit }) => ({ kind: 'repeat' as const, prefix: '{"subject":"', unit, size, suffix: '"}' })),
    },
  );
}

const contentTypes = pick(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=----x',
  'application/octet-stream',
  'text/html',
  '',
  'application/json; charset=latin1',
);

function headersArb(t: FuzzTargets) {
  return fc.record(
    {
      'content-type': contentTypes,
      authorization: fc.oneof(
        { weight: 4, arbitrary: pick(`Bearer ${t.reviewerToken}`, ...t.idTokens.map((token) => `Bearer ${token}`)) },
        { weight: 1, arbitrary: pick('Bearer ', 'Bearer a.b', 'Bearer a.b.c', 'Basic Zm9vOmJhcg==', ...t.idTokens.map((token) => `Bearer ${token.slice(0, -4)}AAAA`)) },
        { weight: 1, arbitrary: ascii(200).map((s) => `Bearer ${s}`) },
      ),
      'idempotency-key': fc.oneof({ weight: 4, arbitrary: pick('fuzz-1', 'fuzz-2', 'fuzz-3') }, { weight: 1, arbitrary: ascii(300) }),
    },
    { requiredKeys: ['idempotency-key'] },
  );
}

const queryArb = (t: FuzzTargets) =>
  fc
    .dictionary(
      pick('workflowId', 'status', 'limit', 'cursor', 'reviewer', 'olderThanMinutes', 'day', 'to', 'approvalId', 'unknown', 'cursor[]'),
      fc.oneof(pick('support-reply', 'pending', 'approved', 'needs_human', '1', '100', '0', '-1', '1e309', 'NaN', 'Infinity', '2025-02-30', '2025-03-01', 'e30', t.validCursor, '', 'a.b'), ascii(50), oddSegment),
      { maxKeys: 4 },
    )
    .map((q) => {
      const pairs = Object.entries(q).map(([k, v]) => `${encodeURIComponent(k)}=${/%/.test(v) ? v : encodeURIComponent(v)}`);
      return pairs.length ? `?${pairs.join('&')}` : '';
    });

function slackPayloads(t: FuzzTargets) {
  const ref = JSON.stringify({ approvalId: t.approvalId, draftHash: t.draftHash });
  return fc.oneof(
    fc
      .record({
        type: pick('block_actions', 'view_submission', 'view_closed', 'shortcut', 'message_action', ''),
        callback_id: fc.option(pick('handrail_notes', 'x')),
        channel: fc.oneof(fc.constant({ id: 'C0FUZZ' }), fc.jsonValue()),
        message: fc.oneof(fc.record({ text: ascii(200) }), fc.jsonValue()),
        response_url: fc.option(pick('https://hooks.slack.com/actions/T/1', 'http://127.0.0.1:9/x', 'not a url')),
        user: fc.oneof(fc.constant({ id: 'U0SUPPAGENT' }), fc.constant({ id: 'U0NOBODY' }), fc.jsonValue()),
        trigger_id: fc.option(ascii(20)),
        actions: fc.array(fc.record({ action_id: pick('handrail_approve', 'handrail_edit', 'handrail_reject', 'handrail_open', 'x'), value: fc.oneof(fc.constant(ref), ascii(80)) }), { maxLength: 2 }),
        view: fc.record({
          callback_id: pick('handrail_edit', 'handrail_reject', 'x'),
          private_metadata: fc.oneof(fc.constant(ref), ascii(40)),
          state: fc.oneof(fc.constant({ values: { text: { text: { value: 'An edit' } }, reason_code: { reason_code: { selected_option: { value: 'tone' } } } } }), fc.jsonValue()),
        }),
      })
      .map((p) => JSON.stringify(p)),
    jsonText,
  );
}

/** Slash command forms: Slack's fields, odd values, unknown commands, or no form at all. */
const slackCommandForms = fc.oneof(
  fc
    .record({
      command: fc.option(fc.oneof(pick('/handrail-notes', '/handrail-other', 'handrail-notes'), ascii(40))),
      text: fc.option(ascii(300)),
      user_id: fc.option(fc.oneof(pick('U0SUPPLEAD', 'U0NOBODY'), ascii(20))),
      channel_id: fc.option(fc.oneof(pick('C0FUZZ', '#general'), ascii(20))),
      team_id: fc.option(ascii(50)),
      trigger_id: fc.option(ascii(30)),
      response_url: fc.option(ascii(60)),
    })
    .map((f) => new URLSearchParams(Object.entries(f).filter((e): e is [string, string] => e[1] !== null)).toString()),
  ascii(300),
);

/** Every route, with the arbitrary parts of its request. */
export function requestArb(t: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  const headers = headersArb(t);
  const query = queryArb(t);
  const approvalId = idArb(t.approvalId, 'run-abc.review.0');
  const runId = idArb(t.runId, 'run-zzz');
  const token = (real: string) => fc.oneof(fc.constant(real), fc.constant(`${real.slice(0, -2)}AA`), fc.constant(`${'a'.repeat(1600)}.${'b'.repeat(43)}`), oddSegment);
  const decision = mutated({ action: 'approve', draftHash: t.draftHash, text: 'Edited reply', reasonCode: 'tone', reason: 'why' });
  const ticket = mutated({ ticketId: 'T-1', subject: 'Refund', body: 'How do I get a refund?', customerEmail: 'pat@example.com', priority: 'normal' });
  const doc = mutated({ fileName: 'fuzz.md', content: '# Fuzz\n\nA document.', author: 'fuzz@example.com', docId: 'fuzz' });
  const form = fc
    .record({ action: pick('approve', 'edit', 'reject', 'x'), draftHash: fc.oneof(fc.constant(t.draftHash), ascii(40)), text: ascii(100), itemId: fc.option(oddSegment), reasonCode: pick('tone', '', 'x'.repeat(40)) })
    .map((f) => new URLSearchParams(Object.entries(f).filter((e): e is [string, string] => typeof e[1] === 'string')).toString());
  const route = <T extends object>(parts: fc.Arbitrary<T>, build: (p: T) => Omit<FuzzRequest, 'headers'> & { headers?: Record<string, string> }) =>
    fc.tuple(parts, headers).map(([p, h]) => {
      const r = build(p);
      return { ...r, headers: { ...h, ...r.headers } };
    });

  return fc.oneof(
    route(fc.record({ wf: fc.oneof(fc.constant('support-reply'), oddSegment), body: bodyFor(ticket) }), ({ wf, body }) => ({ method: 'POST', path: `/webhooks/${wf}`, body })),
    route(fc.record({ q: query }), ({ q }) => ({ method: 'GET', path: `/runs${q}`, body: { kind: 'none' } })),
    route(fc.record({ id: runId }), ({ id }) => ({ method: 'GET', path: `/runs/${id}`, body: { kind: 'none' } })),
    route(fc.record({ q: query }), ({ q }) => ({ method: 'GET', path: `/approvals${q}`, body: { kind: 'none' } })),
    route(fc.record({ id: approvalId }), ({ id }) => ({ method: 'GET', path: `/approvals/${id}`, body: { kind: 'none' } })),
    route(fc.record({ id: approvalId, body: bodyFor(decision) }), ({ id, body }) => ({ method: 'POST', path: `/approvals/${id}/decision`, body })),
    route(fc.record({ id: approvalId, item: fc.oneof(pick('pricing', 'security'), oddSegment), body: bodyFor(decision) }), ({ id, item, body }) => ({ method: 'POST', path: `/approvals/${id}/items/${item}/decision`, body })),
    route(fc.record({ tok: token(t.reviewToken) }), ({ tok }) => ({ method: 'GET', path: `/review/${tok}`, body: { kind: 'none' } })),
    route(fc.record({ tok: token(t.reviewToken), body: fc.oneof(form.map((text) => ({ kind: 'text' as const, text })), bodyFor(form)), ct: pick('application/x-www-form-urlencoded', 'multipart/form-data', 'multipart/form-data; boundary=zz', 'text/plain') }), ({ tok, body, ct }) => ({
      method: 'POST',
      path: `/review/${tok}`,
      body,
      headers: { 'content-type': ct },
    })),
    route(fc.record({ tok: token(t.inboxToken) }), ({ tok }) => ({ method: 'GET', path: `/inbox/${tok}`, body: { kind: 'none' } })),
    route(fc.record({ col: fc.oneof(fc.constant('support'), oddSegment) }), ({ col }) => ({ method: 'GET', path: `/knowledge/${col}/documents`, body: { kind: 'none' } })),
    route(fc.record({ col: fc.oneof(fc.constant('fuzz'), oddSegment), body: bodyFor(doc) }), ({ col, body }) => ({ method: 'POST', path: `/knowledge/${col}/documents`, body })),
    route(fc.record({ payload: slackPayloads(t), signed: fc.boolean(), raw: fc.option(jsonText) }), ({ payload, signed, raw }) => ({
      method: 'POST',
      path: '/slack/interactions',
      body: raw !== null && !signed ? { kind: 'text', text: raw } : { kind: 'slack', payload, signed },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })),
    route(fc.record({ form: slackCommandForms, signed: fc.boolean() }), ({ form, signed }) => ({
      method: 'POST',
      path: '/slack/commands',
      body: { kind: 'slack-form', form, signed },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })),
    route(fc.record({ q: query }), ({ q }) => ({ method: 'GET', path: `/usage${q}`, body: { kind: 'none' } })),
    route(fc.record({ q: query }), ({ q }) => ({ method: 'GET', path: `/autonomy${q}`, body: { kind: 'none' } })),
    route(fc.record({ m: pick('GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS') }), ({ m }) => ({ method: m, path: '/health', body: { kind: 'none' } })),
    route(fc.record({ q: query, id: fc.option(oddSegment) }), ({ q, id }) => ({ method: 'GET', path: id === null ? `/outbox${q}` : `/outbox/${id}`, body: { kind: 'none' } })),
    route(fc.record({ name: fc.oneof(pick('support-reply', 'fuzz'), oddSegment), signed: fc.boolean(), text: jsonText, get: fc.boolean() }), ({ name, signed, text, get }) =>
      get ? { method: 'GET', path: `/sink/${name}`, body: { kind: 'none' } } : { method: 'POST', path: `/sink/${name}`, body: signed ? { kind: 'signed-sink', text } : { kind: 'text', text } },
    ),
    route(fc.record({ m: pick('PUT', 'PATCH', 'DELETE', 'OPTIONS', 'GET', 'POST'), p: fc.array(oddSegment, { minLength: 1, maxLength: 4 }) }), ({ m, p }) => ({ method: m, path: `/${p.join('/')}`, body: { kind: 'none' } })),
  );
}
