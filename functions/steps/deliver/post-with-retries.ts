/**
 * Outbound webhook POST, signed in the Standard Webhooks form with the stage's delivery key (not the
 * signing secret behind review links: a receiver can verify deliveries and forge nothing else), with
 * a per-attempt timeout and exponential backoff. Every attempt of one delivery carries the same
 * webhook-id (`msg_<runId>`) and Idempotency-Key (the run id), so a receiver keeps one; each is
 * signed with its own timestamp, so a receiver can refuse replays older than five minutes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ENV } from '../../shared/env-names.js';
import { stageSecret } from '../../shared/stage-secret.js';
import { signedWebhookHeaders } from '../../triggers/standard-webhooks.js';

export const deliverySecret = /* @__PURE__ */ stageSecret(ENV.deliverySecret, ENV.deliverySecretArn);

export interface DeliveryAttempt {
  attempt: number;
  status?: number;
  error?: string;
  at: string;
}

/** 429, 5xx and network errors are worth another try; any other 4xx is final. */
function retryable(status: number | undefined): boolean {
  return status === undefined || status === 429 || status >= 500;
}

export async function postWithRetries(req: { url: string; body: string; idempotencyKey: string; maxAttempts: number; timeoutMs: number; backoffMs: number }) {
  const key = await deliverySecret();
  const attempts: DeliveryAttempt[] = [];
  for (let attempt = 1; attempt <= req.maxAttempts; attempt++) {
    const at = new Date().toISOString();
    try {
      const res = await fetch(req.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': req.idempotencyKey, ...signedWebhookHeaders(key, `msg_${req.idempotencyKey}`, req.body) },
        body: req.body,
        signal: AbortSignal.timeout(req.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        attempts.push({ attempt, status: res.status, at });
        return { ok: true as const, attempts };
      }
      attempts.push({ attempt, status: res.status, error: `HTTP ${res.status}`, at });
      if (!retryable(res.status)) break;
    } catch (err) {
      attempts.push({ attempt, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err), at });
    }
    if (attempt < req.maxAttempts) await sleep(req.backoffMs * 2 ** (attempt - 1));
  }
  return { ok: false as const, attempts };
}
