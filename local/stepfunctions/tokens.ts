/**
 * Task tokens of `.waitForTaskToken` states: which execution and state each belongs to, whether it
 * is still open, and how to resume the waiting state.
 */
import { randomBytes } from 'node:crypto';
import { SfnServiceError, stateError } from './errors.js';

// 32 random bytes, base64url: unguessable, and a fixed shape so garbage is rejected cheaply.
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function mintTaskToken(): string {
  return randomBytes(32).toString('base64url');
}

interface TokenRecord {
  readonly token: string;
  readonly executionArn: string;
  readonly stateName: string;
  open: boolean;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

export class TaskTokenRegistry {
  private readonly tokens = new Map<string, TokenRecord>();
  private readonly byExecution = new Map<string, Set<string>>();

  /** `onClose` hears every token that closes, however it closes (e.g. to journal it). */
  constructor(private readonly onClose?: (token: string) => void) {}

  /**
   * Opens `token` and returns the promise the waiting state resolves with.
   *
   * `timeoutMs` only closes the token: the interpreter's own Task timeout fails the state with
   * States.Timeout. Call this synchronously before returning to the interpreter, so this timer is
   * queued before the interpreter's timer of the same length and fires first; a SendTaskSuccess
   * racing the timeout then gets TaskTimedOut instead of being accepted and silently dropped.
   */
  open(token: string, executionArn: string, stateName: string, timeoutMs: number | undefined): Promise<unknown> {
    let resolve!: TokenRecord['resolve'];
    let reject!: TokenRecord['reject'];
    const waiting = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // The state may be rejected while its function is still being invoked, before the interpreter
    // awaits this promise; mark it handled so that is not an unhandled rejection.
    waiting.catch(() => undefined);
    const record: TokenRecord = { token, executionArn, stateName, open: true, resolve, reject };
    if (timeoutMs !== undefined) record.timer = setTimeout(() => this.closeRecord(record), timeoutMs);
    this.tokens.set(token, record);
    let owned = this.byExecution.get(executionArn);
    if (!owned) this.byExecution.set(executionArn, (owned = new Set()));
    owned.add(token);
    return waiting;
  }

  /** Closes an open token after `ms` (at once when `ms` ≤ 0), like the timeout `open` takes. */
  closeAfter(token: string, ms: number): void {
    const record = this.tokens.get(token);
    if (!record?.open) return;
    clearTimeout(record.timer);
    if (ms <= 0) this.closeRecord(record);
    else record.timer = setTimeout(() => this.closeRecord(record), ms);
  }

  succeed(token: string, output: unknown): void {
    const record = this.openRecord(token);
    this.closeRecord(record);
    record.resolve(output);
  }

  fail(token: string, error: string, cause: string): void {
    const record = this.openRecord(token);
    this.closeRecord(record);
    record.reject(stateError(error, cause));
  }

  /** Heartbeats only prove the token is open: the interpreter has no HeartbeatSeconds support. */
  heartbeat(token: string): void {
    this.openRecord(token);
  }

  /** Closes without resuming, e.g. when invoking the function failed and the state fails anyway. */
  close(token: string): void {
    const record = this.tokens.get(token);
    if (record) this.closeRecord(record);
  }

  /** Closes every open token of an execution and fails its waiting states with `reason`. */
  closeExecution(executionArn: string, reason: Error): void {
    for (const token of this.byExecution.get(executionArn) ?? []) {
      const record = this.tokens.get(token);
      if (!record?.open) continue;
      this.closeRecord(record);
      record.reject(reason);
    }
  }

  /** Drops an evicted execution's tokens; from then on they are unknown (InvalidToken). */
  forgetExecution(executionArn: string): void {
    for (const token of this.byExecution.get(executionArn) ?? []) this.tokens.delete(token);
    this.byExecution.delete(executionArn);
  }

  isOpen(token: string): boolean {
    return this.tokens.get(token)?.open === true;
  }

  ownerOf(token: string): { executionArn: string; stateName: string } | undefined {
    return this.tokens.get(token);
  }

  private openRecord(token: string): TokenRecord {
    const record = TOKEN_PATTERN.test(token) ? this.tokens.get(token) : undefined;
    if (!record) throw new SfnServiceError('InvalidToken', 'Invalid token');
    if (!record.open) throw new SfnServiceError('TaskTimedOut', 'Task Timed Out');
    return record;
  }

  private closeRecord(record: TokenRecord): void {
    if (!record.open) return;
    record.open = false;
    clearTimeout(record.timer);
    record.timer = undefined;
    this.onClose?.(record.token);
  }
}
