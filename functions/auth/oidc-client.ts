/**
 * The OIDC relying party's protocol, with panva's oauth4webapi: authorization code + PKCE (S256),
 * `state` and `nonce`, for a public client (no secret). The API's browser sign-in
 * (functions/api/routes/sign-in.ts) and the CLI's (`npx handrail login --stage`) both use it, against
 * any issuer: its discovery document says where the browser goes and where the code is exchanged.
 * The ID token it returns is verified again, signature included, by the one verifier of ID tokens
 * (id-tokens.ts) before anything trusts it.
 *
 * @example
 * const { url, transaction } = await authorizationRequest({ issuer, clientId, redirectUri });
 * // … the browser comes back to redirectUri?code=…&state=…
 * const { idToken } = await completeSignIn({ issuer, clientId, redirectUri }, new URL(callbackUrl), transaction);
 */
import * as oauth from 'oauth4webapi';
import { ConfigurationError, UnauthorizedError } from '../shared/errors.js';

export interface RelyingParty {
  readonly issuer: string;
  readonly clientId: string;
  readonly redirectUri: string;
}

/** What the relying party keeps between sending the browser away and its return. */
export interface SignInTransaction {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

/** Plain http only for an issuer on this machine (the embedded one); everywhere else https. */
const onThisMachine = (url: string) => /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/.test(url);

const servers = new Map<string, Promise<oauth.AuthorizationServer>>();

function options(issuer: string) {
  return onThisMachine(issuer) ? { [oauth.allowInsecureRequests]: true } : {};
}

/** The issuer's discovery document (cached per issuer; dropped again if it could not be read). */
function authorizationServer(issuer: string): Promise<oauth.AuthorizationServer> {
  let server = servers.get(issuer);
  if (!server) {
    const url = new URL(issuer);
    server = oauth
      .discoveryRequest(url, { algorithm: 'oidc', ...options(issuer) })
      .then((res) => oauth.processDiscoveryResponse(url, res))
      .catch((err: unknown) => {
        servers.delete(issuer);
        throw new ConfigurationError(`The identity provider ${issuer} could not be discovered (${(err as Error).message})`, { cause: err });
      });
    servers.set(issuer, server);
  }
  return server;
}

/** Where to send the browser to sign in, and what to keep until it comes back. */
export async function authorizationRequest(rp: RelyingParty, scope = 'openid email profile'): Promise<{ url: URL; transaction: SignInTransaction }> {
  const server = await authorizationServer(rp.issuer);
  if (!server.authorization_endpoint) throw new ConfigurationError(`The identity provider ${rp.issuer} advertises no authorization endpoint`);
  const transaction = { state: oauth.generateRandomState(), nonce: oauth.generateRandomNonce(), codeVerifier: oauth.generateRandomCodeVerifier() };
  const url = new URL(server.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: rp.clientId,
    redirect_uri: rp.redirectUri,
    scope,
    state: transaction.state,
    nonce: transaction.nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(transaction.codeVerifier),
    code_challenge_method: 'S256',
  }).toString();
  return { url, transaction };
}

function refusal(err: unknown): Error {
  if (err instanceof oauth.AuthorizationResponseError) return new UnauthorizedError(`The identity provider did not sign you in: ${err.error}${err.error_description ? ` (${err.error_description})` : ''}`);
  if (err instanceof oauth.ResponseBodyError) return new UnauthorizedError(`The identity provider refused the sign-in code: ${err.error}`);
  if (err instanceof oauth.OperationProcessingError || err instanceof TypeError) return new UnauthorizedError(`The sign-in response is not valid (${(err as Error).message})`);
  return err as Error;
}

/**
 * The browser's return to `redirectUri`: checks `state` (and `iss`), exchanges the code with the
 * PKCE verifier, checks the ID token's `iss`, `aud`, `exp` and `nonce`.
 * @throws UnauthorizedError when the issuer refused, or anything does not match
 */
export async function completeSignIn(rp: RelyingParty, callbackUrl: URL, transaction: SignInTransaction): Promise<{ idToken: string }> {
  const server = await authorizationServer(rp.issuer);
  const client: oauth.Client = { client_id: rp.clientId };
  try {
    const params = oauth.validateAuthResponse(server, client, callbackUrl, transaction.state);
    const response = await oauth.authorizationCodeGrantRequest(server, client, oauth.None(), params, rp.redirectUri, transaction.codeVerifier, options(rp.issuer));
    const tokens = await oauth.processAuthorizationCodeResponse(server, client, response, { expectedNonce: transaction.nonce, requireIdToken: true });
    return { idToken: tokens.id_token! };
  } catch (err) {
    throw refusal(err);
  }
}

/** For tests that restart an issuer on another port under the same name. */
export function forgetIssuers(): void {
  servers.clear();
}
