/**
 * What every connector (Zendesk, HubSpot) does with its vendor SDK's HTTP traffic: each exchange
 * goes through one fetch, on the runtime's own fetch with a timeout, and is written down as a
 * `ConnectorCall` (method, path, status, duration, attempt; never a header, a body or a token),
 * for the run and step records. Whether an SDK call succeeded is judged from the status we saw,
 * not from the SDK's result (some SDKs return a 429 as a result), and a Retry-After is kept for
 * the backoff.
 */
export interface ConnectorCall {
  readonly attempt: number;
  readonly method: string;
  /** e.g. /api/v2/tickets/4711.json, /crm/v3/objects/notes */
  readonly path: string;
  readonly status?: number;
  readonly error?: string;
  readonly durationMs: number;
  readonly at: string;
}

export type CallResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly status?: number; readonly retryAfterMs?: number; readonly error: string };

interface Exchange {
  readonly call: ConnectorCall;
  readonly retryAfterMs?: number;
  readonly body?: unknown;
}

export interface CallRecorder {
  /** The fetch to hand the SDK. */
  readonly fetch: (uri: string, init: RequestInit) => Promise<Response>;
  /** Runs one SDK call as attempt `forAttempt`; its outcome is what its last HTTP exchange says, with that exchange's JSON body. */
  exchange<T>(forAttempt: number, send: () => Promise<T>): Promise<CallResult<{ result: T; body: unknown }>>;
}

/** A recorder for one delivery; `calls` receives every exchange, in order. */
export function callRecorder(options: { readonly timeoutMs: number; readonly calls: ConnectorCall[] }): CallRecorder {
  let attempt = 0;
  let exchanges: Exchange[] = [];
  const recordedFetch = async (uri: string, init: RequestInit): Promise<Response> => {
    const started = Date.now();
    const base = { attempt, method: String(init.method ?? 'GET').toUpperCase(), path: new URL(uri).pathname, at: new Date(started).toISOString() };
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
  return {
    fetch: recordedFetch,
    async exchange<T>(forAttempt: number, send: () => Promise<T>): Promise<CallResult<{ result: T; body: unknown }>> {
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
    },
  };
}
