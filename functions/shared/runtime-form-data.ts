/**
 * What the bundles put where `form-data` is imported (infra/constructs/handrail-function.ts): the
 * Node.js runtime's own FormData. @hubspot/api-client's transport imports form-data only to tell
 * a multipart upload (`body instanceof FormData`) from a JSON body; the HubSpot connector sends
 * JSON only, and form-data would add mime-db and its helpers (160 KB minified) to the bundle.
 */
export default globalThis.FormData;
