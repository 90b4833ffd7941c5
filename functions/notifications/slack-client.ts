/**
 * The Slack Web API client. Bounded on purpose: one retry, a 5 s timeout, and rate limits
 * reported rather than waited out, because a notification runs inside an approval Lambda (30 s)
 * or an API request, and must never hold up the approval itself.
 */
import { LogLevel, WebClient } from '@slack/web-api';
import type { ChatPostMessageArguments, ViewsOpenArguments } from '@slack/web-api';
import { ENV } from '../shared/env-names.js';
import { optionalEnv } from '../shared/env.js';
import type { SlackBlock } from './slack-blocks.js';

const clients = new Map<string, WebClient>();

/**
 * `retries: 0` and a caller's own timeout are for callers that retry themselves and must not post
 * twice (a delivery: functions/connectors/slack/post-once.ts).
 */
export function slackClient(token: string, options: { timeoutMs?: number; retries?: number } = {}): WebClient {
  const slackApiUrl = optionalEnv(ENV.slackApiUrl);
  const timeout = options.timeoutMs ?? 5000;
  const retries = options.retries ?? 1;
  const key = `${slackApiUrl ?? ''}\n${timeout}\n${retries}\n${token}`;
  let client = clients.get(key);
  if (!client) {
    client = new WebClient(token, {
      ...(slackApiUrl ? { slackApiUrl } : {}),
      timeout,
      retryConfig: { retries, minTimeout: 200, maxTimeout: 1000 },
      rejectRateLimitedCalls: true,
      logLevel: LogLevel.ERROR,
    });
    clients.set(key, client);
  }
  return client;
}

/** Our builders produce plain objects; the SDK's Block Kit types are structural unions. */
export const asBlocks = (blocks: SlackBlock[]) => blocks as unknown as Extract<ChatPostMessageArguments, { blocks: unknown }>['blocks'];
export const asView = (view: object) => view as unknown as ViewsOpenArguments['view'];
