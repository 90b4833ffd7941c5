/**
 * Runs a classify step's classifiers. Without `models`, the offline classifiers answer. With a
 * chain, the models before its first `offline` entry classify (one structured call), merged with
 * the offline results so the model can only add caution (merge.ts); if the models all fail, an
 * `offline` entry means "fall back to the lexicons" (recorded as such), and without one the
 * failure stands, so the run goes to the human queue rather than being routed on a guess.
 */
import type { ModelRef } from '../../state-machines/schema.js';
import { GatewayChainExhausted, type GenerateOptions } from '../gateway/model-gateway.js';
import type { StructuredResult } from '../gateway/structured-generate.js';
import { StructuredOutputInvalid } from '../gateway/structured-output.js';
import { mergeCautiously } from './merge.js';
import { classifyWithModel } from './model-classifier.js';
import { classifyOffline } from './offline-classifier.js';
import type { Classification, ClassifierInput } from './types.js';

export interface ClassifyRequest extends ClassifierInput {
  readonly models?: ModelRef[];
}

export interface ClassifyOutcome {
  readonly classification: Classification;
  /** The model call, when a model answered (its usage is priced like a generate step's). */
  readonly model?: StructuredResult;
  /** What the model and the offline classifiers each said, before the cautious merge. */
  readonly sources?: { model: Classification; offline: Classification };
  /** Why the models were not used, when the chain fell back to the offline classifiers. */
  readonly fallback?: { error: string; attempts: unknown[]; spent?: StructuredOutputInvalid['spent'] };
}

export async function classify(req: ClassifyRequest, options: GenerateOptions = {}): Promise<ClassifyOutcome> {
  const offlineAt = req.models?.findIndex((m) => m.provider === 'offline') ?? -1;
  const chain = (offlineAt >= 0 ? req.models!.slice(0, offlineAt) : req.models) ?? [];
  if (chain.length === 0) return { classification: classifyOffline(req) };
  try {
    const { classification, result } = await classifyWithModel({ ...req, chain }, options);
    const offline = classifyOffline(req);
    return {
      classification: mergeCautiously(classification, offline, req.topics, req.sentimentThreshold),
      model: result,
      sources: { model: classification, offline },
    };
  } catch (err) {
    const modelsFailed = err instanceof GatewayChainExhausted || err instanceof StructuredOutputInvalid;
    if (!modelsFailed || offlineAt < 0) throw err;
    return {
      classification: classifyOffline(req),
      fallback: { error: `${err.name}: ${err.message}`, attempts: err.attempts, ...(err instanceof StructuredOutputInvalid ? { spent: err.spent } : {}) },
    };
  }
}
