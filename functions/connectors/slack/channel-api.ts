/**
 * The two Slack Web API calls a delivery makes, through the approval channels' client
 * (notifications/slack-client.ts, without its own retries: the caller retries and must not post
 * twice): post a message (`chat.postMessage`) and read the channel's recent messages with their
 * metadata (`conversations.history`). Every call is written down as a `SlackCall` (method, outcome,
 * duration, attempt; never a header or the token).
 */
import type { WebClient } from '@slack/web-api';

export interface SlackCall {
  readonly attempt: number;
  readonly method: 'chat.postMessage' | 'conversations.history';
  readonly channel: string;
  /** Slack's answer: `ok`, or its error code (e.g. channel_not_found). */
  readonly result?: string;
  /** The HTTP status, when Slack answered with one that is not 200. */
  readonly status?: number;
  readonly error?: string;
  readonly durationMs: number;
  readonly at: string;
}

/** What a posted message carries so a later attempt can find it: Slack's event metadata. */
export interface DeliveryMarker {
  readonly event_type: 'handrail_delivery';
  readonly event_payload: { readonly handrail_run: string; readonly handrail_step: string };
}

export type SlackResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string; readonly retryable: boolean; /** The message may have been posted all the same (no answer, or a server error). */ readonly ambiguous: boolean; readonly retryAfterMs?: number };

export interface ChannelApi {
  post(channel: string, text: string, marker: DeliveryMarker, attempt: number): Promise<SlackResult<{ channel: string; ts: string }>>;
  /** Messages of the channel since `oldest` (epoch seconds), newest first, with their metadata. */
  history(channel: string, oldest: number, attempt: number): Promise<SlackResult<{ ts: string; metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }[]>>;
}

/** Slack platform errors worth another try (its own trouble, not the request's). */
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited']);

function failure(err: unknown): { result: Extract<SlackResult<never>, { ok: false }>; call: Pick<SlackCall, 'result' | 'status' | 'error'> } {
  const e = err as { code?: string; data?: { error?: string }; statusCode?: number; retryAfter?: number; original?: Error; message?: string };
  switch (e.code) {
    case 'slack_webapi_platform_error': {
      const code = e.data?.error ?? 'unknown_error';
      const transient = TRANSIENT.has(code);
      return { result: { ok: false, error: `Slack answered ${code}`, retryable: transient, ambiguous: transient && code !== 'ratelimited' }, call: { result: code } };
    }
    case 'slack_webapi_rate_limited_error':
      return { result: { ok: false, error: 'Slack rate-limited the call (429)', retryable: true, ambiguous: false, retryAfterMs: (e.retryAfter ?? 1) * 1000 }, call: { status: 429, error: 'rate limited' } };
    case 'slack_webapi_http_error': {
      const status = e.statusCode ?? 0;
      return { result: { ok: false, error: `HTTP ${status}`, retryable: status >= 500 || status === 429, ambiguous: status >= 500 }, call: { status, error: `HTTP ${status}` } };
    }
    default: {
      const cause = e.original ?? (err as Error);
      const text = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
      return { result: { ok: false, error: text, retryable: true, ambiguous: true }, call: { error: text } };
    }
  }
}

/**
 * A ChannelApi for one delivery; `calls` receives every call, in order.
 *
 * @example
 * const calls: SlackCall[] = [];
 * const api = channelApi(slackClient(token, { retries: 0, timeoutMs: 10_000 }), calls);
 */
export function channelApi(client: WebClient, calls: SlackCall[]): ChannelApi {
  async function call<T>(method: SlackCall['method'], channel: string, attempt: number, send: () => Promise<T>): Promise<SlackResult<T>> {
    const started = Date.now();
    const at = new Date(started).toISOString();
    try {
      const value = await send();
      calls.push({ attempt, method, channel, result: 'ok', durationMs: Date.now() - started, at });
      return { ok: true, value };
    } catch (err) {
      const { result, call: outcome } = failure(err);
      calls.push({ attempt, method, channel, ...outcome, durationMs: Date.now() - started, at });
      return result;
    }
  }
  return {
    post: (channel, text, marker, attempt) =>
      call('chat.postMessage', channel, attempt, async () => {
        const out = await client.chat.postMessage({ channel, text, metadata: marker, unfurl_links: false, unfurl_media: false });
        return { channel: out.channel ?? channel, ts: String(out.ts) };
      }),
    history: (channel, oldest, attempt) =>
      call('conversations.history', channel, attempt, async () => {
        const out = await client.conversations.history({ channel, oldest: String(oldest), include_all_metadata: true, limit: 200 });
        return (out.messages ?? []).map((m) => ({ ts: String(m.ts), metadata: m.metadata as { event_type?: string; event_payload?: Record<string, unknown> } | undefined }));
      }),
  };
}
