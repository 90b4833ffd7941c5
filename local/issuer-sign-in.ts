/**
 * The embedded issuer's authorization code flow (OIDC, PKCE S256 only, public client
 * `handrail-local`): what the API's browser sign-in and `npx handrail login --stage` speak with
 * Cognito on AWS, spoken locally.
 *
 * Who may sign in: the local operator, and only them. Tokens were always minted from the data dir
 * (whoever can read it is the operator); the sign-in page asks for the **sign-in code** kept there
 * (`<data dir>/identity/sign-in-code`, made on first start, readable by its owner only), so reaching
 * the port is not enough to become admin. With the code, the operator picks a user of the reviewer
 * directory to sign in as, as `npx handrail login <user>` does.
 *
 * Redirect URIs: the API's own `/auth/callback`, and loopback `http://localhost:<port>/callback` /
 * `http://127.0.0.1:<port>/callback` (the CLI's listener; any port, RFC 8252 §7.3).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import * as z from 'zod';
import { LOCAL_AUDIENCE } from '../functions/auth/local-identity.js';
import { page } from '../functions/api/routes/review-page.js';
import { fromOwnPage } from '../functions/api/same-origin.js';
import type { Directory } from '../state-machines/directory.js';
import { DEFAULT_TOKEN_SECONDS, mintIdToken, type IssuerKey } from './identity-issuer.js';

/** How long an authorization code may wait for its exchange. */
const CODE_SECONDS = 60;

