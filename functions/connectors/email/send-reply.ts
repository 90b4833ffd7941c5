/**
 * Sends one reply, never twice (connectors/post-once.ts): the intent is recorded before the first
 * send; 429 (SES throttling) is tried again; a send whose outcome is unknown (a timeout, a network
 * error, a 5xx), or an intent an earlier invocation recorded, may have reached the customer, and SES
 * cannot be asked whether it did: the reply is then not sent again, and the run goes to the human
 * queue, which can check the sent mail and redrive or close it.
 */
import { postOnce, type OnceOutcome } from '../post-once.js';
import type { CallResult } from '../call-recorder.js';

export interface EmailCall {
  readonly attempt: number;
  readonly status?: number;
  readonly error?: string;
  readonly at: string;
}

export interface SendReplyDeps {
  /** Sends the message; resolves with the transport's message id. */
  send(): Promise<string>;
  readonly maxAttempts: number;
  /** An earlier invocation of the step recorded its intent (and no outcome). */
  readonly mayHaveLanded: boolean;
  recordIntent(): Promise<void>;
  /** Every attempt is written here. */
  readonly calls: EmailCall[];
  readonly wait?: (ms: number) => Promise<unknown>;
}

/** The HTTP status an SDK error carries (none for a timeout or a network error: its outcome is unknown). */
function statusOf(err: unknown): number | undefined {
  const e = err as { $metadata?: { httpStatusCode?: number }; name?: string };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return undefined;
  return e?.$metadata?.httpStatusCode;
}

export async function sendReplyOnce(deps: SendReplyDeps): Promise<OnceOutcome<string>> {
  return postOnce<string>(
    {
      what: 'sending the reply',
      lookingFor: 'checking for an earlier send',
      // SES keeps no record to look in: an earlier attempt that may have sent it is final (human queue).
      find: async (attempt): Promise<CallResult<string | undefined>> => {
        const error = 'an earlier attempt may have sent the reply, and SES cannot tell; check the sent mail before redriving the run';
        deps.calls.push({ attempt, error, at: new Date().toISOString() });
        return { ok: false, status: 409, error };
      },
      write: async (attempt): Promise<CallResult<string>> => {
        const at = new Date().toISOString();
        try {
          const id = await deps.send();
          deps.calls.push({ attempt, status: 200, at });
          return { ok: true, value: id };
        } catch (err) {
          const status = statusOf(err);
          const error = `${(err as Error).name ?? 'Error'}: ${(err as Error).message ?? String(err)}`.slice(0, 300);
          deps.calls.push({ attempt, ...(status !== undefined ? { status } : {}), error, at });
          return { ok: false, ...(status !== undefined ? { status } : {}), error };
        }
      },
    },
    { maxAttempts: deps.maxAttempts, mayHaveLanded: deps.mayHaveLanded, recordIntent: deps.recordIntent, ...(deps.wait ? { wait: deps.wait } : {}) },
  );
}
