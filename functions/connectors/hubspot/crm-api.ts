/**
 * The HubSpot CRM calls the connector makes, through HubSpot's maintained Node SDK
 * (@hubspot/api-client, its generated CRM objects client only: the whole client would add
 * megabytes to the deliver bundle): create an object with its associations
 * (`POST /crm/v3/objects/{notes|tasks}`) and search objects (`POST /crm/v3/objects/{type}/search`).
 * Every HTTP exchange goes through the connectors' call recorder (../call-recorder.ts): timed out,
 * written down on the run and step records, judged by the status seen.
 */
import {
  BasicApi,
  createConfiguration,
  ResponseContext,
  SearchApi,
  ServerConfiguration,
  type HttpLibrary,
  type RequestContext,
} from '@hubspot/api-client/lib/codegen/crm/objects/index.js';
import { from } from '@hubspot/api-client/lib/codegen/crm/objects/rxjsStub.js';
import { callRecorder, type CallResult, type ConnectorCall } from '../call-recorder.js';
import type { HubspotCredentials } from './credentials.js';

/** The CRM objects the connector writes. */
export type HubspotObjectType = 'notes' | 'tasks';

/** HubSpot-defined association types from a note or task to a contact (HubSpot's association type ids). */
export const CONTACT_ASSOCIATION_TYPE: Readonly<Record<HubspotObjectType, number>> = { notes: 202, tasks: 204 };

export interface CrmObject {
  readonly id: string;
  readonly properties: Readonly<Record<string, string | null>>;
}

export interface CrmApi {
  /** Creates `objectType` with `properties`, associated with the contact. */
  create(objectType: HubspotObjectType, properties: Record<string, string>, contactId: string, attempt: number): Promise<CallResult<CrmObject>>;
  /** The objects of `objectType`, associated with the contact, whose `property` contains the token `token` (HubSpot's CONTAINS_TOKEN). */
  search(objectType: HubspotObjectType, property: string, token: string, contactId: string, attempt: number): Promise<CallResult<CrmObject[]>>;
}

/**
 * A CrmApi for one delivery; `calls` receives every exchange, in order.
 *
 * @example
 * const calls: ConnectorCall[] = [];
 * const api = crmApi(await hubspotCredentials(), { timeoutMs: 10_000, calls });
 * await api.create('notes', { hs_note_body: 'Hi', hs_timestamp: new Date().toISOString() }, '901', 1);
 */
export function crmApi(credentials: HubspotCredentials, options: { timeoutMs: number; calls: ConnectorCall[] }): CrmApi {
  const recorder = callRecorder(options);
  const httpApi: HttpLibrary = {
    send: (request: RequestContext) =>
      from(
        recorder
          .fetch(request.getUrl(), { method: request.getHttpMethod(), headers: request.getHeaders(), body: request.getBody() as RequestInit['body'] })
          .then(async (res) => {
            const buffer = Buffer.from(await res.arrayBuffer());
            const headers: Record<string, string> = {};
            res.headers.forEach((value, name) => (headers[name] = value));
            return new ResponseContext(res.status, headers, { text: async () => buffer.toString('utf8'), binary: async () => buffer });
          }),
      ),
  };
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(credentials.url, {}),
    httpApi,
    authMethods: { oauth2: { accessToken: credentials.accessToken } },
  });
  const basic = new BasicApi(configuration);
  const searchApi = new SearchApi(configuration);
  const objectOf = (o: { id: string; properties: Record<string, string | null> }): CrmObject => ({ id: o.id, properties: o.properties });

  return {
    async create(objectType, properties, contactId, forAttempt) {
      const out = await recorder.exchange(forAttempt, () =>
        basic.create(objectType, {
          properties,
          associations: [{ to: { id: contactId }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: CONTACT_ASSOCIATION_TYPE[objectType] }] }],
        }),
      );
      return out.ok ? { ok: true, value: objectOf(out.value.result) } : out;
    },
    async search(objectType, property, token, contactId, forAttempt) {
      const out = await recorder.exchange(forAttempt, () =>
        searchApi.doSearch(objectType, {
          filterGroups: [
            {
              filters: [
                { propertyName: property, operator: 'CONTAINS_TOKEN' as never, value: token },
                { propertyName: 'associations.contact', operator: 'EQ' as never, value: contactId },
              ],
            },
          ],
          properties: [property],
          limit: 10,
        }),
      );
      return out.ok ? { ok: true, value: out.value.result.results.map(objectOf) } : out;
    },
  };
}
