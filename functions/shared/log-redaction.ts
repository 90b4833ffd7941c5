/**
 * Secrets that travel in requests and must never reach a log line: review and inbox link tokens
 * (they are credentials: whoever holds one can decide), bearer tokens, ID tokens, and request and
 * delivery signatures; and personal data (email addresses, card and phone numbers: personal-data.ts).
 * Applied to every string the shared logger prints (its JSON replacer), messages and stacks included.
 */
import { maskPersonalData } from './personal-data.js';

const RULES: Array<[RegExp, string]> = [
  [/\/(review|inbox)\/[^/?#\s"']+/g, '/$1/<redacted>'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 <redacted>'],
  // A signed token outside a link or header (an ID token, a review link's): base64url JSON, then a signature.
  [/\beyJ[A-Za-z0-9_-]+\.(?:[A-Za-z0-9_-]+\.)?[A-Za-z0-9_-]{20,}/g, '<redacted token>'],
  [/\bv0=[0-9a-f]{16,}/gi, 'v0=<redacted>'],
  [/\bsha256=[0-9a-f]{16,}/gi, 'sha256=<redacted>'],
  [/\bxox[abposr]-[A-Za-z0-9-]+/g, 'xox?-<redacted>'],
  // Sign-in (OIDC): an authorization code or PKCE verifier in a callback URL or a token request.
  [/\b(code|code_verifier)=[^&\s"']+/g, '$1=<redacted>'],
];

/** The text with every token, credential and signature replaced by `<redacted>`, and personal data masked. */
export function redact(text: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return maskPersonalData(out);
}

/**
 * Keys whose values are credentials whatever they look like: any `…token`, `…secret`,
 * `…signature` or `…apiKey` (taskToken, idToken, signingSecret, x-handrail-signature, openAiApiKey…).
 */
const SECRET_KEYS = /^(authorization|cookies?|set-cookie|password|[\w-]*token|[\w-]*secret|[\w-]*signature|[\w-]*api-?key)$/i;

/**
 * A JSON.stringify replacer for Powertools' `jsonReplacerFn`.
 *
 * @example
 * new Logger({ serviceName: 'handrail', jsonReplacerFn: redactingReplacer });
 */
export function redactingReplacer(key: string, value: unknown): unknown {
  if (key && SECRET_KEYS.test(key) && value !== undefined && value !== null) return '<redacted>';
  return typeof value === 'string' ? redact(value) : value;
}
