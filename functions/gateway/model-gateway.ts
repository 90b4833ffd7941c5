/**
 * The model gateway: the one door every LLM call goes through. It walks a step's model chain,
 * skips models in cooldown, retries transient failures with backoff, falls back to the next model
 * on the failures the ref allows (`fallbackOn`), and records every attempt so a run's record shows
 * exactly which provider answered and what failed on the way.
 */
import type { ModelRef, Provider } from '../../state-machines/schema.js';
import { ModelChainExhausted } from '../shared/errors.js';
import { ENV } from '../shared/env-names.js';
import type { Passage } from '../shared/step-contract.js';
import { providerHealth, type ProviderHealth } from './health.js';
import { findCitations, renderPrompt, type DocumentToRevise, type PromptTask } from './prompt.js';
import { callBedrock } from './providers/bedrock.js';
import { callOffline, OFFLINE_MODEL } from './providers/offline.js';
import { callOpenAI, openaiConfigured } from './providers/openai.js';
import { backoffMs } from './retry.js';
import { publishModelAttempts } from '../shared/metrics.js';
import {
  COOLDOWN_KINDS,
  DEFAULT_FALLBACK_ON,
  ProviderError,
  RETRYABLE_KINDS,
  type ErrorKind,
  type FollowUp,
  type DraftSource,
  type JsonSchema,
  type ModelAttempt,
  type ProviderCall,
  type ProviderFn,
  type ProviderReply,
} from './types.js';

export { OFFLINE_HEADER, OFFLINE_MODEL } from './providers/offline.js';
export type { ErrorKind, ModelAttempt } from './types.js';

export interface GenerateRequest {
  system?: string;
  prompt: string;
  passages: Passage[];
  chain: ModelRef[];
  /** Structured output: the offline provider builds an object of this shape. */
  outputSchema?: JsonSchema;
  /** A repair turn after the prompt (structured output). */
  followUp?: FollowUp;
  /** Answer the request (default) or classify it; decides the data rules the model reads. */
  task?: PromptTask;
  /** A proposed knowledge edit: the document to revise (empty text for a new one); the reply is the whole new document. */
  revision?: DocumentToRevise;
  /** `input`: the step reads no retrieve step, so the offline provider drafts from the prompt's text itself. */
  draftsFrom?: DraftSource;
}

export interface GenerateResult {
  text: string;
  provider: Provider;
  model: string;
  /** The chain entry that answered (a repair goes back to it). */
  ref: ModelRef;
  offline: boolean;
  usage: { inputTokens: number; outputTokens: number };
  latencyMs: number;
  attempts: ModelAttempt[];
  citations: number[];
}

