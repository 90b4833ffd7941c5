/**
 * A webhook call proves who sent it as its workflow's trigger declares (state-machines/schema.ts
 * `trigger.auth`): an API key scoped to the workflow (api-keys.ts), or a Standard Webhooks
 * signature with the workflow's secret, fresh (five minutes) and used once (its webhook-id, per
 * workflow); or a Zendesk webhook signature with the workflow's Zendesk secret, fresh and used
 * once (its signature, per workflow); or, where the workflow says `none` (the local stage only),
 * nothing. Unsigned, stale, replayed or revoked calls are refused before anything is stored.
 */
import { claimNonce, type NonceClaim } from '../records/nonces.js';
import { UnauthorizedError } from '../shared/errors.js';
import type { Workflow } from '../../state-machines/schema.js';
import { bearerApiKey, verifyApiKey } from './api-keys.js';
import { verifyWebhookSignature, WEBHOOK_HEADERS, WEBHOOK_TOLERANCE_SECONDS } from './standard-webhooks.js';
import { webhookSecret, zendeskSecretName } from './webhook-secrets.js';
import { verifyZendeskSignature, ZENDESK_HEADERS } from './zendesk-signature.js';

/** A call whose sender is proved; `claimOnce` takes its webhook-id (once the body is known to be valid). */
export interface AdmittedTrigger {
  /** Who sent it, for its request limit: `api-key:<keyId>`, `signature:<workflowId>`, `zendesk:<workflowId>`; none for an open (`none`) trigger. */
  readonly sender?: string;
  claimOnce(): Promise<void>;
}

/**
 * Verifies the signature and its freshness (401 otherwise); the webhook-id is claimed by
 * `claimOnce`, after the body is validated and before the run starts, so a replay starts nothing.
 */
export async function authenticateTrigger(
  workflow: Pick<Workflow, 'id' | 'trigger'>,
  req: { header(name: string): string | undefined; rawBody: string },
  claim: NonceClaim = claimNonce,
  now = Date.now(),
): Promise<AdmittedTrigger> {
  const accepted = workflow.trigger.auth;
  if (accepted.includes('none')) return { claimOnce: async () => undefined };
  const key = bearerApiKey(req.header('authorization'));
  if (key) {
    if (!accepted.includes('api-key')) throw new UnauthorizedError(`Workflow ${workflow.id} takes signed webhooks, not API keys`);
    const { keyId } = await verifyApiKey(key, workflow.id);
    return { sender: `api-key:${keyId}`, claimOnce: async () => undefined };
  }
  // A call that carries Zendesk's signature is judged by it alone (never by a Standard Webhooks one beside it).
  const zendeskSigned = req.header(ZENDESK_HEADERS.signature) !== undefined || req.header(ZENDESK_HEADERS.timestamp) !== undefined;
  if (zendeskSigned || !accepted.includes('signature')) {
    if (!accepted.includes('zendesk')) {
      throw new UnauthorizedError(
        zendeskSigned
          ? `Workflow ${workflow.id} does not take Zendesk webhooks (its trigger.auth is ${accepted.join(', ')})`
          : `Workflow ${workflow.id} takes an API key: send "Authorization: Bearer hrk_…" (npx handrail keys create)`,
      );
    }
    const signature = req.header(ZENDESK_HEADERS.signature);
    verifyZendeskSignature(await webhookSecret(zendeskSecretName(workflow.id)), { signature, timestamp: req.header(ZENDESK_HEADERS.timestamp), rawBody: req.rawBody }, now);
    return {
      sender: `zendesk:${workflow.id}`,
      async claimOnce() {
        // Zendesk sends no message id: the signature (over timestamp and body) is what a replay repeats.
        const expiresAt = Math.floor(now / 1000) + 2 * WEBHOOK_TOLERANCE_SECONDS;
        if (!(await claim(`zendesk-signature#${workflow.id}#${signature}`, expiresAt))) {
          throw new UnauthorizedError('This Zendesk webhook call was already received (a replay)');
        }
      },
    };
  }
  const signed = { id: req.header(WEBHOOK_HEADERS.id), timestamp: req.header(WEBHOOK_HEADERS.timestamp), signature: req.header(WEBHOOK_HEADERS.signature), rawBody: req.rawBody };
  verifyWebhookSignature(await webhookSecret(workflow.id), signed, now);
  return {
    sender: `signature:${workflow.id}`,
    async claimOnce() {
      const expiresAt = Math.floor(now / 1000) + 2 * WEBHOOK_TOLERANCE_SECONDS;
      if (!(await claim(`webhook-id#${workflow.id}#${signed.id}`, expiresAt))) {
        throw new UnauthorizedError(`webhook-id ${signed.id!.slice(0, 64)} was already received (a replay); give each message its own id`);
      }
    },
  };
}
