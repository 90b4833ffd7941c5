/**
 * Provider health: a model that keeps failing for provider reasons (throttling, timeouts, 5xx,
 * connection errors) is taken out of rotation for a while, so later calls skip it instantly instead
 * of paying its timeouts and retries again. The state lives in a store shared by every process
 * (DynamoDB on AWS and in the local runtime) and is cached in-process for a moment, so a healthy
 * chain costs no extra read on most calls.
 */
import { ENV } from '../shared/env-names.js';
import { logger } from '../shared/logger.js';
import { DynamoHealthStore } from './health-dynamo.js';

export interface CooldownPolicy {
  /** Failures within `windowMs` (counted from the first) that start a cooldown; 0 turns cooldowns off. */
  readonly failures: number;
  readonly windowMs: number;
  readonly cooldownMs: number;
  /** How long a cached cooldown state is trusted before the store is read again. */
  readonly cacheMs: number;
}

export interface HealthStore {
  /** Epoch ms until which `key` cools down (0 or past: healthy). */
  cooldownUntil(key: string): Promise<number>;
  /** Counts one failure at `now`; returns the end of the cooldown this failure started, if it did. */
  recordFailure(key: string, now: number, policy: CooldownPolicy): Promise<number | undefined>;
}

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** Read per call so a warm Lambda or a test sees the current environment. */
export function cooldownPolicy(over: Partial<CooldownPolicy> = {}): CooldownPolicy {
  return {
    failures: envNumber(ENV.cooldownFailures, 3),
    windowMs: envNumber(ENV.cooldownWindowSeconds, 60) * 1000,
    cooldownMs: envNumber(ENV.cooldownSeconds, 60) * 1000,
    cacheMs: envNumber(ENV.healthCacheMs, 5000),
    ...over,
  };
}

/** In-process store: used when no gateway table is configured (unit tests, bare scripts). */
export class MemoryHealthStore implements HealthStore {
  private readonly items = new Map<string, { windowStart: number; failures: number; cooldownUntil: number }>();

  async cooldownUntil(key: string): Promise<number> {
    return this.items.get(key)?.cooldownUntil ?? 0;
  }

  async recordFailure(key: string, now: number, policy: CooldownPolicy): Promise<number | undefined> {
    const item = this.items.get(key) ?? { windowStart: 0, failures: 0, cooldownUntil: 0 };
    if (item.failures === 0 || item.windowStart <= now - policy.windowMs) Object.assign(item, { windowStart: now, failures: 0 });
    item.failures += 1;
    this.items.set(key, item);
    if (item.failures < policy.failures) return undefined;
    Object.assign(item, { failures: 0, windowStart: 0, cooldownUntil: now + policy.cooldownMs });
    return item.cooldownUntil;
  }
}

/**
 * The gateway's view: a store plus a short in-process cache. Store errors are logged and read as
 * "healthy": the health check must never be the reason a call fails.
 */
export class ProviderHealth {
  private readonly cache = new Map<string, { until: number; readAt: number }>();

  constructor(
    private readonly store: HealthStore,
    private readonly policy: () => CooldownPolicy = () => cooldownPolicy(),
  ) {}

  /** The cooldown end when `key` is out of rotation at `now`, otherwise undefined. */
  async coolingUntil(key: string, now: number): Promise<number | undefined> {
    const policy = this.policy();
    if (policy.failures === 0) return undefined;
    let cached = this.cache.get(key);
    if (!cached || now - cached.readAt >= policy.cacheMs || now < cached.readAt) {
      try {
        cached = { until: await this.store.cooldownUntil(key), readAt: now };
        this.cache.set(key, cached);
      } catch (err) {
        logger.warn('provider health could not be read; treating the model as healthy', { key, error: err as Error });
        return undefined;
      }
    }
    return cached.until > now ? cached.until : undefined;
  }

  /** Counts a provider failure; true when it took the model out of rotation. */
  async recordFailure(key: string, now: number): Promise<boolean> {
    const policy = this.policy();
    if (policy.failures === 0) return false;
    try {
      const until = await this.store.recordFailure(key, now, policy);
      if (until === undefined) return false;
      this.cache.set(key, { until, readAt: now });
      return true;
    } catch (err) {
      logger.warn('provider failure could not be recorded', { key, error: err as Error });
      return false;
    }
  }
}

let shared: { table: string; health: ProviderHealth } | undefined;

/** The process-wide health view, backed by the gateway table when one is configured. */
export function providerHealth(): ProviderHealth {
  const table = process.env[ENV.gatewayTable] ?? '';
  if (!shared || shared.table !== table) {
    shared = { table, health: new ProviderHealth(table ? new DynamoHealthStore(table) : new MemoryHealthStore()) };
  }
  return shared.health;
}

/** Forgets every cooldown this process knows of (tests). */
export function resetProviderHealth(): void {
  shared = undefined;
}
