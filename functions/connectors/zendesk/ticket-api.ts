/**
 * The two Zendesk Support API calls the connector makes, through Zendesk's maintained Node SDK
 * (node-zendesk): update a ticket (`PUT /api/v2/tickets/{id}.json`) and list its audits
 * (`GET /api/v2/tickets/{id}/audits.json`). Every HTTP exchange goes through the connectors' call
 * recorder (../call-recorder.ts): timed out, written down, judged by the status seen (node-zendesk
 * returns some errors, a 429, as results).
 */
import zendesk from 'node-zendesk';
import { callRecorder, type CallResult, type ConnectorCall } from '../call-recorder.js';
import type { ZendeskCredentials } from './credentials.js';

export type { CallResult } from '../call-recorder.js';

/** A call to Zendesk, as the run and step records keep it. */
export type ZendeskCall = ConnectorCall;

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

export interface TicketApi {
  update(ticketId: number, update: TicketUpdate, attempt: number): Promise<CallResult<{ auditId?: number; commentId?: number }>>;
  audits(ticketId: number, attempt: number): Promise<CallResult<TicketAudit[]>>;
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
  const recorder = callRecorder(options);
  const client = zendesk.createClient({
    username: credentials.email,
    token: credentials.apiToken,
    endpointUri: `${credentials.url}/api/v2`,
    transportConfig: {
      transportFn: recorder.fetch,
      responseAdapter: (res: Response) => ({ json: () => res.json(), status: res.status, headers: { get: (name: string) => res.headers.get(name) }, statusText: res.statusText }),
    },
  });

  return {
    async update(ticketId, update, forAttempt) {
      const out = await recorder.exchange(forAttempt, () => client.tickets.update(ticketId, { ticket: update } as never));
      if (!out.ok) return out;
      const audit = (out.value.body as { audit?: TicketAudit } | undefined)?.audit;
      const commentId = audit?.events?.find((e) => e.type === 'Comment')?.id;
      return { ok: true, value: { ...(audit?.id !== undefined ? { auditId: audit.id } : {}), ...(commentId !== undefined ? { commentId } : {}) } };
    },
    async audits(ticketId, forAttempt) {
      const out = await recorder.exchange(forAttempt, () => client.ticketaudits.list(ticketId));
      if (!out.ok) return out;
      return { ok: true, value: (Array.isArray(out.value.result) ? out.value.result : []) as TicketAudit[] };
    },
  };
}
