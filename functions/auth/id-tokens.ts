/**
 * ID tokens from the stage's identity provider (a Cognito user pool on AWS, federating the
 * company's SAML or OIDC provider; the local runtime's embedded issuer locally), verified with jose:
 * signature against the issuer's published keys, issuer, audience, expiry. On AWS, API Gateway's JWT
 * authorizer checks the token first on the routes no reviewer may call (infra/constructs/http-api.ts);
 * this check runs on every route, everywhere, so local = AWS.
 *
 * Roles are the token's `cognito:groups` that name a role (roles.ts); the caller is its `email`.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { ENV } from '../shared/env-names.js';
import { ConfigurationError, UnauthorizedError } from '../shared/errors.js';
import type { Caller } from './caller.js';
import { isRole } from './roles.js';

/** The claim that carries the caller's groups, in Cognito's ID tokens and the local issuer's alike. */
export const GROUPS_CLAIM = 'cognito:groups';

/** Clock skew allowed between the issuer and this function. */
const CLOCK_TOLERANCE_SECONDS = 30;

let keys: { url: string; set: ReturnType<typeof createRemoteJWKSet> } | undefined;

function settings() {
  const issuer = process.env[ENV.authIssuer];
  const audience = process.env[ENV.authAudience];
  if (!issuer || !audience) throw new ConfigurationError(`No identity provider configured: set ${ENV.authIssuer} and ${ENV.authAudience} (the stage's identity settings)`);
  const jwksUrl = process.env[ENV.authJwksUrl] || `${issuer.replace(/\/$/, '')}/.well-known/jwks.json`;
  if (keys?.url !== jwksUrl) keys = { url: jwksUrl, set: createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000 }) };
  return { issuer, audience, keySet: keys.set };
}

function refusal(err: unknown): UnauthorizedError {
  if (err instanceof errors.JWTExpired) return new UnauthorizedError('Your sign-in token has expired; sign in again (locally: npx handrail login <user>)');
  if (err instanceof errors.JWTClaimValidationFailed) return new UnauthorizedError(`Your sign-in token is not for this API (${err.claim}: ${err.reason})`);
  if (err instanceof errors.JOSEError) return new UnauthorizedError('Your sign-in token is not valid (its signature, issuer or form)');
  return new UnauthorizedError('Your sign-in token could not be verified');
}

/** The caller an ID token names. @throws UnauthorizedError (expired, forged, for another audience) */
export async function callerFromIdToken(token: string): Promise<Caller> {
  const { issuer, audience, keySet } = settings();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keySet, { issuer, audience, clockTolerance: CLOCK_TOLERANCE_SECONDS, algorithms: ['RS256', 'ES256'] }));
  } catch (err) {
    throw refusal(err);
  }
  const email = typeof payload.email === 'string' ? payload.email.toLowerCase() : undefined;
  if (!email) throw new UnauthorizedError('Your sign-in token names no email; Handrail identifies people by email');
  const groups = payload[GROUPS_CLAIM];
  return { id: email, roles: Array.isArray(groups) ? groups.filter(isRole) : [], via: 'id-token' };
}

/** For tests that switch issuers. */
export function resetIdTokenKeys(): void {
  keys = undefined;
}
