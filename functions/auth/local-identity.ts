/**
 * The local stage's identity provider: the local runtime's embedded issuer (local/identity-issuer.ts)
 * serves its discovery document and keys under the API's own URL; the local stage's template gives
 * the API function these settings, as a deployed stage's gives it its Cognito user pool's.
 */
/** Where the embedded issuer lives, relative to the API's URL: its `iss` is `<api url>/local-idp`. */
export const LOCAL_ISSUER_PATH = '/local-idp';
/** The `aud` of the tokens it mints. */
export const LOCAL_AUDIENCE = 'handrail-local';
