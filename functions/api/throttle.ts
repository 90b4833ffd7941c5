/**
 * Every caller of the API is limited (functions/limits: per-caller fixed windows in DynamoDB,
 * correct across Lambda containers): counted against who it proved to be, else against its source
 * IP. Over the limit → 429 with `Retry-After`, before the handler runs (nothing is read or changed).
 *
 * Who is counted, by the route's access (route-table.ts):
 * - `roles`: after authorize.ts admitted the caller: a person by user id, a personal token by its reviewer;
 * - `link`: the reviewer of a genuine review or inbox link (its HMAC checked here; the handler
 *   checks it again, with its expiry and approval);
 * - `slack`: the team of a request whose Slack signature is genuine (checked here without I/O; the
 *   handler checks it again and claims its nonce);
 * - `webhook`: the sender, once its route proved it (`throttleWebhookSender`: by API key id, or by
 *   workflow for a Standard Webhooks signature), before the webhook-id is claimed or a run starts;
 * - `public`, `sign-in` (a browser before it is signed in), and a link or Slack request that proves nothing: by source IP (API Gateway's
 *   `sourceIp` on AWS, the socket's address locally; never X-Forwarded-For, which a caller writes).
 *
 * The first refused request of a caller in a window is audited (`access.throttled`); the rest of a
 * flood is not (functions/limits/throttle.ts says how exactly one request is "first").
 */
import type { Context, MiddlewareHandler } from 'hono';
import * as z from 'zod';
import { verifySlackSignature } from '../notifications/slack-signature.js';
import { CALLER_KIND_NAMES, resolvedLimitsSchema, type CallerKind } from '../limits/limits-config.js';
import { Throttle, type ThrottleDecision } from '../limits/throttle.js';
import { recordAudit } from '../records/audit.js';
import { countRequest } from '../records/throttle-counters.js';
import { ENV } from '../shared/env-names.js';
import { jsonEnv, requireEnv } from '../shared/env.js';
import { TooManyRequestsError } from '../shared/errors.js';
import { isId } from '../shared/ids.js';
import { logger } from '../shared/logger.js';
import { verifyReviewToken } from '../shared/review-link.js';
import { signingSecret } from '../shared/signing-secret.js';
import { callerIn } from './authorize.js';
import type { RouteSpec } from './route-table.js';

let throttle: Throttle | undefined;

function limiter(): Throttle {
  if (!throttle) {
    const limits = jsonEnv(ENV.throttleLimits, resolvedLimitsSchema, 'the limits the stack writes from stages.yaml limits');
    requireEnv(ENV.throttleTable);
    throttle = new Throttle(limits, countRequest);
  }
  return throttle;
}

/** For tests that change the limits between apps. */
export function resetThrottle(): void {
  throttle = undefined;
}

type Bindings = { requestContext?: { http?: { sourceIp?: string } }; incoming?: { socket?: { remoteAddress?: string } } } | undefined;

/** The caller's address as the platform saw it: API Gateway's sourceIp, or the local socket's. */
export function sourceIp(c: Context): string {
  const env = c.env as Bindings;
  return env?.requestContext?.http?.sourceIp ?? env?.incoming?.socket?.remoteAddress ?? 'unknown';
}

const slackTeam = z.object({ team: z.object({ id: z.string().min(1).max(64) }) });

interface Counted {
  readonly kind: CallerKind;
  readonly caller: string;
}

const anonymous = (c: Context): Counted => ({ kind: 'anonymous', caller: sourceIp(c) });

async function linkHolder(c: Context): Promise<Counted> {
  const token = c.req.param('token');
  if (!isId('linkToken', token)) return anonymous(c);
  try {
    return { kind: 'link', caller: verifyReviewToken(await signingSecret(), token).reviewer };
  } catch {
    return anonymous(c);
  }
}

/** Slack's signing secret, where the app serves Slack's routes (the API's function; the console's has none). */
export type SlackSecret = () => Promise<string | undefined>;

