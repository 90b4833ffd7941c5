/**
 * A local server that speaks the part of the Zendesk Support API the connector's SDK (node-zendesk)
 * calls: update a ticket (PUT /api/v2/tickets/{id}.json: a comment, status, tags, audit metadata)
 * and list its audits (GET /api/v2/tickets/{id}/audits.json). It checks API-token Basic auth
 * (`{email}/token:{apiToken}`), keeps tickets and their audits as Zendesk does (one audit per
 * update, its Comment event, `metadata.custom` from the update's metadata), records every request,
 * and can fail the next requests: refused without applying them, or applied and then answered
 * with an error (a reply that was lost on its way).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ZendeskRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: any;
}

export interface ZendeskComment {
  readonly id: number;
  readonly body: string;
  readonly public: boolean;
}

export interface ZendeskTicket {
  id: number;
  status: string;
  tags: string[];
  comments: ZendeskComment[];
  audits: { id: number; ticket_id: number; created_at: string; metadata: { custom: Record<string, unknown>; system: Record<string, unknown> }; events: any[] }[];
}

export interface Failure {
  readonly status: number;
  /** Apply the update before answering with the error (the reply is lost, the change is not). */
  readonly applied?: boolean;
  readonly retryAfterSeconds?: number;
}

export interface ZendeskServer {
  readonly url: string;
  readonly email: string;
  readonly apiToken: string;
  readonly requests: ZendeskRequest[];
  /** The requests that changed a ticket (PUT). */
  updates(): ZendeskRequest[];
  ticket(id: number): ZendeskTicket | undefined;
  addTicket(id: number, fields?: Partial<Pick<ZendeskTicket, 'status' | 'tags'>>): void;
  /** The next requests fail like this, one each, in order. */
  fail(...failures: Failure[]): void;
  close(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
};

export async function startZendeskServer(credentials = { email: 'handrail-bot@acme.example', apiToken: 'zd-token-for-tests' }): Promise<ZendeskServer> {
  const requests: ZendeskRequest[] = [];
  const tickets = new Map<number, ZendeskTicket>();
  const failures: Failure[] = [];
  let nextId = 9000;
  const expectedAuth = `Basic ${Buffer.from(`${credentials.email}/token:${credentials.apiToken}`).toString('base64')}`;

  const update = (ticket: ZendeskTicket, body: any) => {
    const change = body?.ticket ?? {};
    const events: any[] = [];
    let comment: ZendeskComment | undefined;
    if (change.comment) {
      comment = { id: nextId++, body: String(change.comment.body ?? ''), public: change.comment.public !== false };
      ticket.comments.push(comment);
      events.push({ id: comment.id, type: 'Comment', body: comment.body, public: comment.public });
    }
    if (change.status && change.status !== ticket.status) {
      events.push({ id: nextId++, type: 'Change', field_name: 'status', value: change.status, previous_value: ticket.status });
      ticket.status = change.status;
    }
    for (const tag of change.additional_tags ?? []) if (!ticket.tags.includes(tag)) ticket.tags.push(tag);
    const audit = { id: nextId++, ticket_id: ticket.id, created_at: new Date().toISOString(), metadata: { custom: change.metadata ?? {}, system: { client: 'node-zendesk' } }, events };
    ticket.audits.push(audit);
    return { ticket: { id: ticket.id, status: ticket.status, tags: ticket.tags }, audit };
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    let body: any;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return json(res, 400, { error: 'InvalidJSON' });
    }
    const path = (req.url ?? '').split('?')[0]!;
    requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization, body });
    if (req.headers.authorization !== expectedAuth) return json(res, 401, { error: "Couldn't authenticate you" });
    const failure = failures.shift();
    const put = /^\/api\/v2\/tickets\/(\d+)\.json$/.exec(path);
    const audits = /^\/api\/v2\/tickets\/(\d+)\/audits\.json$/.exec(path);
    const ticket = tickets.get(Number((put ?? audits)?.[1]));
    if (failure && !failure.applied) return json(res, failure.status, { error: 'Unavailable' }, failure.retryAfterSeconds ? { 'retry-after': String(failure.retryAfterSeconds) } : {});
    if (!put && !audits) return json(res, 404, { error: 'InvalidEndpoint' });
    if (!ticket) return json(res, 404, { error: 'RecordNotFound', description: 'Not found' });
    if (put && req.method === 'PUT') {
      const result = update(ticket, body);
      return failure ? json(res, failure.status, { error: 'Unavailable' }) : json(res, 200, result);
    }
    if (audits && req.method === 'GET') return json(res, failure?.status ?? 200, { audits: ticket.audits, next_page: null, previous_page: null, count: ticket.audits.length });
    return json(res, 405, { error: 'MethodNotAllowed' });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ...credentials,
    requests,
    updates: () => requests.filter((r) => r.method === 'PUT'),
    ticket: (id) => tickets.get(id),
    addTicket: (id, fields = {}) => void tickets.set(id, { id, status: fields.status ?? 'open', tags: fields.tags ?? [], comments: [], audits: [] }),
    fail: (...more) => void failures.push(...more),
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
