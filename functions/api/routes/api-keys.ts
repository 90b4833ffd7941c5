/**
 * API keys for webhook senders, managed by admins: made (the key is in that one answer), listed
 * (never the secret), revoked (at once). Each act is audited with who did it.
 */
import { listApiKeys, revokeApiKey, type ApiKeyRecord } from '../../records/api-keys.js';
import { recordAudit } from '../../records/audit.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import { workflowRegistry } from '../../shared/workflow-registry.js';
import { createApiKey } from '../../triggers/api-keys.js';
import { callerIn } from '../authorize.js';
import type { RouteHandlers } from '../route-handlers.js';
import { schemas } from '../route-table.js';
import { jsonBody, parseOrThrow } from '../validate.js';

const KEY_ID = /^[A-Za-z0-9]{12}$/;

/** What anyone may see of a key: everything but its hash. */
function shown({ secretHash: _hash, ...key }: ApiKeyRecord) {
  return { ...key, status: key.revokedAt ? 'revoked' : 'active' };
}

export const apiKeyRoutes: RouteHandlers<'listApiKeys' | 'createApiKey' | 'revokeApiKey'> = {
  listApiKeys: async (c) => c.json({ keys: (await listApiKeys()).map(shown) }),
  createApiKey: async (c) => {
    const caller = callerIn(c);
    const body = parseOrThrow(schemas.createApiKey, await jsonBody(c), 'body');
    body.workflows.forEach((id, i) => {
      const workflow = workflowRegistry().get(id);
      if (!workflow) throw new ValidationError(`workflows.${i}: no workflow "${id}"; deployed: ${[...workflowRegistry().keys()].join(', ')}`, `body.workflows.${i}`);
      if (!workflow.definition.trigger.auth.includes('api-key')) throw new ValidationError(`workflows.${i}: workflow ${id} does not take API keys (its trigger.auth is ${workflow.definition.trigger.auth.join(', ')})`, `body.workflows.${i}`);
    });
    const { key, record } = await createApiKey({ name: body.name, workflows: [...new Set(body.workflows)], createdBy: caller.id });
    await recordAudit({ subject: 'api-keys', type: 'api_key.created', actor: caller.id, details: { keyId: record.keyId, name: record.name, workflows: record.workflows } });
    return c.json({ ...shown(record), key, note: 'This is the only time the key is shown: store it in the sender now.' }, 201);
  },
  revokeApiKey: async (c) => {
    const caller = callerIn(c);
    const keyId = c.req.param('keyId') ?? '';
    if (!KEY_ID.test(keyId) || !(await revokeApiKey(keyId, caller.id))) throw new NotFoundError(`No active API key ${keyId.slice(0, 40)}`);
    await recordAudit({ subject: 'api-keys', type: 'api_key.revoked', actor: caller.id, details: { keyId } });
    return c.json({ keyId, status: 'revoked' });
  },
};
