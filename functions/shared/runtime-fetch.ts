/**
 * What the bundles put where `cross-fetch` is imported (infra/constructs/handrail-function.ts): the
 * Node.js runtime's own fetch. node-zendesk imports cross-fetch, whose Node build drags in
 * node-fetch and whatwg-url's Unicode tables (300 KB minified); Node 22 has fetch, and the Zendesk
 * connector hands the SDK that fetch anyway (connectors/zendesk/ticket-api.ts).
 */
export const fetch = globalThis.fetch;
export const Headers = globalThis.Headers;
export const Request = globalThis.Request;
export const Response = globalThis.Response;
export default globalThis.fetch;