export interface GenerateOptions {
  /** Injected by tests so backoff does not wait; defaults to a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Epoch ms, for cooldown windows; injected by tests. */
  now?: () => number;
  /** Provider health (cooldowns); defaults to the process-wide view of the gateway table. */
  health?: ProviderHealth;
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
  if (ref.provider === 'openai' && !openaiConfigured()) return 'no OpenAI key (OPENAI_API_KEY, or the stage\'s OpenAiSecret)';
  if (ref.provider !== 'offline' && !ref.model) return `no model id given for ${ref.provider}`;
  return undefined;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function summarise(attempts: readonly ModelAttempt[], stopped?: string): string {
  if (attempts.length === 0) return 'Every model in the chain failed: the chain is empty.';
  const parts = attempts.map(
    (a) => `${a.provider}/${a.model} #${a.attempt} ${a.outcome}${a.errorKind ? ` (${a.errorKind})` : ''}${a.error ? `: ${a.error}` : ''}`,
  );
  return `${stopped ?? 'Every model in the chain failed'}: ${parts.join('; ')}`;
}

interface Walk {
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  readonly health: ProviderHealth;
  readonly attempts: ModelAttempt[];
  readonly purpose?: 'repair';
}

/** Calls one model up to maxAttempts times; the reply, or the failure that ended its turn. */
async function callModel(call: ProviderCall, walk: Walk): Promise<ProviderReply | ProviderError> {
  const { ref, model } = call;
  let failure = new ProviderError('invalid_response', 'not called');
  for (let attempt = 1; attempt <= ref.maxAttempts; attempt++) {
    const t0 = performance.now();
    const base = { provider: ref.provider, model, attempt, ...(walk.purpose ? { purpose: walk.purpose } : {}) };
    try {
      const reply = await PROVIDERS[ref.provider](call);
      walk.attempts.push({ ...base, outcome: 'ok', latencyMs: Math.round(performance.now() - t0) });
      return reply;
    } catch (err) {
      failure = err instanceof ProviderError ? err : new ProviderError('invalid_response', err instanceof Error ? err.message : String(err));
      const latencyMs = Math.round(performance.now() - t0);
      // Configuration found missing only at call time (an OpenAI secret whose apiKey is still empty)
      // is what notConfiguredReason() finds before the call: the model is skipped, not failed.
      if (failure.kind === 'not_configured') {
        walk.attempts.push({ ...base, outcome: 'skipped', errorKind: failure.kind, error: failure.message.slice(0, 500), latencyMs });
        return failure;
      }
      walk.attempts.push({ ...base, outcome: 'failed', errorKind: failure.kind, error: failure.message.slice(0, 500), latencyMs });
      // Provider trouble counts towards a cooldown; once it starts, more retries here are pointless.
      if (COOLDOWN_KINDS.has(failure.kind) && ref.provider !== 'offline' && (await walk.health.recordFailure(`${ref.provider}/${model}`, walk.now()))) break;
      // Validation, context-window and policy errors fail the same way again: no retry on this model.
      if (!RETRYABLE_KINDS.has(failure.kind) || attempt === ref.maxAttempts) break;
      await walk.sleep(backoffMs(attempt, failure.retryAfterMs));
    }
  }
  return failure;
}

/** Walks the request's model chain (walkChain), and publishes what each provider was asked and how it answered. */
export async function generate(req: GenerateRequest, options: GenerateOptions & { purpose?: 'repair' } = {}): Promise<GenerateResult> {
  try {
    const result = await walkChain(req, options);
    publishModelAttempts(result.attempts);
    return result;
  } catch (err) {
    if (err instanceof GatewayChainExhausted) publishModelAttempts(err.attempts);
    throw err;
  }
}

async function walkChain(req: GenerateRequest, options: GenerateOptions & { purpose?: 'repair' }): Promise<GenerateResult> {
  const walk: Walk = {
    sleep: options.sleep ?? realSleep,
    now: options.now ?? Date.now,
    health: options.health ?? providerHealth(),
    attempts: [],
    purpose: options.purpose,
  };
  const started = performance.now();
  const prompt = renderPrompt(req);
  const request = { prompt: req.prompt, passages: req.passages, outputSchema: req.outputSchema, revision: req.revision, ...(req.draftsFrom ? { draftsFrom: req.draftsFrom } : {}) };

  for (const ref of req.chain) {
    const model = ref.provider === 'offline' ? OFFLINE_MODEL : (ref.model ?? '');
    const skip = (errorKind: ErrorKind, error: string) => walk.attempts.push({ provider: ref.provider, model, attempt: 1, outcome: 'skipped', errorKind, error, latencyMs: 0 });
    const reason = notConfiguredReason(ref);
    if (reason) {
      skip('not_configured', reason);
      continue;
    }
    // Offline never cools down (it has no provider to be unhealthy), so it costs no health read.
    const coolingUntil = ref.provider === 'offline' ? undefined : await walk.health.coolingUntil(`${ref.provider}/${model}`, walk.now());
    if (coolingUntil !== undefined) {
      skip('cooldown', `in cooldown until ${new Date(coolingUntil).toISOString()} after repeated provider failures`);
      continue;
    }
    const outcome = await callModel({ ref, model, prompt, request, followUp: req.followUp }, walk);
    if (outcome instanceof ProviderError && outcome.kind === 'not_configured') continue;
    if (!(outcome instanceof ProviderError)) {
      return {
        text: outcome.text,
        provider: ref.provider,
        model: outcome.model,
        ref,
        offline: ref.provider === 'offline',
        usage: outcome.usage,
        latencyMs: Math.round(performance.now() - started),
        attempts: walk.attempts,
        citations: findCitations(outcome.text, req.passages),
      };
    }
    const allowed: readonly string[] = ref.fallbackOn ?? DEFAULT_FALLBACK_ON;
    if (!allowed.includes(outcome.kind)) {
      const stopped = `Stopped at ${ref.provider}/${model}: ${outcome.kind} is not in its fallbackOn`;
      throw new GatewayChainExhausted(summarise(walk.attempts, stopped), walk.attempts);
    }
  }
  throw new GatewayChainExhausted(summarise(walk.attempts), walk.attempts);
}
