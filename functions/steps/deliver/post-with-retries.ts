/** Outbound webhook POST with HMAC signature, per-attempt timeout and exponential backoff. */
import { setTimeout as sleep } from 'node:timers/promises';
import { deliverySignature } from '../../shared/review-link.js';
import { signingSecret } from '../../shared/signing-secret.js';

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
  const signature = deliverySignature(await signingSecret(), req.body);
  const attempts: DeliveryAttempt[] = [];
  for (let attempt = 1; attempt <= req.maxAttempts; attempt++) {
    const at = new Date().toISOString();
    try {
      const res = await fetch(req.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': req.idempotencyKey, 'x-handrail-signature': signature },
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
