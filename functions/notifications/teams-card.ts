/**
 * The Microsoft Teams card for an approval request: an Adaptive Card (1.4) in the envelope that
 * Teams incoming webhooks (and Workflows "post to a channel when a webhook request is received")
 * accept. Teams cannot call Handrail back here, so the card links to the review page.
 */
import type { Reviewer } from '../../state-machines/directory.js';
import { requestContent, truncate, type RequestFacts } from './request-content.js';

export const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/** Cards over ~28 KB are refused by Teams; the draft is the only field that can be that long. */
const DRAFT_MAX = 4000;

export function teamsCard(approval: RequestFacts, reviewers: Reviewer[], links: Record<string, string>) {
  const c = requestContent(approval);
  const text = (t: string, extra: Record<string, unknown> = {}) => ({ type: 'TextBlock', text: t, wrap: true, ...extra });
  const body = [
    text(c.title, { weight: 'Bolder', size: 'Medium' }),
    ...(c.input.length ? [{ type: 'FactSet', facts: c.input.map((i) => ({ title: i.field, value: i.value })) }] : []),
    text(c.parts.length ? 'Parts' : 'Draft', { weight: 'Bolder', spacing: 'Medium' }),
    text(c.parts.length ? c.parts.map((p) => `- ${p}`).join('\n') : truncate(c.draft, DRAFT_MAX)),
    ...(c.sources.length ? [text(`Sources: ${c.sources.map((s) => `[${s.n}] ${s.title} (${s.ref})`).join(' · ')}`, { isSubtle: true, size: 'Small' })] : []),
    text(`Decide by ${c.deadline} · run ${approval.runId}`, { isSubtle: true, size: 'Small' }),
  ];
  // Each link is bound to one reviewer: the button names who it is for.
  const actions = reviewers
    .filter((r) => links[r.id])
    .map((r) => ({ type: 'Action.OpenUrl', title: `Review as ${r.name}`, url: links[r.id]! }));
  return {
    type: 'message',
    attachments: [
      {
        contentType: ADAPTIVE_CARD,
        contentUrl: null,
        content: { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', body, actions },
      },
    ],
  };
}
