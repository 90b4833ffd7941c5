/** Runs the `handrail` CLI as a user runs it, against a test runtime, signed in as `as` (a directory user). */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { LocalRuntime } from '../../local/runtime.js';

export const CLI_BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Exit code 0 with its output, or the failing exit code with its output (never throws for a non-zero exit). */
export async function handrailCli(rt: LocalRuntime, args: string[], { as, env: extra = {} }: { as: string; env?: Record<string, string> }): Promise<CliResult> {
  const env = { ...process.env, HANDRAIL_URL: rt.url, HANDRAIL_TOKEN: await rt.login(as), ...extra };
  return promisify(execFile)(process.execPath, [CLI_BIN, ...args], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: CliResult) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}
