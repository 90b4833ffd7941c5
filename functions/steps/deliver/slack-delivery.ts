/**
 * A deliver step with `slack`: the approved text is posted to the step's channel (or the one its
 * input field names) with chat.postMessage, through the Slack bot of the approval channels, never
 * twice (connectors/slack/post-once.ts). The run record carries the intent (`delivery.status:
 * sending`, `slack.intentAt`) before the first post and the outcome after, with every API call of
 * every invocation; the step record carries the same calls. A final failure is DeliveryFailed: the
 * run goes to the human queue as `delivery_failed`.
 */
import { channelApi, type SlackCall } from '../../connectors/slack/channel-api.js';
import { postOnce, type PostOutcome } from '../../connectors/slack/post-once.js';
import { channelSecrets } from '../../notifications/channel-config.js';
import { slackClient } from '../../notifications/slack-client.js';
import { updateRun, type RunRecord } from '../../records/runs.js';
import type { ExecutionState } from '../../shared/step-contract.js';
import { recordConnectorOutcome, type ConnectorDelivery } from './connector-outcome.js';
import type { SlackAct, StepOf } from '../../../state-machines/schema.js';

const CHANNEL_ID = /^[CDG][A-Z0-9]{2,}$/;

/** The channel the step posts to, or why it cannot. */
function channelOf(act: SlackAct, input: Record<string, unknown>): { channel: string } | { error: string } {
  if (act.channel) return { channel: act.channel };
  const raw = input[act.channelFromInput!];
  return typeof raw === 'string' && CHANNEL_ID.test(raw)
    ? { channel: raw }
    : { error: `input.${act.channelFromInput} must be a Slack channel id such as C0123ABCD, not ${JSON.stringify(raw ?? null).slice(0, 40)}` };
}

export async function deliverToSlack(step: StepOf<'deliver'> & { slack: SlackAct }, state: ExecutionState, record: RunRecord, text: string) {
  const { runId } = state.run;
  const startedAt = new Date();
  const target = channelOf(step.slack, state.input);
  const channel = 'channel' in target ? target.channel : '';
  const earlier = record.delivery?.slack;
  const calls: SlackCall[] = [...((earlier?.calls ?? []) as SlackCall[])];
  const url = `slack:${channel}`;
  let intentAt = earlier?.intentAt;

  const delivery: ConnectorDelivery = {
    stepId: step.id,
    state,
    record,
    text,
    to: 'slack',
    startedAt,
    calls,
    input: { channel: channel || String(state.input[step.slack.channelFromInput ?? ''] ?? '') },
    target: `Slack channel ${channel || '(none)'}`,
  };
  const finish = (outcome: PostOutcome) =>
    recordConnectorOutcome(
      delivery,
      outcome.ok ? { ok: true, output: { channel: outcome.channel, ts: outcome.ts, alreadyPosted: outcome.alreadyPosted } } : outcome,
      url,
      { channel, ...(intentAt !== undefined ? { intentAt } : {}), ...(outcome.ok ? { ts: outcome.ts } : {}), calls },
    );

  if ('error' in target) return finish({ ok: false, error: target.error });
  let token: string | undefined;
  try {
    token = (await channelSecrets()).slackBotToken;
  } catch (err) {
    return finish({ ok: false, error: `reading the Slack credentials: ${err instanceof Error ? err.message : String(err)}` });
  }
  if (!token) return finish({ ok: false, error: 'Slack is not configured: the stage has no Slack bot token (the approval channels\' slackBotToken)' });
  const api = channelApi(slackClient(token, { retries: 0, timeoutMs: step.timeoutMs }), calls);
  const outcome = await postOnce(
    { channel, text, runId, stepId: step.id },
    {
      api,
      maxAttempts: step.maxAttempts,
      // An earlier invocation of this step recorded its intent: look in the channel before posting.
      ...(intentAt !== undefined ? { intentSince: intentAt } : {}),
      recordIntent: async () => {
        intentAt = Math.floor(Date.now() / 1000);
        await updateRun(runId, { delivery: { url, text, attempts: [], status: 'sending', slack: { channel, intentAt, calls } } });
        return intentAt;
      },
    },
  );
  return finish(outcome);
}
