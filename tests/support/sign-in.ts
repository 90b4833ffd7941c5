/**
 * Browser sign-in without a browser: the requests Chromium makes through GET /auth/login, the
 * embedded issuer's sign-in page and GET /auth/callback, with the cookies carried by hand, and a
 * workflows folder whose support-reply approvals are sensitive (`signIn: required`).
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signInCodeIn } from '../../local/issuer-sign-in.js';

/** state-machines/workflows, with every approval step of support-reply marked `signIn: required`. */
export function sensitiveWorkflowsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'handrail-sensitive-'));
  cpSync('state-machines/workflows', dir, { recursive: true });
  const file = join(dir, 'support-reply.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^(\s+)kind: approval$/gm, '$1kind: approval\n$1signIn: required'));
  return dir;
}

/** `name=value` of each Set-Cookie, for sending back. */
export function cookiesOf(res: Response): Record<string, string> {
  return Object.fromEntries(res.headers.getSetCookie().map((c) => c.split(';')[0]!.split(/=(.*)/s).slice(0, 2) as [string, string]));
}

export const cookieHeader = (jar: Record<string, string>) => Object.entries(jar).filter(([, v]) => v).map(([k, v]) => `${k}=${v}`).join('; ');

/** The hidden fields of the issuer's sign-in page. */
export function hiddenFields(page: string): Record<string, string> {
  return Object.fromEntries([...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&')]));
}

/**
 * Signs `user` in through the embedded issuer's page with the runtime's sign-in code, starting at
 * /auth/login?returnTo=…; returns the session cookie jar and where the browser was sent at the end.
 */
export async function browserSignIn(rt: { url: string; dataDir: string }, user: string, returnTo?: string, code = signInCodeIn(rt.dataDir)) {
  const login = await fetch(`${rt.url}/auth/login${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ''}`, { redirect: 'manual' });
  if (login.status !== 302) throw new Error(`GET /auth/login answered ${login.status}: ${await login.text()}`);
  const jar = cookiesOf(login);
  const authorize = login.headers.get('location')!;
  const page = await (await fetch(authorize)).text();
  const submitted = await fetch(authorize, { method: 'POST', redirect: 'manual', headers: { origin: new URL(authorize).origin }, body: new URLSearchParams({ ...hiddenFields(page), user, signInCode: code }) });
  if (submitted.status !== 303) throw new Error(`the issuer's sign-in answered ${submitted.status}: ${await submitted.text()}`);
  const callback = await fetch(submitted.headers.get('location')!, { redirect: 'manual', headers: { cookie: cookieHeader(jar) } });
  Object.assign(jar, cookiesOf(callback));
  return { jar, callback, location: callback.headers.get('location') };
}
