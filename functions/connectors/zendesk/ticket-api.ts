/**
 * The two Zendesk Support API calls the connector makes, through Zendesk's maintained Node SDK
 * (node-zendesk): update a ticket (`PUT /api/v2/tickets/{id}.json`) and list its audits
 * (`GET /api/v2/tickets/{id}/audits.json`). Every HTTP exchange goes through our transport, on
 * the runtime's own fetch with a timeout, and is written down as a `ZendeskCall` (method, path,
 * status, duration, attempt; never a header or the token). Whether a call succeeded is judged
 * from the status we saw, not from the SDK's result, which returns some errors (a 429) as results.
 */
import zendesk from 'node-zendesk';
import type { ZendeskCredentials } from './credentials.js';

export interface ZendeskCall {
  readonly attempt: number;
  readonly method: string;
  /** e.g. /api/v2/tickets/4711.json */
  readonly path: string;
  readonly status?: number;
  readonly error?: string;
  readonly durationMs: number;
  readonly at: string;
}

/** One ticket update: the comment, and optionally status and tags; `metadata` lands on its audit (`metadata.custom`). */
export interface TicketUpdate {
  readonly comment: { readonly body: string; readonly public: boolean };
  readonly status?: string;
  readonly additional_tags?: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
}

export interface TicketAudit {
  readonly id: number;
  readonly metadata?: { readonly custom?: Record<string, unknown> };
  readonly events?: readonly { readonly id: number; readonly type: string }[];
}

export type CallResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly status?: number; readonly retryAfterMs?: number; readonly error: string };

export interface TicketApi {
  update(ticketId: number, update: TicketUpdate, attempt: number): Promise<CallResult<{ auditId?: number; commentId?: number }>>;
  audits(ticketId: number, attempt: number): Promise<CallResult<TicketAudit[]>>;
}

interface Exchange {
  call: ZendeskCall;
  retryAfterMs?: number;
  body?: unknown;
}

/**
 * A TicketApi for one delivery; `calls` receives every exchange, in order.
 *
 * @example
 * const calls: ZendeskCall[] = [];
 * const api = ticketApi(await zendeskCredentials(), { timeoutMs: 10_000, calls });
 * await api.update(4711, { comment: { body: 'Hi', public: true }, metadata: { handrail_run: runId } }, 1);
 */
export function ticketApi(credentials: ZendeskCredentials, options: { timeoutMs: number; calls: ZendeskCall[] }): TicketApi {
  let attempt = 0;
  let exchanges: Exchange[] = [];
  const transportFn = async (uri: string, init: RequestInit): Promise<Response> => {
    const started = Date.now();
    const base = { attempt, method: String(init.method ?? 'GET'), path: new URL(uri).pathname, at: new Date(started).toISOString() };
    try {
      const res = await fetch(uri, { ...init, signal: AbortSignal.timeout(options.timeoutMs) });
      const body = await res.clone().json().catch(() => undefined);
      const retryAfter = Number(res.headers.get('retry-after'));
      const call = { ...base, status: res.status, durationMs: Date.now() - started };
      options.calls.push(call);
      exchanges.push({ call, body, ...(Number.isFinite(retryAfter) && retryAfter >= 0 && res.headers.has('retry-after') ? { retryAfterMs: retryAfter * 1000 } : {}) });
      return res;
    } catch (err) {
      const call = { ...base, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err), durationMs: Date.now() - started };
      options.calls.push(call);
      exchanges.push({ call });
      throw err;
    }
  };
  const client = zendesk.createClient({
    username: credentials.email,
    token: credentials.apiToken,
    endpointUri: `${credentials.url}/api/v2`,
    transportConfig: {
      transportFn,
      responseAdapter: (res: Response) => ({ json: () => res.json(), status: res.status, headers: { get: (name: string) => res.headers.get(name) }, statusText: res.statusText }),
    },
  });

  /** Runs one SDK call; its outcome is what the last exchange says. */
  async function exchange<T>(forAttempt: number, send: () => Promise<T>): Promise<CallResult<{ result: T; body: unknown }>> {
    attempt = forAttempt;
    exchanges = [];
    let result: T | undefined;
    let thrown: unknown;
    try {
      result = await send();
    } catch (err) {
      thrown = err;
    }
    const last = exchanges.at(-1);
    const status = last?.call.status;
    if (last && status !== undefined && status >= 200 && status < 300 && thrown === undefined) return { ok: true, value: { result: result as T, body: last.body } };
    const error = last?.call.error ?? (status !== undefined ? `HTTP ${status}` : thrown instanceof Error ? thrown.message : 'no response');
    return { ok: false, ...(status !== undefined ? { status } : {}), ...(last?.retryAfterMs !== undefined ? { retryAfterMs: last.retryAfterMs } : {}), error };
  }

  return {
    async update(ticketId, update, forAttempt) {
      const out = await exchange(forAttempt, () => client.tickets.update(ticketId, { ticket: update } as never));
      if (!out.ok) return out;
      const audit = (out.value.body as { audit?: TicketAudit } | undefined)?.audit;
      const commentId = audit?.events?.find((e) => e.type === 'Comment')?.id;
      return { ok: true, value: { ...(audit?.id !== undefined ? { auditId: audit.id } : {}), ...(commentId !== undefined ? { commentId } : {}) } };
    },
    async audits(ticketId, forAttempt) {
      const out = await exchange(forAttempt, () => client.ticketaudits.list(ticketId));
      if (!out.ok) return out;
      return { ok: true, value: (Array.isArray(out.value.result) ? out.value.result : []) as TicketAudit[] };
    },
  };
}
