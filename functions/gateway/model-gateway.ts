/**
 * The model gateway: the one door every LLM call goes through. It walks a step's model chain,
 * retries transient failures with backoff, falls back to the next model, and records every
 * attempt so a run's record shows exactly which provider answered and what failed on the way.
 */
import type { ModelRef, Provider } from '../../state-machines/schema.js';
import { ModelChainExhausted } from '../shared/errors.js';
import { ENV } from '../shared/env-names.js';
import type { Passage } from '../shared/step-contract.js';
import { findCitations, renderPrompt } from './prompt.js';
import { callBedrock } from './providers/bedrock.js';
import { callOffline, OFFLINE_MODEL } from './providers/offline.js';
import { callOpenAI, openaiConfigured } from './providers/openai.js';
import { backoffMs } from './retry.js';
import { ProviderError, RETRYABLE_KINDS, type ErrorKind, type ProviderFn } from './types.js';

export { OFFLINE_HEADER, OFFLINE_MODEL } from './providers/offline.js';
export type { ErrorKind } from './types.js';

export interface GenerateRequest {
  system?: string;
  prompt: string;
  passages: Passage[];
  chain: ModelRef[];
}

export interface ModelAttempt {
  provider: Provider;
  model: string;
  attempt: number;
  outcome: 'ok' | 'failed' | 'skipped';
  errorKind?: ErrorKind;
  error?: string;
  latencyMs: number;
}

export interface GenerateResult {
  text: string;
  provider: Provider;
  model: string;
  offline: boolean;
  usage: { inputTokens: number; outputTokens: number };
  latencyMs: number;
  attempts: ModelAttempt[];
  citations: number[];
}

export interface GenerateOptions {
  /** Injected by tests so backoff does not wait; defaults to a real timer. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Thrown when no model in the chain produced text. It is a ModelChainExhausted (and keeps that
 * name, which the state machines' Catch blocks match) that also carries the attempt log.
 */
export class GatewayChainExhausted extends ModelChainExhausted {
  constructor(
    message: string,
    readonly attempts: ModelAttempt[],
  ) {
    super(message);
    this.name = 'ModelChainExhausted';
  }
}

const PROVIDERS: Record<Provider, ProviderFn> = { offline: callOffline, bedrock: callBedrock, openai: callOpenAI };
const DEFAULT_PROVIDERS = 'offline,bedrock,openai';

/** Read per call, not at import, so a warm Lambda or a test sees the current environment. */
export function enabledProviders(): Set<string> {
  const raw = process.env[ENV.enabledProviders];
  const list = raw === undefined || raw.trim() === '' ? DEFAULT_PROVIDERS : raw;
  return new Set(list.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
}

/** Why a provider cannot be called in this environment, or undefined when it can. */
function notConfiguredReason(ref: ModelRef): string | undefined {
  if (!enabledProviders().has(ref.provider)) return `provider ${ref.provider} is not enabled (${ENV.enabledProviders})`;
  if (ref.provider === 'openai' && !openaiConfigured()) return 'OPENAI_API_KEY is not set';
  if (ref.provider !== 'offline' && !ref.model) return `no model id given for ${ref.provider}`;
  return undefined;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function summarise(attempts: readonly ModelAttempt[]): string {
  if (attempts.length === 0) return 'Every model in the chain failed: the chain is empty.';
  const parts = attempts.map(
    (a) => `${a.provider}/${a.model} #${a.attempt} ${a.outcome}${a.errorKind ? ` (${a.errorKind})` : ''}${a.error ? `: ${a.error}` : ''}`,
  );
  return `Every model in the chain failed: ${parts.join('; ')}`;
}

export async function generate(req: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> {
  const sleep = options.sleep ?? realSleep;
  const started = performance.now();
  const prompt = renderPrompt(req);
  const attempts: ModelAttempt[] = [];

  for (const ref of req.chain) {
    const model = ref.provider === 'offline' ? OFFLINE_MODEL : (ref.model ?? '');
    const reason = notConfiguredReason(ref);
    if (reason) {
      attempts.push({ provider: ref.provider, model, attempt: 1, outcome: 'skipped', errorKind: 'not_configured', error: reason, latencyMs: 0 });
      continue;
    }
    for (let attempt = 1; attempt <= ref.maxAttempts; attempt++) {
      const t0 = performance.now();
      try {
        const reply = await PROVIDERS[ref.provider]({ ref, model, prompt, request: req });
        const latencyMs = Math.round(performance.now() - t0);
        attempts.push({ provider: ref.provider, model, attempt, outcome: 'ok', latencyMs });
        return {
          text: reply.text,
          provider: ref.provider,
          model: reply.model,
          offline: ref.provider === 'offline',
          usage: reply.usage,
          latencyMs: Math.round(performance.now() - started),
          attempts,
          citations: findCitations(reply.text, req.passages),
        };
      } catch (err) {
        const failure = err instanceof ProviderError ? err : new ProviderError('invalid_response', err instanceof Error ? err.message : String(err));
        attempts.push({
          provider: ref.provider,
          model,
          attempt,
          outcome: 'failed',
          errorKind: failure.kind,
          error: failure.message.slice(0, 500),
          latencyMs: Math.round(performance.now() - t0),
        });
        // Validation and other client errors will fail the same way again: go to the next model.
        if (!RETRYABLE_KINDS.has(failure.kind) || attempt === ref.maxAttempts) break;
        await sleep(backoffMs(attempt, failure.retryAfterMs));
      }
    }
  }
  throw new GatewayChainExhausted(summarise(attempts), attempts);
}