/** The operator's sign-in code: made on first use (80 random bits, in groups of four), then read from the data dir. */
export function signInCodeIn(dataDir: string): string {
  const file = join(dataDir, 'identity', 'sign-in-code');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const code = randomBytes(10).toString('hex').match(/.{4}/g)!.join('-');
  mkdirSync(join(dataDir, 'identity'), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${code}\n`, { mode: 0o600 });
  return code;
}

const normalized = (code: string) => Buffer.from(code.replace(/[\s-]/g, '').toLowerCase());

function sameCode(given: string, expected: string): boolean {
  const a = createHash('sha256').update(normalized(given)).digest();
  const b = createHash('sha256').update(normalized(expected)).digest();
  return timingSafeEqual(a, b);
}

export interface LocalSignInOptions {
  readonly key: IssuerKey;
  readonly issuer: () => string;
  readonly signInCode: string;
  readonly directory: () => Directory;
  /** The API's `/auth/callback` URL. */
  readonly apiCallback: () => string;
}

const LOOPBACK_CALLBACK = /^http:\/\/(localhost|127\.0\.0\.1):\d{1,5}\/callback$/;

const authorizationParams = (options: LocalSignInOptions) =>
  z.object({
    response_type: z.literal('code', { error: 'only the authorization code flow (code) is offered' }),
    client_id: z.literal(LOCAL_AUDIENCE, { error: `the client is ${LOCAL_AUDIENCE}` }),
    redirect_uri: z.string().refine((uri) => uri === options.apiCallback() || LOOPBACK_CALLBACK.test(uri), `not a redirect URI of ${LOCAL_AUDIENCE} (the API's /auth/callback, or http://localhost:<port>/callback)`),
    scope: z.string().max(200).refine((s) => s.split(' ').includes('openid'), 'must include openid'),
    state: z.string().min(8).max(512),
    nonce: z.string().min(8).max(512).optional(),
    code_challenge: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a PKCE S256 challenge'),
    code_challenge_method: z.literal('S256', { error: 'PKCE with S256 is required' }),
  });
type AuthorizationParams = z.infer<ReturnType<typeof authorizationParams>>;

const tokenRequest = z.object({
  grant_type: z.literal('authorization_code'),
  code: z.string().min(1).max(200),
  redirect_uri: z.string().min(1).max(2048),
  client_id: z.literal(LOCAL_AUDIENCE),
  code_verifier: z.string().regex(/^[A-Za-z0-9._~-]{43,128}$/),
});

interface IssuedCode extends AuthorizationParams {
  readonly userId: string;
  readonly expiresAt: number;
}

function errorPage(c: Context, message: string, status: 400 | 403) {
  return c.html(page('Sign-in refused', html`<h1>Sign-in refused</h1><p class="notice">${message}</p>`), status);
}

function signInPage(params: AuthorizationParams, directory: Directory, problem?: string) {
  const users = Object.entries(directory.users);
  return page(
    'Sign in',
    html`<h1>Sign in to Handrail (local)</h1>
      <p class="meta">The local runtime's identity provider. Prove you are this machine's operator with the sign-in code from the data folder
        (<code>cat .handrail/identity/sign-in-code</code>), then choose who to sign in as.</p>
      ${problem ? html`<p class="notice"><strong>${problem}</strong></p>` : ''}
      <form method="post" class="card">
        ${Object.entries(params).map(([k, v]) => (v === undefined ? '' : html`<input type="hidden" name="${k}" value="${v}">`))}
        <p><label>Sign in as <select name="user">${users.map(([id, u]) => html`<option value="${id}">${id} (${u.roles.join(', ')})</option>`)}</select></label></p>
        <p><label>Sign-in code <input name="signInCode" type="password" autocomplete="off" required size="30"></label></p>
        <button class="approve">Sign in</button>
      </form>`,
  );
}

/** After sign-in, the browser goes back to the client: a 303 on this site, a refresh elsewhere (the page's CSP lets forms post only here). */
function sendBack(c: Context, target: URL, issuerOrigin: string) {
  if (target.origin === issuerOrigin) return c.redirect(target.toString(), 303);
  c.header('refresh', `0;url=${target.toString()}`);
  return c.html(page('Signed in', html`<h1>Signed in</h1><p class="notice">Back to the application… <a href="${target.toString()}">continue</a></p>`));
}

export function signInEndpoints(options: LocalSignInOptions): Hono {
  const codes = new Map<string, IssuedCode>();
  const params = authorizationParams(options);
  const readParams = (value: unknown) => {
    const parsed = params.safeParse(value);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    return `${issue.path.join('.') || 'request'}: ${issue.message}`;
  };

  return new Hono()
    .get('/authorize', (c) => {
      const request = readParams(c.req.query());
      if (typeof request === 'string') return errorPage(c, request, 400);
      return c.html(signInPage(request, options.directory()));
    })
    .post('/authorize', async (c) => {
      const issuerOrigin = new URL(options.issuer()).origin;
      if (!fromOwnPage(c, issuerOrigin)) return errorPage(c, 'This sign-in form is accepted only from its own page.', 403);
      const form = (await c.req.parseBody().catch(() => ({}))) as Record<string, unknown>;
      const { user, signInCode, ...rest } = form;
      const request = readParams(rest);
      if (typeof request === 'string') return errorPage(c, request, 400);
      const directory = options.directory();
      if (typeof signInCode !== 'string' || !sameCode(signInCode, options.signInCode)) return c.html(signInPage(request, directory, 'That sign-in code is not right.'), 401);
      if (typeof user !== 'string' || !directory.users[user]) return c.html(signInPage(request, directory, 'Choose a user of the reviewer directory.'), 400);
      const now = Date.now();
      for (const [k, v] of codes) if (v.expiresAt <= now) codes.delete(k);
      const code = randomBytes(32).toString('base64url');
      codes.set(code, { ...request, userId: user, expiresAt: now + CODE_SECONDS * 1000 });
      const target = new URL(request.redirect_uri);
      target.searchParams.set('code', code);
      target.searchParams.set('state', request.state);
      target.searchParams.set('iss', options.issuer());
      return sendBack(c, target, issuerOrigin);
    })
    .post('/token', async (c) => {
      const parsed = tokenRequest.safeParse(await c.req.parseBody().catch(() => ({})));
      if (!parsed.success) return c.json({ error: 'invalid_request', error_description: `${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}` }, 400);
      const request = parsed.data;
      const issued = codes.get(request.code);
      codes.delete(request.code); // one use, whatever happens next
      const challenge = createHash('sha256').update(request.code_verifier).digest('base64url');
      if (!issued || issued.expiresAt <= Date.now() || issued.redirect_uri !== request.redirect_uri || issued.client_id !== request.client_id || issued.code_challenge !== challenge) {
        return c.json({ error: 'invalid_grant', error_description: 'the code is unknown, used, expired, or not for this redirect URI and verifier' }, 400);
      }
      const idToken = await mintIdToken({ key: options.key, issuer: options.issuer(), directory: options.directory(), userId: issued.userId, nonce: issued.nonce });
      // Handrail's API takes only the ID token; the access token is opaque and opens nothing.
      return c.json({ access_token: randomBytes(32).toString('base64url'), token_type: 'Bearer', expires_in: DEFAULT_TOKEN_SECONDS, id_token: idToken });
    });
}
