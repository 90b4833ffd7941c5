/**
 * Shapes shared by the gateway and its providers. Providers only translate one call into one
 * HTTP request and classify failures; retries, fallback and bookkeeping live in model-gateway.ts.
 */
import { modelFailureKinds, type ModelFailureKind, type ModelRef, type Provider } from '../../state-machines/schema.js';
import type { Passage } from '../shared/step-contract.js';
import type { DocumentToRevise, RenderedPrompt } from './prompt.js';

/** A call's failure (ModelFailureKind), or why a model was skipped without a call. */
export type ErrorKind = ModelFailureKind | 'not_configured' | 'cooldown';

/** Failures where the same call may succeed a moment later; anything else moves to the next model. */
export const RETRYABLE_KINDS: ReadonlySet<ErrorKind> = new Set(['throttled', 'timeout', 'server_error', 'connection']);

/**
 * Failures that say the provider is unhealthy (not that this request was bad), so they count
 * towards a cooldown. Context-window, content-policy and validation errors are about the request.
 */
export const COOLDOWN_KINDS: ReadonlySet<ErrorKind> = RETRYABLE_KINDS;

/** A model ref without `fallbackOn` falls back on every failure, as the gateway always has. */
export const DEFAULT_FALLBACK_ON: readonly ModelFailureKind[] = modelFailureKinds;

/** JSON Schema as written in a workflow (validated when the workflow loads). */
export type JsonSchema = Record<string, unknown>;

/** One try of one model, as the step record shows it. */
export interface ModelAttempt {
  provider: Provider;
  model: string;
  attempt: number;
  outcome: 'ok' | 'failed' | 'skipped';
  errorKind?: ErrorKind;
  error?: string;
  latencyMs: number;
  /** Set on the call that asked the model to repair invalid structured output. */
  purpose?: 'repair';
}

/** What a draft is made from: retrieved passages (default), or the input text alone (a generate step with no retrieve context). */
export type DraftSource = 'passages' | 'input';

export interface ProviderCall {
  readonly ref: ModelRef;
  /** Model id to send (ref.model, or the provider's default for offline). */
  readonly model: string;
  readonly prompt: RenderedPrompt;
  /** The raw request, for the offline provider which works on words rather than a rendered prompt. */
  readonly request: { readonly prompt: string; readonly passages: readonly Passage[]; readonly outputSchema?: JsonSchema; readonly revision?: DocumentToRevise | undefined; readonly draftsFrom?: DraftSource };
  /** A repair turn: the model's previous reply and the platform's correction, sent after the prompt. */
  readonly followUp?: FollowUp;
}

export interface FollowUp {
  readonly previousReply: string;
  readonly correction: string;
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
