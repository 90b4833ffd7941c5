/**
 * The acknowledgement of a message shortcut: Slack ignores the body of the answer to a shortcut, so
 * the "started run …" note goes to the request's `response_url`, as an ephemeral message. Only to
 * Slack's own hooks (https://hooks.slack.com), or the stage's Slack stand-in (SLACK_API_URL, tests):
 * a signed request cannot make the API call any other address. Never fails the request: the run has
 * started either way; the URL (a credential for the channel) is never logged.
 */
import { ENV } from '../shared/env-names.js';
import { optionalEnv } from '../shared/env.js';
import { logger } from '../shared/logger.js';

const SLACK_HOOKS = 'https://hooks.slack.com';
/** Slack answers a shortcut's request within 3 s; the ack must not hold the answer up past that. */
const ACK_TIMEOUT_MS = 1500;

function allowedOrigins(): string[] {
  const standIn = optionalEnv(ENV.slackApiUrl);
  return [SLACK_HOOKS, ...(standIn ? [new URL(standIn).origin] : [])];
}

export async function postResponseUrl(url: string, body: { response_type: 'ephemeral'; text: string }): Promise<'posted' | 'refused' | 'failed'> {
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return 'refused';
  }
  if (!allowedOrigins().includes(origin)) {
    logger.warn('Slack response_url refused: not Slack', { origin });
    return 'refused';
  }
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(ACK_TIMEOUT_MS) });
    if (res.ok) return 'posted';
    logger.warn('Slack response_url answered an error', { status: res.status });
  } catch (err) {
    logger.warn('Slack response_url could not be reached', { error: (err as Error).name });
  }
  return 'failed';
}
