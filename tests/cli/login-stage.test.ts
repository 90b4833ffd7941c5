/**
 * `npx handrail login --stage`: the authorization code + PKCE flow with a loopback redirect, run end
 * to end against the local runtime's embedded issuer (the protocol Cognito's Hosted UI speaks on a
 * deployed stage), the test playing the browser; and the settings it refuses.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { signInCodeIn } from '../../local/issuer-sign-in.js';
import { client, runtimeForSuite } from '../support/local-runtime.js';
import { hiddenFields } from '../support/sign-in.js';

const bin = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'handrail-cli-login-'));
const runtime = runtimeForSuite();

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Starts the CLI; resolves its sign-in URL once printed, and its exit with everything it wrote. */
function startLogin(args: string[]) {
  const child = spawn(process.execPath, [bin, 'login', ...args], { env: { ...process.env, HANDRAIL_URL: runtime().url }, cwd: work });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  const url = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      const found = /^(http:\/\/\S+\/local-idp\/authorize\?\S+)$/m.exec(stderr);
      if (found) resolve(found[1]!);
    });
    child.once('exit', () => reject(new Error(`the CLI exited before printing a URL: ${stderr}`)));
  });
  url.catch(() => undefined); // the refusals below never print one
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
  return { url, exit };
}

describe('npx handrail login --stage', () => {
  it('local: the browser signs in at the issuer, comes back to the loopback callback, and the CLI prints an ID token the API accepts', async () => {
    // Prepare
    const port = await freePort();
    const login = startLogin(['--stage', 'local', '--port', String(port), '--no-browser']);
    const authorize = await login.url;
    expect(new URL(authorize).searchParams.get('redirect_uri')).toBe(`http://localhost:${port}/callback`);
    expect(new URL(authorize).searchParams.get('code_challenge_method')).toBe('S256');

    // Act: what the browser does: the sign-in page, the form, then the page's refresh to the loopback callback
    const fields = hiddenFields(await (await fetch(authorize)).text());
    const signedIn = await fetch(authorize, { method: 'POST', headers: { origin: runtime().url }, body: new URLSearchParams({ ...fields, user: 'auditor@example.com', signInCode: signInCodeIn(runtime().dataDir) }) });
    expect(signedIn.status).toBe(200);
    const back = /^0;url=(.+)$/.exec(signedIn.headers.get('refresh') ?? '')![1]!;
    expect(back).toMatch(new RegExp(`^http://localhost:${port}/callback\\?code=`));
    const landing = await fetch(back.replace('localhost', '127.0.0.1'));
    expect(await landing.text()).toContain('Signed in');
    const { code, stdout } = await login.exit;

    // Assess: the token is the auditor's, and the API takes it
    expect(code).toBe(0);
    const token = stdout.trim();
    expect(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString())).toMatchObject({ email: 'auditor@example.com', aud: 'handrail-local' });
    expect((await client(runtime(), { as: null }).get('/runs')).status).toBe(401);
    const runs = await fetch(`${runtime().url}/runs`, { headers: { authorization: `Bearer ${token}` } });
    expect(runs.status).toBe(200);
  }, 60_000);

  it('a code is exchanged once, with its own PKCE verifier only', async () => {
    const port = await freePort();
    const login = startLogin(['--stage', 'local', '--port', String(port), '--no-browser']);
    const authorize = await login.url;
    const fields = hiddenFields(await (await fetch(authorize)).text());
    const signedIn = await fetch(authorize, { method: 'POST', headers: { origin: runtime().url }, body: new URLSearchParams({ ...fields, user: 'admin@example.com', signInCode: signInCodeIn(runtime().dataDir) }) });
    const back = new URL(/^0;url=(.+)$/.exec(signedIn.headers.get('refresh')!)![1]!);
    // Someone who saw the code but not the verifier cannot redeem it, and spends it trying.
    const stolen = await fetch(`${runtime().url}/local-idp/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: `http://localhost:${port}/callback`, client_id: 'handrail-local', code_verifier: 'x'.repeat(43) }),
    });
    expect(stolen.status).toBe(400);
    expect(((await stolen.json()) as { error: string }).error).toBe('invalid_grant');
    await fetch(back.toString().replace('localhost', '127.0.0.1'));
    const { code, stderr } = await login.exit;
    expect(code).toBe(1);
    expect(stderr).toMatch(/handrail: The identity provider refused the sign-in code: invalid_grant/);
  }, 60_000);

  it.each([
    [['--stage', 'dev', '--outputs', 'missing.json'], /--outputs: cannot read the stack outputs in missing.json; deploy with `npx cdk deploy -c stage=dev --outputs-file missing.json`/],
    [['--stage', 'dev', '--outputs', 'outputs.json'], /outputs.json has no AuthIssuer and UserPoolClientId for Handrail-dev/],
    [['--issuer', 'https://cognito-idp.eu-west-1.amazonaws.com/x'], /give both --issuer <url> and --client-id <id>/],
    [['--stage', 'local', '--port', '0'], /--port: a port number from 1 to 65535/],
    [['admin@example.com', '--stage', 'local'], /drop "admin@example.com"/],
  ])('refuses %j with one line that says what to fix', async (args, message) => {
    writeFileSync(join(work, 'outputs.json'), JSON.stringify({ 'Handrail-prod': { AuthIssuer: 'https://x', UserPoolClientId: 'y' } }));
    const { code, stderr } = await startLogin(args).exit;
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });
});
