/**
 * Shapes shared by the gateway and its providers. Providers only translate one call into one
 * HTTP request and classify failures; retries, fallback and bookkeeping live in model-gateway.ts.
 */
import type { ModelRef } from '../../state-machines/schema.js';
import type { Passage } from '../shared/step-contract.js';
import type { RenderedPrompt } from './prompt.js';

export type ErrorKind =
  | 'throttled'
  | 'timeout'
  | 'server_error'
  | 'client_error'
  | 'connection'
  | 'not_configured'
  | 'invalid_response';

/** Failures where the same call may succeed a moment later; anything else moves to the next model. */
export const RETRYABLE_KINDS: ReadonlySet<ErrorKind> = new Set(['throttled', 'timeout', 'server_error', 'connection']);

export interface ProviderCall {
  readonly ref: ModelRef;
  /** Model id to send (ref.model, or the provider's default for offline). */
  readonly model: string;
  readonly prompt: RenderedPrompt;
  /** The raw request, for the offline provider which works on words rather than a rendered prompt. */
  readonly request: { readonly prompt: string; readonly passages: readonly Passage[] };
}

export interface ProviderReply {
  readonly text: string;
  readonly model: string;
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number };
}

export type ProviderFn = (call: ProviderCall) => Promise<ProviderReply>;

/** A classified provider failure; `retryAfterMs` carries a server's Retry-After hint when present. */
export class ProviderError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProviderError';
  }
}

/** Parses a Retry-After value: delay-seconds or an HTTP date. Undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Classifies an HTTP status the same way for every provider. */
export function kindForStatus(status: number): ErrorKind {
  if (status === 429) return 'throttled';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'server_error';
  return 'client_error';
}
