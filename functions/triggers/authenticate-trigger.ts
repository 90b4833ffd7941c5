/**
 * A webhook call proves who sent it as its workflow's trigger declares (state-machines/schema.ts
 * `trigger.auth`): an API key scoped to the workflow (api-keys.ts), or a Standard Webhooks
 * signature with the workflow's secret, fresh (five minutes) and used once (its webhook-id, per
 * workflow); or a vendor's own signature (Zendesk, HubSpot: vendor-signatures.ts) with the
 * workflow's secret for that vendor, fresh and used once (its signature, per workflow); or, where the workflow says `none` (the local stage only),
 * nothing. Unsigned, stale, replayed or revoked calls are refused before anything is stored.
 */
import { claimNonce, type NonceClaim } from '../records/nonces.js';
import { UnauthorizedError } from '../shared/errors.js';
import { VENDOR_TRIGGER_AUTH, type VendorTriggerAuth, type Workflow } from '../../state-machines/schema.js';
import { bearerApiKey, verifyApiKey } from './api-keys.js';
import { verifyWebhookSignature, WEBHOOK_HEADERS, WEBHOOK_TOLERANCE_SECONDS } from './standard-webhooks.js';
import { vendorSecretName, webhookSecret } from './webhook-secrets.js';
import { VENDOR_SIGNATURES, vendorOf, type VendorRequest } from './vendor-signatures.js';

/** A call whose sender is proved; `claimOnce` takes its webhook-id (once the body is known to be valid). */
export interface AdmittedTrigger {
  /** Who sent it, for its request limit: `api-key:<keyId>`, `signature:<workflowId>`, `zendesk:<workflowId>`, `hubspot:<workflowId>`; none for an open (`none`) trigger. */
  readonly sender?: string;
  claimOnce(): Promise<void>;
}

/**
 * Verifies the signature and its freshness (401 otherwise); the webhook-id is claimed by
 * `claimOnce`, after the body is validated and before the run starts, so a replay starts nothing.
 */
export async function authenticateTrigger(
  workflow: Pick<Workflow, 'id' | 'trigger'>,
  req: VendorRequest,
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
  // A call that carries a vendor's signature (Zendesk, HubSpot) is judged by it alone (never by a Standard Webhooks one beside it).
  const signedBy = vendorOf(req);
  const vendors = accepted.filter((a): a is VendorTriggerAuth => (VENDOR_TRIGGER_AUTH as readonly string[]).includes(a));
  if (signedBy || !accepted.includes('signature')) {
    const vendor = signedBy ?? (vendors.length === 1 ? vendors[0] : undefined);
    if (!signedBy && !vendors.length && !accepted.includes('api-key') && accepted.includes('slack')) {
      throw new UnauthorizedError(`Workflow ${workflow.id} starts only from Slack: its slash command or message shortcut (trigger.slack), at /slack/commands or /slack/interactions`);
    }
    if (!vendor || !accepted.includes(vendor)) {
      throw new UnauthorizedError(
        signedBy
          ? `Workflow ${workflow.id} does not take ${VENDOR_SIGNATURES[signedBy].label} webhooks (its trigger.auth is ${accepted.join(', ')})`
          : `Workflow ${workflow.id} takes ${[...(accepted.includes('api-key') ? ['an API key: send "Authorization: Bearer hrk_…" (npx handrail keys create)'] : []), ...vendors.map((v) => `${VENDOR_SIGNATURES[v].label}'s signature (${VENDOR_SIGNATURES[v].headers.signature})`)].join(' or ')}`,
      );
    }
    const signature = req.header(VENDOR_SIGNATURES[vendor].headers.signature);
    VENDOR_SIGNATURES[vendor].verify(await webhookSecret(vendorSecretName(workflow.id, vendor)), req, now);
    return {
      sender: `${vendor}:${workflow.id}`,
      async claimOnce() {
        // The vendors send no message id: the signature (over timestamp and body) is what a replay repeats.
        const expiresAt = Math.floor(now / 1000) + 2 * WEBHOOK_TOLERANCE_SECONDS;
        if (!(await claim(`${vendor}-signature#${workflow.id}#${signature}`, expiresAt))) {
          throw new UnauthorizedError(`This ${VENDOR_SIGNATURES[vendor].label} webhook call was already received (a replay)`);
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
