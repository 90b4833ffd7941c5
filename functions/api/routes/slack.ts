/**
 * POST /slack/interactions: Slack's Interactivity Request URL (buttons and modals of approval
 * messages). The signature is verified on the raw body before anything is parsed; a bad, stale or
 * replayed request gets 401 and changes nothing.
 */
import { channelSecrets } from '../../notifications/channel-config.js';
import { handleSlackInteraction } from '../../notifications/slack-interactions.js';
import { verifySlackRequest } from '../../notifications/slack-signature.js';
import { UnauthorizedError, ValidationError } from '../../shared/errors.js';
import { logger } from '../../shared/logger.js';
import { checkJsonLimits } from '../json-limits.js';
import { JSON_LIMITS } from '../limits.js';
import type { RouteHandlers } from '../route-handlers.js';

export const slackRoutes: RouteHandlers<'slackInteractions'> = {
  slackInteractions: async (c) => {
    const rawBody = await c.req.text();
    const secret = (await channelSecrets()).slackSigningSecret;
    if (!secret) throw new UnauthorizedError('Slack is not configured here (no signing secret), so no Slack request can be verified');
    try {
      await verifySlackRequest(secret, { timestamp: c.req.header('x-slack-request-timestamp'), signature: c.req.header('x-slack-signature'), rawBody });
    } catch (err) {
      if (err instanceof UnauthorizedError) logger.warn('Slack request refused', { reason: err.message });
      throw err;
    }
    const payload = new URLSearchParams(rawBody).get('payload');
    if (!payload) throw new ValidationError('payload: expected a form field payload=<JSON>', 'payload');
    let json: unknown;
    try {
      json = JSON.parse(payload);
    } catch {
      throw new ValidationError('payload: not valid JSON', 'payload');
    }
    checkJsonLimits(json, JSON_LIMITS.default, 'payload');
    const reply = await handleSlackInteraction(json);
    return reply ? c.json(reply) : c.body(null, 200);
  },
};
