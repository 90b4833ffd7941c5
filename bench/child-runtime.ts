/**
 * `npm start` as a child process on a data dir, for crash tests and scripts: start it, wait until
 * it says it is running, kill it with SIGKILL. Each start takes a fresh port: the state lives in
 * the data dir, and a port freed by a kill may already belong to another server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from '../infra/project-root.js';
import { LOCAL_ISSUER_PATH } from '../functions/auth/local-identity.js';
import { issuerKey, mintIdToken } from '../local/identity-issuer.js';
import { webhookSecretIn } from '../local/signing-secret-file.js';
import { loadDirectory } from '../state-machines/directory.js';

const START_TIMEOUT_MS = 120_000; // the first start may synthesize the CDK app

export interface ChildRuntime {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything it printed so far. */
  output(): string;
  /** An ID token from its embedded issuer for a user of the reviewer directory, as `npx handrail login` mints it. */
  login(userId: string): Promise<string>;
  /** A workflow's webhook secret (its sender signs with it). */
  webhookSecret(workflowId: string): string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startChildRuntime(dataDir: string, env: Record<string, string> = {}): Promise<ChildRuntime> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', 'local/main.ts'], {
    cwd: projectRoot,
    env: { ...process.env, PORT: String(port), HANDRAIL_DATA_DIR: dataDir, HANDRAIL_PROVIDERS: 'offline', POWERTOOLS_LOG_LEVEL: 'ERROR', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the runtime did not start within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /Handrail is running at (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    // CRASH_LOG_DIR keeps every child's output (the scenario's post-mortem when a run is left unfinished).
    if (process.env.CRASH_LOG_DIR) {
      const log = join(process.env.CRASH_LOG_DIR, `runtime-${Date.now()}.log`);
      const keep = (chunk: Buffer) => appendFileSync(log, chunk);
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
    }
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the runtime exited (${signal ?? code}) before it was running:\n${output}`));
    });
  });
  const login = async (userId: string) => mintIdToken({ key: await issuerKey(dataDir), issuer: `${url}${LOCAL_ISSUER_PATH}`, directory: loadDirectory(), userId });
  return { child, url, output: () => output, login, webhookSecret: (workflowId: string) => webhookSecretIn(dataDir, workflowId) };
}

export async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}
