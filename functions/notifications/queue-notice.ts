/**
 * What a queue owner is told when a run lands in the human queue (or is still there past its
 * SLA): which run, of which workflow, what failed and why, by when someone should act, the link
 * to the run in the console, and how to resume it. Computed once so email, Slack and Teams say the
 * same. Pure: no I/O.
 */
import type { QueueStatus } from '../records/human-queue.js';
import { readableCause } from '../shared/error-cause.js';
import { escapeHtml } from './email-message.js';
import { truncate } from './request-content.js';
import { escapeMrkdwn, type SlackBlock } from './slack-blocks.js';
import { ADAPTIVE_CARD } from './teams-card.js';

export interface QueueFacts {
  readonly runId: string;
  readonly workflowId: string;
  readonly status: QueueStatus;
  readonly error: { error: string; cause?: string };
  readonly queuedAt: string;
  readonly dueAt?: string;
  /** A reminder: the run is past its SLA. */
  readonly overdue?: boolean;
}

export interface QueueNotice {
  readonly title: string;
  readonly lines: string[];
  readonly link: string;
  readonly redrive: string;
}

const WHAT: Record<QueueStatus, string> = {
  needs_human: 'a step failed after its retries',
  delivery_failed: 'the approved text could not be delivered',
};

/** The run's page in the console, on this stage's public URL. */
export function runPageUrl(publicUrl: string, runId: string): string {
  return `${publicUrl.replace(/\/$/, '')}/console/runs/${encodeURIComponent(runId)}`;
}

export function queueNotice(run: QueueFacts, publicUrl: string): QueueNotice {
  const label = run.status === 'delivery_failed' ? 'Delivery failed' : 'Needs a person';
  return {
    title: `${run.overdue ? 'Past its SLA: ' : ''}${label}: ${run.workflowId} run ${run.runId}`,
    lines: [
      `The run is in the human queue: ${WHAT[run.status]}.`,
      `Error: ${run.error.error}`,
      ...(run.error.cause ? [`Cause: ${truncate(readableCause(run.error.cause).replace(/\s+/g, ' ').trim(), 600, '…')}`] : []),
      `In the queue since ${run.queuedAt}${run.dueAt ? `; act by ${run.dueAt}` : ''}.`,
    ],
    link: runPageUrl(publicUrl, run.runId),
    redrive: `npx handrail runs redrive ${run.runId}`,
  };
}

export function queueEmail(n: QueueNotice, to: { name: string; email: string }): { to: string; subject: string; text: string; html: string } {
  const e = escapeHtml;
  const text = [`Hello ${to.name},`, '', `${n.title}.`, ...n.lines, '', `Open the run: ${n.link}`, `Once the cause is fixed, resume it from the failed step: ${n.redrive}`].join('\n');
  const html = `<!doctype html><html><body style="font:15px/1.5 system-ui,sans-serif;color:#1d2330;max-width:42rem">
<h1 style="font-size:1.2rem">${e(n.title)}</h1>
<p>Hello ${e(to.name)},</p>
${n.lines.map((l) => `<p>${e(l)}</p>`).join('\n')}
<p><a href="${e(n.link)}" style="display:inline-block;padding:.5rem 1rem;border-radius:6px;background:#1d4ed8;color:#fff;text-decoration:none">Open the run</a></p>
<p>Once the cause is fixed, resume it from the failed step: <code>${e(n.redrive)}</code></p>
</body></html>`;
  return { to: to.email, subject: `[Handrail] ${n.title}`, text, html };
}

export function queueSlackMessage(n: QueueNotice): { text: string; blocks: SlackBlock[] } {
  return {
    text: n.title,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: truncate(n.title, 150, '…'), emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: truncate(escapeMrkdwn(n.lines.join('\n')), 3000) } },
      { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open the run' }, url: n.link }] },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Resume from the failed step: \`${escapeMrkdwn(n.redrive)}\`` }] },
    ],
  };
}

export function queueTeamsCard(n: QueueNotice) {
  const text = (t: string, extra: Record<string, unknown> = {}) => ({ type: 'TextBlock', text: t, wrap: true, ...extra });
  return {
    type: 'message',
    attachments: [
      {
        contentType: ADAPTIVE_CARD,
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4',
          body: [text(n.title, { weight: 'Bolder', size: 'Medium' }), ...n.lines.map((l) => text(l)), text(`Resume: ${n.redrive}`, { isSubtle: true, size: 'Small' })],
          actions: [{ type: 'Action.OpenUrl', title: 'Open the run', url: n.link }],
        },
      },
    ],
  };
}
