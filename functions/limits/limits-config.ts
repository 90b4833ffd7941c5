/**
 * Per-caller request limits, declared once: who is counted (a kind of caller), how many requests
 * each may make per window, and the defaults. The stage configuration (stages.yaml `<stage>.limits`,
 * infra/stage-config.ts) validates a stage's overrides with `limitsSchema`; the stack hands the
 * resolved limits to the API function as JSON (`HANDRAIL_THROTTLE_LIMITS`), which it reads back
 * with `resolvedLimitsSchema` at cold start.
 *
 * @example
 * limits:                                   # stages.yaml, <stage>.limits: only what differs from the defaults
 *   webhook: { requests: 3000 }             # per sender, per minute
 *   anonymous: { requests: 60, windowSeconds: 60 }
 */
import * as z from 'zod';

/**
 * Who a request is counted against:
 * - `person`: a signed-in person (ID token), by user id;
 * - `personalToken`: a reviewer's personal API token, by its reviewer (more tokens do not buy more);
 * - `webhook`: a webhook sender, by API key id, or by workflow for Standard Webhooks signatures;
 * - `link`: the holder of a review or inbox link, by the link's reviewer;
 * - `slack`: Slack, by the team (workspace) in the verified request;
 * - `anonymous`: everyone else (public routes, a link or Slack request that proves nothing), by source IP.
 */
export const CALLER_KINDS = ['person', 'personalToken', 'webhook', 'link', 'slack', 'anonymous'] as const;
export type CallerKind = (typeof CALLER_KINDS)[number];

/** Each kind of caller, as people read it (in a 429's message). */
export const CALLER_KIND_NAMES: Readonly<Record<CallerKind, string>> = {
  person: 'signed-in person',
  personalToken: 'personal token holder',
  webhook: 'webhook sender',
  link: 'review link holder',
  slack: 'Slack team',
  anonymous: 'anonymous caller (by IP address)',
};

export interface Limit {
  /** Requests admitted per window. */
  readonly requests: number;
  /** The window, in seconds (fixed windows aligned to the epoch). */
  readonly windowSeconds: number;
}

/** Generous for people and integrations, tight for anonymous callers; per window of one minute. */
export const DEFAULT_LIMITS: Readonly<Record<CallerKind, Limit>> = {
  person: { requests: 600, windowSeconds: 60 },
  personalToken: { requests: 600, windowSeconds: 60 },
  webhook: { requests: 3000, windowSeconds: 60 },
  link: { requests: 300, windowSeconds: 60 },
  slack: { requests: 600, windowSeconds: 60 },
  anonymous: { requests: 300, windowSeconds: 60 },
};

const limitSchema = z
  .object({
    requests: z.number().int('must be a whole number of requests').min(1, 'must be at least 1').max(1_000_000, 'must be at most 1000000'),
    windowSeconds: z.number().int('must be whole seconds').min(1, 'must be at least 1 second').max(3600, 'must be at most 3600 seconds (an hour)'),
  })
  .strict();

/** A stage's overrides: per kind, any of `requests` and `windowSeconds`; the rest are the defaults. */
export const limitsSchema = z
  .object(Object.fromEntries(CALLER_KINDS.map((kind) => [kind, limitSchema.partial().optional()])) as Record<CallerKind, z.ZodOptional<ReturnType<typeof limitSchema.partial>>>)
  .strict()
  .default({})
  .transform((given) => Object.fromEntries(CALLER_KINDS.map((kind) => [kind, { ...DEFAULT_LIMITS[kind], ...given[kind] }])) as Record<CallerKind, Limit>);

/** What the API function gets: every kind's limit, complete. */
export const resolvedLimitsSchema = z.object(Object.fromEntries(CALLER_KINDS.map((kind) => [kind, limitSchema])) as Record<CallerKind, typeof limitSchema>).strict();