async function slackSender(c: Context, slackSecret: SlackSecret | undefined): Promise<Counted> {
  const secret = await slackSecret?.();
  if (!secret) return anonymous(c);
  const rawBody = await c.req.text();
  try {
    verifySlackSignature(secret, { timestamp: c.req.header('x-slack-request-timestamp'), signature: c.req.header('x-slack-signature'), rawBody });
  } catch {
    return anonymous(c);
  }
  const form = new URLSearchParams(rawBody);
  let payload: unknown;
  try {
    payload = JSON.parse(form.get('payload') ?? '');
  } catch {
    payload = undefined;
  }
  // Interactions carry the team in their JSON payload; slash commands as a form field.
  const team = slackTeam.safeParse(payload);
  const commandTeam = form.get('team_id');
  return { kind: 'slack', caller: team.success ? team.data.team.id : commandTeam && commandTeam.length <= 40 ? commandTeam : 'no-team' };
}

async function countedOf(c: Context, route: RouteSpec, slackSecret: SlackSecret | undefined): Promise<Counted | undefined> {
  switch (route.access.kind) {
    case 'public':
      return anonymous(c);
    case 'roles':
    case 'console': {
      const caller = callerIn(c);
      return caller.via === 'reviewer-token' ? { kind: 'personalToken', caller: caller.id } : { kind: 'person', caller: caller.id };
    }
    case 'link':
      return linkHolder(c);
    case 'slack':
      return slackSender(c, slackSecret);
    case 'sign-in':
      // A browser signing in (or out) has proved nothing yet: its address.
      return anonymous(c);
    case 'webhook':
      // The sender is proved by the route (the workflow's trigger): it calls throttleWebhookSender.
      return undefined;
    default: {
      // A new kind of access must say how its callers are counted.
      const unhandled: never = route.access;
      throw new Error(`No request limit for access ${JSON.stringify(unhandled)}`);
    }
  }
}

async function admit(c: Context, counted: Counted): Promise<void> {
  const decision = await limiter().consume(counted.kind, counted.caller);
  if (decision.allowed) return;
  if (decision.firstRefusal) await auditRefusal(c, counted, decision);
  const { kind, limit, retryAfterSeconds } = decision;
  throw new TooManyRequestsError(
    `Too many requests: a ${CALLER_KIND_NAMES[kind]} may send ${limit.requests} per ${limit.windowSeconds} s (limit "${kind}"); retry in ${retryAfterSeconds} s`,
    retryAfterSeconds,
    { kind, ...limit },
  );
}

async function auditRefusal(c: Context, counted: Counted, decision: ThrottleDecision): Promise<void> {
  const route = `${c.req.method} ${c.req.routePath}`;
  const details = { route, kind: counted.kind, limit: `${decision.limit.requests} per ${decision.limit.windowSeconds} s`, retryAfterSeconds: decision.retryAfterSeconds };
  // The refusal stands even if its audit event cannot be written (then it is logged).
  await recordAudit({ subject: 'access', type: 'access.throttled', actor: `${counted.kind}:${counted.caller}`, details }).catch((err: unknown) =>
    logger.error('throttled caller not audited', { ...details, error: err as Error }),
  );
}

/** Counts the route's caller (after `authorize`); a caller over its limit gets 429. */
export function throttled(route: RouteSpec, slackSecret?: SlackSecret): MiddlewareHandler {
  return async (c, next) => {
    const counted = await countedOf(c, route, slackSecret);
    if (counted) await admit(c, counted);
    await next();
  };
}

/**
 * Counts a webhook call against its proved sender (`api-key:<keyId>`, `signature:<workflowId>`), or
 * its source IP when the workflow takes unsigned calls (local stage only). @throws TooManyRequestsError
 */
export function throttleWebhookSender(c: Context, sender: string | undefined): Promise<void> {
  return admit(c, sender ? { kind: 'webhook', caller: sender } : anonymous(c));
}
