/**
 * What the API needs to sign people in with a browser, as an OIDC relying party of the stage's
 * issuer (Cognito's Hosted UI on AWS, the embedded issuer locally): the issuer (its discovery
 * document says where to send the browser and where to exchange the code), the public app client
 * (the `aud` of its ID tokens) and the API's own callback URL, which the issuer must know.
 * Cookies are `Secure` whenever that URL is https; only http://localhost may go without.
 */
import { ENV } from '../shared/env-names.js';
import { ConfigurationError } from '../shared/errors.js';

export interface SignInSettings {
  readonly issuer: string;
  readonly clientId: string;
  /** `<api url>/auth/callback`. */
  readonly redirectUri: string;
  /** Cookies carry `Secure` (and the `__Host-` prefix). */
  readonly secureCookies: boolean;
}

export function signInSettings(): SignInSettings {
  const issuer = process.env[ENV.authIssuer];
  const clientId = process.env[ENV.authAudience];
  const redirectUri = process.env[ENV.authRedirectUrl];
  if (!issuer || !clientId || !redirectUri) {
    throw new ConfigurationError(`Browser sign-in is not configured: set ${ENV.authIssuer}, ${ENV.authAudience} and ${ENV.authRedirectUrl} (the stage's identity settings)`);
  }
  const secureCookies = redirectUri.startsWith('https://');
  if (!secureCookies && !/^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?\//.test(redirectUri)) {
    throw new ConfigurationError(`${ENV.authRedirectUrl} must be https:// (http:// only on localhost); received ${redirectUri}`);
  }
  return { issuer, clientId, redirectUri, secureCookies };
}
