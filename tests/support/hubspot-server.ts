/**
 * A local server that speaks the part of HubSpot's CRM v3 API the connector's SDK
 * (@hubspot/api-client) calls: create a note or task with its associations
 * (POST /crm/v3/objects/{notes|tasks}) and search them (POST /crm/v3/objects/{type}/search, with
 * CONTAINS_TOKEN and `associations.contact` EQ filters). It checks the private app's Bearer token,
 * checks what it is sent (properties are strings, the association is HubSpot-defined with the
 * note → contact 202 / task → contact 204 type, the contact exists), answers as HubSpot does,
 * records every request, and can fail the next requests: refused without applying them, or applied
 * and then answered with an error (a reply that was lost on its way).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HubspotRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: any;
}

export interface HubspotObject {
  readonly id: string;
  readonly type: 'notes' | 'tasks';
  readonly properties: Record<string, string>;
  readonly contactIds: string[];
  readonly createdAt: string;
}

export interface Failure {
  readonly status: number;
  /** Apply the create before answering with the error (the reply is lost, the object is not). */
  readonly applied?: boolean;
  readonly retryAfterSeconds?: number;
}

export interface HubspotServer {
  readonly url: string;
  readonly accessToken: string;
  readonly requests: HubspotRequest[];
  /** The requests that created an object. */
  creates(): HubspotRequest[];
  objects(type: 'notes' | 'tasks'): HubspotObject[];
  addContact(id: string): void;
  /** The next requests fail like this, one each, in order. */
  fail(...failures: Failure[]): void;
  close(): Promise<void>;
}

const ASSOCIATION_TO_CONTACT = { notes: 202, tasks: 204 } as const;

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
};

const error = (res: ServerResponse, status: number, message: string, category = 'VALIDATION_ERROR') =>
  json(res, status, { status: 'error', message, correlationId: '00000000-0000-0000-0000-000000000000', category });

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startHubspotServer(accessToken = 'pat-na1-hubspot-token-for-tests'): Promise<HubspotServer> {
  const requests: HubspotRequest[] = [];
  const objects: HubspotObject[] = [];
  const contacts = new Set<string>();
  const failures: Failure[] = [];
  let nextId = 5001;

  const view = (o: HubspotObject, properties?: string[]) => ({
    id: o.id,
    properties: properties ? Object.fromEntries(properties.map((p) => [p, o.properties[p] ?? null])) : o.properties,
    createdAt: o.createdAt,
    updatedAt: o.createdAt,
    archived: false,
  });

  const server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    let body: any;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return error(res, 400, 'Invalid input JSON');
    }
    requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization, body });
    if (req.headers.authorization !== `Bearer ${accessToken}`) {
      return json(res, 401, { status: 'error', message: 'Authentication credentials not found.', category: 'INVALID_AUTHENTICATION' });
    }
    const failure = failures.shift();
    if (failure && !failure.applied) {
      const headers: Record<string, string> = failure.retryAfterSeconds !== undefined ? { 'retry-after': String(failure.retryAfterSeconds) } : {};
      return json(res, failure.status, { status: 'error', message: 'failing on demand', category: failure.status === 429 ? 'RATE_LIMITS' : 'INTERNAL_ERROR' }, headers);
    }
    const route = /^\/crm\/v3\/objects\/(notes|tasks)(\/search)?$/.exec(path);
    if (!route || req.method !== 'POST') return error(res, 404, `No route ${req.method} ${path}`, 'OBJECT_NOT_FOUND');
    const type = route[1] as 'notes' | 'tasks';
    let status = 201;
    let answer: unknown;
    if (route[2]) {
      const filters: any[] = body?.filterGroups?.[0]?.filters ?? [];
      const matches = objects.filter((o) => o.type === type && filters.every((f) => {
        if (f.propertyName === 'associations.contact' && f.operator === 'EQ') return o.contactIds.includes(String(f.value));
        if (f.operator === 'CONTAINS_TOKEN') return (o.properties[f.propertyName] ?? '').includes(String(f.value));
        if (f.operator === 'EQ') return o.properties[f.propertyName] === String(f.value);
        return false;
      }));
      status = 200;
      answer = { total: matches.length, results: matches.slice(0, body?.limit ?? 10).map((o) => view(o, body?.properties)) };
    } else {
      const properties = body?.properties;
      if (!properties || typeof properties !== 'object' || Object.values(properties).some((v) => typeof v !== 'string')) return error(res, 400, 'properties: each value must be a string');
      const property = type === 'notes' ? 'hs_note_body' : 'hs_task_subject';
      if (!properties[property] || !properties.hs_timestamp) return error(res, 400, `Property values were not valid: ${property} and hs_timestamp are required`);
      const associations: any[] = body?.associations ?? [];
      const contactIds: string[] = [];
      for (const a of associations) {
        const spec = a?.types?.[0];
        if (spec?.associationCategory !== 'HUBSPOT_DEFINED' || spec?.associationTypeId !== ASSOCIATION_TO_CONTACT[type]) return error(res, 400, `association type ${JSON.stringify(spec)} is not ${type} → contact`);
        if (!contacts.has(String(a?.to?.id))) return error(res, 400, `One or more associations are invalid: contact ${a?.to?.id} does not exist`);
        contactIds.push(String(a.to.id));
      }
      const created: HubspotObject = { id: String(nextId++), type, properties: { ...properties }, contactIds, createdAt: new Date().toISOString() };
      objects.push(created);
      answer = view(created);
    }
    if (failure?.applied) return error(res, failure.status, 'the change was applied, the answer lost', 'INTERNAL_ERROR');
    json(res, status, answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accessToken,
    requests,
    creates: () => requests.filter((r) => r.method === 'POST' && !r.path.endsWith('/search')),
    objects: (type) => objects.filter((o) => o.type === type),
    addContact: (id) => void contacts.add(id),
    fail: (...f) => void failures.push(...f),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
