/**
 * `npx handrail login --stage <stage>`: signs in with the stage's identity provider the way a
 * native app does (RFC 8252): authorization code + PKCE with a loopback redirect,
 * `http://localhost:<port>/callback`, which must be one of the stage's `identity.callbackUrls`
 * (stages.yaml). The browser signs in (Cognito's Hosted UI, or the local issuer's page); the ID token
 * is printed. Same protocol code as the API's browser sign-in (functions/auth/oidc-client.ts).
 *
 * Where the issuer and the app client are (explicitly, in this order):
 * - `--issuer <url> --client-id <id>`;
 * - `--stage local`: the running local runtime's embedded issuer (`$HANDRAIL_URL/local-idp`, client `handrail-local`);
 * - `--stage <name>`: the deployed stack's outputs `AuthIssuer` and `UserPoolClientId`, from the
 *   file `npx cdk deploy -c stage=<name> --outputs-file cdk-outputs.json` wrote (`--outputs <file>`).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';
import { LOCAL_AUDIENCE, LOCAL_ISSUER_PATH } from '../functions/auth/local-identity.js';
import { authorizationRequest, completeSignIn, type RelyingParty } from '../functions/auth/oidc-client.js';
import { baseUrl, CliError } from './api-client.js';

/** The loopback port of the README's example callback URL (http://localhost:8976/callback). */
export const DEFAULT_LOGIN_PORT = 8976;
const WAIT_MS = 5 * 60_000;

export interface BrowserLoginOptions {
  readonly stage?: string;
  readonly issuer?: string;
  readonly clientId?: string;
  readonly outputs?: string;
  readonly port?: string;
  /** Print the sign-in URL only; do not try to open a browser. */
  readonly noBrowser?: boolean;
}

const stackOutputs = z.record(z.string(), z.record(z.string(), z.string()));

async function issuerAndClient(opts: BrowserLoginOptions): Promise<{ issuer: string; clientId: string }> {
  if (opts.issuer || opts.clientId) {
    if (!opts.issuer || !opts.clientId) throw new CliError('give both --issuer <url> and --client-id <id> (the stack outputs AuthIssuer and UserPoolClientId)', 2);
    return { issuer: opts.issuer, clientId: opts.clientId };
  }
  if (!opts.stage) throw new CliError('give --stage <name> (or --issuer and --client-id)', 2);
  if (opts.stage === 'local') return { issuer: `${baseUrl()}${LOCAL_ISSUER_PATH}`, clientId: LOCAL_AUDIENCE };
  const file = opts.outputs ?? 'cdk-outputs.json';
  let outputs: z.infer<typeof stackOutputs>;
  try {
    outputs = stackOutputs.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    throw new CliError(`--outputs: cannot read the stack outputs in ${file}; deploy with \`npx cdk deploy -c stage=${opts.stage} --outputs-file ${file}\` (or give --issuer and --client-id)`, 2);
  }
  const { stackName } = await import('../infra/app-factory.js');
  const stack = outputs[stackName(opts.stage)];
  if (!stack?.AuthIssuer || !stack.UserPoolClientId) throw new CliError(`${file} has no AuthIssuer and UserPoolClientId for ${stackName(opts.stage)}; deploy stage ${opts.stage} with --outputs-file ${file}`, 2);
  return { issuer: stack.AuthIssuer, clientId: stack.UserPoolClientId };
}

function parsePort(port: string | undefined): number {
  if (port === undefined) return DEFAULT_LOGIN_PORT;
  const n = Number(port);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new CliError('--port: a port number from 1 to 65535 (one of the stage\'s http://localhost:<port>/callback URLs)', 2);
  return n;
}

function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    spawn(command, [url], { stdio: 'ignore', detached: true }).on('error', () => undefined).unref();
  } catch {
    // No browser to open: the URL is printed anyway.
  }
}

const PAGE = (message: string) => `<!doctype html><meta charset="utf-8"><title>Handrail</title><p>${message}</p>`;

/** Runs the flow and resolves with the ID token. */
export async function browserLogin(opts: BrowserLoginOptions): Promise<string> {
  const { issuer, clientId } = await issuerAndClient(opts);
  const port = parsePort(opts.port);
  const rp: RelyingParty = { issuer, clientId, redirectUri: `http://localhost:${port}/callback` };
  const { url, transaction } = await authorizationRequest(rp).catch((err: Error) => {
    throw new CliError(err.message);
  });

  let settle!: { resolve: (token: string) => void; reject: (err: Error) => void };
  const done = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  const server = createServer((req, res) => {
    const callback = new URL(req.url ?? '/', rp.redirectUri);
    if (callback.pathname !== '/callback') {
      res.writeHead(404).end();
      return;
    }
    completeSignIn(rp, callback, transaction).then(
      ({ idToken }) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(PAGE('Signed in. You can close this tab and return to the terminal.'));
        settle.resolve(idToken);
      },
      (err: Error) => {
        res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE('Sign-in failed; see the terminal.'));
        settle.reject(new CliError(err.message));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new CliError(err.code === 'EADDRINUSE' ? `--port: ${port} is in use; choose another of the stage's http://localhost:<port>/callback URLs` : err.message)));
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const timer = setTimeout(() => settle.reject(new CliError(`no sign-in within ${WAIT_MS / 60_000} minutes; run the command again`)), WAIT_MS);
  console.error(`Sign in in your browser (listening on http://localhost:${(server.address() as AddressInfo).port}/callback):\n${url}`);
  if (!opts.noBrowser) openBrowser(url.toString());
  try {
    return await done;
  } finally {
    clearTimeout(timer);
    server.closeAllConnections();
    server.close();
  }
}
