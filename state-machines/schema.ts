/**
 * The shape of a workflow definition (`state-machines/workflows/*.yaml`): the one source of truth.
 * The compiler, the CDK constructs, the API (input validation) and the handlers all read
 * definitions through this schema, so a field means the same thing everywhere.
 */
import * as z from 'zod';
import { labelName } from '../functions/knowledge/validation.js';
import { retentionSchema } from './retention.js';
import { rolloutSchema } from './rollout.js';

/** Step ids name states, step records and metrics, so they are permanent and JSONPath-safe. */
export const stepIdSchema = z
  .string()
  .regex(/^[a-z][a-zA-Z0-9_]{0,63}$/, 'a step id starts with a lowercase letter, then letters, digits or _ (max 64)');

const durationSchema = z
  .string()
  .regex(/^\d+(s|m|h|d)$/, 'a duration such as 30s, 15m, 24h or 2d');

const inputFieldSchema = z
  .object({
    type: z.enum(['string', 'number', 'boolean']),
    required: z.boolean().default(false),
    description: z.string().optional(),
    enum: z.array(z.string()).min(1).optional(),
    format: z.enum(['email', 'url']).optional(),
    maxLength: z.number().int().positive().optional(),
  })
  .strict();

const retrieveStepSchema = z
  .object({
    id: stepIdSchema,
    kind: z.literal('retrieve'),
    collection: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a collection name: lowercase letters, digits and -'),
    /** Pin the collection as a knowledge label froze it (`npx handrail kb label`); the latest versions without one. */
    label: labelName.optional(),
    query: z.string().min(1),
    topK: z.number().int().min(1).max(20).default(4),
    /**
     * Also read the whole current text of the best-matching document (the top passage's), e.g. for
     * a generate step that proposes a revision of it (`revise`). @default false: passages only
     */
    wholeDocument: z.boolean().optional(),
    next: stepIdSchema.optional(),
  })
  .strict();

export const providerSchema = z.enum(['offline', 'bedrock', 'openai']);

/** How a model call can fail, as the model gateway classifies it; `fallbackOn` picks from these. */
export const modelFailureKinds = [
  'throttled',
  'timeout',
  'server_error',
  'connection',
  'client_error',
  'invalid_response',
  'context_window',
  'content_policy',
] as const;

const modelRefSchema = z
  .object({
    provider: providerSchema,
    model: z.string().min(1).optional(),
    maxTokens: z.number().int().positive().max(32000).default(800),
    temperature: z.number().min(0).max(2).default(0.2),
    timeoutMs: z.number().int().positive().max(120000).default(20000),
    maxAttempts: z.number().int().min(1).max(5).default(2),
    /** Failures of this model after which the chain moves to the next model (default: all of them). */
    fallbackOn: z.array(z.enum(modelFailureKinds)).min(1).optional(),
  })
  .strict()
  .refine((m) => m.provider === 'offline' || m.model, { message: 'model is required for bedrock and openai', path: ['model'] });

/**
 * A generate step's structured output, as JSON Schema (YAML in the workflow). It must describe an
 * object so route conditions can read `steps.<id>.output.<field>`. That the validator can handle
 * it is checked when the workflow file loads (load-workflow.ts, output-schema-check.ts), so such a
 * schema fails the load, not a run.
 */
const outputSchemaSchema = z.record(z.string(), z.unknown()).refine((schema) => schema.type === 'object', 'outputSchema must describe an object (type: object)');

/**
 * Quality gates, evaluated by the platform on every draft of a generate step. Any failing gate sends
 * the run to `onFail` (e.g. a human review that shows the reasons) instead of going on; a context
 * failure (no retrieved passage scores `minPassageScore`) goes to `onContextFailure` if given.
 */
const qualityGatesSchema = z
  .object({
    blockedPatterns: z
      .array(z.string().min(1))
      .default([])
      .superRefine((patterns, ctx) => {
        patterns.forEach((p, i) => {
          try {
            new RegExp(p, 'i');
          } catch {
            ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${p}`, path: [i] });
          }
        });
      }),
    requireCitations: z.boolean().default(false),
    minLength: z.number().int().min(0).optional(),
    maxLength: z.number().int().positive().optional(),
    /** Refuse drafts that carry email addresses, card numbers (Luhn-checked) or phone numbers. */
    noPersonalData: z.boolean().default(false),
    minPassageScore: z.number().min(0).optional(),
    /**
     * Refuse drafts whose confidence is below this (0..1): the model's own `confidence` when the
     * step's outputSchema has one, else how much of the draft the retrieved passages support.
     */
    minConfidence: z.number().min(0).max(1).optional(),
    onFail: stepIdSchema,
    onContextFailure: stepIdSchema.optional(),
  })
  .strict();

const generateStepSchema = z
  .object({
    id: stepIdSchema,
    kind: z.literal('generate'),
    system: z.string().optional(),
    prompt: z.string().min(1),
    models: z.array(modelRefSchema).min(1, 'name at least one model in the chain'),
    /**
     * The retrieve steps whose passages this draft reads, cites and is gated on. @default every
     * passage retrieved so far in the run (e.g. one answer per RFP section, each from its own search).
     */
    context: z.array(stepIdSchema).min(1).optional(),
    /** When set, the reply is parsed as JSON and validated; the parsed object is the step's `output`. */
    outputSchema: outputSchemaSchema.optional(),
    gates: qualityGatesSchema.optional(),
    /**
     * The draft is a proposed new version of a knowledge document: the whole document as it should
     * read, revising the best-matching document the named retrieve step read (`wholeDocument: true`),
     * or a new document when it found none. The approval shows it as a diff against the current
     * version; a deliver step's `knowledge` target writes it.
     */
    revise: stepIdSchema.optional(),
    next: stepIdSchema.optional(),
  })
  .strict()
  .refine((g) => !(g.revise && g.outputSchema), { message: 'a revision is the document itself: leave out outputSchema', path: ['revise'] });

/** What a classify step can tell about a text (and a draft); each has an offline and an LLM-backed implementation. */
export const classifierNames = ['sentiment', 'topic', 'complexity', 'confidence'] as const;

/** Topics the platform knows terms for; a workflow may name them or define its own. */
export const builtinTopicNames = ['legal', 'security', 'compliance', 'billing'] as const;

const topicSchema = z.union([
  z.enum(builtinTopicNames),
  z
    .object({
      name: z
        .string()
        .regex(/^[a-z][a-z0-9_]{0,31}$/, 'a topic name: lowercase letters, digits and _')
        .refine((n) => n !== 'none', { message: '"none" is the label when no topic matches; choose another name' }),
      /** Words or phrases that signal the topic; matched on word stems, so "charged" matches "charge". */
      terms: z.array(z.string().min(1).max(80)).min(1).max(200),
      description: z.string().max(300).optional(),
    })
    .strict(),
]);

/**
 * Classifies the run's text so `route` conditions can read the results as
 * `steps.<id>.sentiment.label`, `steps.<id>.topic.label`, `steps.<id>.complexity.label` and
 * `steps.<id>.confidence.score`. Offline (lexicons and text statistics) unless `models` names a
 * chain; then the model classifies, and an `offline` entry in the chain falls back to the lexicons.
 */
const classifyStepSchema = z
  .object({
    id: stepIdSchema,
    kind: z.literal('classify'),
    /** The text to classify, e.g. "{{input.subject}} {{input.body}}". */
    text: z.string().min(1),
    classifiers: z.array(z.enum(classifierNames)).min(1).refine((c) => new Set(c).size === c.length, { message: 'each classifier once' }),
    topics: z
      .array(topicSchema)
      .min(1)
      .max(20)
      .default([...builtinTopicNames])
      .refine((ts) => new Set(ts.map((t) => (typeof t === 'string' ? t : t.name))).size === ts.length, { message: 'topic names must be unique' }),
    /** Compound sentiment below this is `negative`, above its opposite `positive` (VADER's usual cut is 0.05). */
    sentimentThreshold: z.number().min(0).max(0.9).default(0.05),
    /** The generate step whose draft the `confidence` classifier scores against the retrieved passages. */
    draft: stepIdSchema.optional(),
    models: z.array(modelRefSchema).min(1).optional(),
    next: stepIdSchema.optional(),
  })
  .strict()
  .refine((c) => !c.classifiers.includes('confidence') || c.draft, { message: 'the confidence classifier needs draft: <generate step id>', path: ['draft'] });

const conditionOperators = ['equals', 'in', 'contains', 'greaterThan', 'lessThan', 'exists'] as const;

const conditionSchema = z
  .object({
    path: z
      .string()
      .regex(/^(input|steps)(\.[A-Za-z0-9_]+)+$/, 'a path such as input.priority or steps.draft.confidence'),
    equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
    contains: z.string().optional(),
    greaterThan: z.number().optional(),
    lessThan: z.number().optional(),
    exists: z.boolean().optional(),
    /** Matches when the value equals one of these strings (e.g. a topic label). */
    in: z.array(z.string()).min(1).max(50).optional(),
  })
  .strict()
  .refine(
    (c) => conditionOperators.filter((k) => k in c && (c as Record<string, unknown>)[k] !== undefined).length === 1,
    { message: `each condition takes exactly one of ${conditionOperators.join(', ')}` },
  );

/**
 * Graduated autonomy for the approvals reached through a route path: once at least
 * `minDecisions` of the recent decisions were approvals without edits at `minUneditedApprovalRate`
 * or more, drafts are approved automatically, except a `spotCheckRate` share still sent to review;
 * if the measured rate falls below the bar, review resumes.
 */
export const autonomyRuleSchema = z
  .object({
    minDecisions: z.number().int().min(1).max(10000).default(50),
    minUneditedApprovalRate: z.number().min(0.5).max(1).default(0.95),
    spotCheckRate: z.number().min(0).max(1).default(0.1),
    /** How many of the most recent human decisions the rate is measured over. */
    window: z.number().int().min(1).max(1000).default(200),
  })
  .strict()
  .refine((r) => r.window >= r.minDecisions, { message: 'window must be at least minDecisions', path: ['window'] });

const routePathSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-zA-Z0-9_-]{0,63}$/),
    when: z.array(conditionSchema).min(1).optional(),
    default: z.boolean().optional(),
    next: stepIdSchema,
    autonomy: autonomyRuleSchema.optional(),
  })
  .strict()
  .refine((p) => Boolean(p.when) !== Boolean(p.default), { message: 'a path has either when (conditions) or default: true' });

const routeStepSchema = z
  .object({
    id: stepIdSchema,
    kind: z.literal('route'),
    paths: z
      .array(routePathSchema)
      .min(1)
      .refine((ps) => ps.filter((p) => p.default).length === 1 && ps[ps.length - 1]?.default, {
        message: 'exactly one default (catch-all) path, and it comes last',
      }),
  })
  .strict();

/** A reviewer: a user id from the reviewer directory (an email works) or `group:<name>`. */
const reviewerRefSchema = z
  .string()
  .regex(/^(group:[a-z0-9][a-z0-9-]*|[^\s:]{1,200})$/, 'a reviewer id (e.g. an email address) or group:<name>');

/** Reasons a reviewer can give; a workflow may declare its own list. */
export const defaultReasonTaxonomy = ['inaccurate', 'incomplete', 'tone', 'policy', 'sensitive', 'other'] as const;

const escalationLevelSchema = z
  .object({
    reviewers: z.array(reviewerRefSchema).min(1),
    timeout: durationSchema,
  })
  .strict();

/** One section of a multi-part approval (e.g. an RFP section), decided by its own reviewers. */
const approvalPartSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'a part id: lowercase letters, digits, _ and -'),
    title: z.string().min(1).max(200),
    /** The generate step whose draft this part is. */
    draft: stepIdSchema,
    reviewers: z.array(reviewerRefSchema).min(1),
  })
  .strict();

const approvalStepSchema = z
  .object({
    id: stepIdSchema,
    kind: z.literal('approval'),
    /** The draft under review: the id of an earlier generate step (or use `parts`). */
    draft: stepIdSchema.optional(),
    /** Who reviews first (level 0); with `parts`, each part names its own reviewers. */
    reviewers: z.array(reviewerRefSchema).min(1).optional(),
    /**
     * Or: the input field naming who reviews first (e.g. `owner`, the meeting's owner), resolved when
     * the step runs. It must name a user of the reviewer directory with the reviewer role (else the
     * run goes to the human queue, naming the field); escalation levels still name their reviewers.
     */
    reviewersFromInput: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'an input field name such as owner').optional(),
    /** A multi-part approval: each part is decided separately; the run resumes when all are. */
    parts: z.array(approvalPartSchema).min(2).max(20).optional(),
    /** How long level 0 has before the request escalates. */
    timeout: durationSchema.default('24h'),
    /** Who it escalates to, level by level, each with its own timeout. */
    escalation: z.array(escalationLevelSchema).max(5).default([]),
    /** What happens when the last level times out: reject (nothing is sent), fail, or continue at a step. */
    onFinalTimeout: z.union([z.enum(['reject', 'fail']), z.object({ route: stepIdSchema }).strict()]).default('reject'),
    /** Distinct reviewers who must approve before the run resumes. */
    requiredApprovals: z.number().int().min(1).max(10).default(1),
    /** May the person who requested the run (the workflow's `requester` input) approve it? */
    allowSelfApproval: z.boolean().default(false),
    /** Remind reviewers of a pending request this often. */
    reminderEvery: durationSchema.optional(),
    /**
     * `required`: a sensitive step. Deciding takes a sign-in with the identity provider on top of
     * the review link (the page asks for it, Slack buttons do not decide, the API takes an ID token,
     * not a personal token). Left out, the signed link is enough.
     */
    signIn: z.literal('required', { error: 'must be required (or left out: the review link is enough)' }).optional(),
    /** Where requests are sent besides the inbox and the review page. */
    channels: z.array(z.enum(['slack', 'email', 'teams'])).default([]),
    /** Slack channel id for the request (default: a direct message to each reviewer). */
    slackChannel: z.string().regex(/^[CDG][A-Z0-9]{2,}$/, 'a Slack channel id such as C0123ABCD').optional(),
    /** The reason codes reviewers choose from when they edit or reject. */
    reasons: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/)).min(1).default([...defaultReasonTaxonomy]),
    next: stepIdSchema.optional(),
  })
  .strict()
  .refine((a) => (a.parts ? !a.draft && !a.reviewers && !a.reviewersFromInput : a.draft && (a.reviewers || a.reviewersFromInput)), {
    message: 'an approval has either draft and reviewers (or reviewersFromInput), or parts (each with its draft and reviewers)',
    path: ['parts'],
  })
  .refine((a) => !(a.reviewers && a.reviewersFromInput), { message: 'name either reviewers or reviewersFromInput, not both', path: ['reviewersFromInput'] })
  .refine((a) => !a.reviewersFromInput || a.requiredApprovals === 1, { message: 'reviewersFromInput names one reviewer, who gives the one approval', path: ['requiredApprovals'] })
  .refine((a) => !a.parts || a.requiredApprovals === 1, { message: 'a multi-part approval takes one decision per part', path: ['requiredApprovals'] })
  .refine((a) => !a.parts || new Set(a.parts.map((p) => p.id)).size === a.parts.length, { message: 'part ids must be unique', path: ['parts'] });

/** Ticket statuses an agent may set through the API (Zendesk's `new` and `closed` are not). */
export const ZENDESK_TICKET_STATUSES = ['open', 'pending', 'hold', 'solved'] as const;

/** What a deliver step does to a Zendesk ticket (one ticket update: comment, status, tags). */
const zendeskActSchema = z
  .object({
    /** The input field holding the ticket id (a positive integer, as a number or a string of digits). */
    ticket: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'an input field name such as ticketId').default('ticketId'),
    /** `public`: a reply the requester sees; `internal`: a note only agents see. */
    comment: z.enum(['public', 'internal']).default('public'),
    /** The ticket's status after the comment. @default unchanged */
    status: z.enum(ZENDESK_TICKET_STATUSES).optional(),
    /** Tags added to the ticket (Zendesk tags: no spaces). */
    tags: z.array(z.string().regex(/^[^\s,]{1,80}$/, 'a Zendesk tag: no spaces or commas, at most 80 characters')).max(20).default([]),
  })
  .strict();

const inputFieldName = (example: string) => z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, `an input field name such as ${example}`);

/** What a deliver step does on a HubSpot contact: a note holding the text, and a task for the owner to follow it up. */
const hubspotActSchema = z
  .object({
    /** The input field holding the contact's id (HubSpot's record id: digits). */
    contact: inputFieldName('contactId').default('contactId'),
    /** The input field holding the HubSpot owner (user) id the task is assigned to; a run without it gets an unassigned task. */
    owner: inputFieldName('ownerId').default('ownerId'),
    /** The task's subject (the run's marker is added to it). */
    taskSubject: z.string().min(1).max(200).default('Follow up on the approved outreach'),
    /** The task is due this many days after the delivery. */
    taskDueInDays: z.number().int().min(0).max(90).default(2),
  })
  .strict();

const slackChannelId = z.string().regex(/^[CDG][A-Z0-9]{2,}$/, 'a Slack channel id such as C0123ABCD');

/** Where a deliver step posts on Slack: a fixed channel, or the channel an input field names. */
const slackActSchema = z
  .object({
    channel: slackChannelId.optional(),
    /** The input field holding the channel id (checked when the step runs: a channel id such as C0123ABCD). */
    channelFromInput: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'an input field name such as slackChannel').optional(),
  })
  .strict()
  .refine((s) => Boolean(s.channel) !== Boolean(s.channelFromInput), { message: 'name either channel or channelFromInput' });

/** Where a deliver step writes a proposed knowledge edit: a new version of the document it revises. */
const knowledgeActSchema = z
  .object({
    /** The collection written; the workflow must be one of its `publishers` (state-machines/collections.yaml). */
    collection: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a collection name: lowercase letters, digits and -'),
    /** The generate step (with `revise`) whose proposal names the document and the version it revises. */
    documentFrom: stepIdSchema,
  })
  .strict();

/**
 * A deliver step's reply by email (functions/connectors/email/), in every stage whose stages.yaml
 * declares `email`, for runs an email started (the run's `inReplyTo` field holds a Message-ID): the
 * text goes to the original sender through SES as a reply in the same thread (In-Reply-To,
 * References, "Re:" subject), once per run. Each value names an input field.
 */
const emailActSchema = z
  .object({
    /** The input field holding the address the reply goes to (the original sender). */
    to: inputFieldName('customerEmail').default('customerEmail'),
    /** The input field holding the original subject ("Re: " is added once). */
    subject: inputFieldName('subject').default('subject'),
    /** The input field holding the original Message-ID: the reply's In-Reply-To. */
    inReplyTo: inputFieldName('messageId').default('messageId'),
    /** The input field holding the original References (the thread so far), if any. */
    references: inputFieldName('references').optional(),
  })
  .strict();

const deliverStepSchema = z
  .object({
    id: stepIdSchema,
    kind: z.literal('deliver'),
    /** Target URL (http or https). */
    url: z.string().url().optional(),
    /** An environment variable whose value, when set where the step runs, replaces `url`. */
    urlFromEnv: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'an environment variable name such as SUPPORT_REPLY_URL').optional(),
    /** What to deliver: `approval` (the text the last approval decided) or the id of a generate step. */
    text: z.union([z.literal('approval'), stepIdSchema]).default('approval'),
    maxAttempts: z.number().int().min(1).max(10).default(4),
    timeoutMs: z.number().int().positive().max(60000).default(10000),
    next: stepIdSchema.optional(),
    /** The run ends after this delivery even if other steps follow in the file (e.g. one of several outcomes). */
    end: z.boolean().optional(),
    /**
     * Act on a Zendesk ticket instead, in every stage whose stages.yaml declares `zendesk` (the
     * others POST to `url`/`urlFromEnv`): the text as a public reply or an internal note, and
     * optionally the ticket's status and tags (functions/connectors/zendesk/).
     */
    zendesk: zendeskActSchema.optional(),
    /**
     * Act on a HubSpot contact instead, in every stage whose stages.yaml declares `hubspot`: a note
     * on the contact holding the text and a task for its owner (functions/connectors/hubspot/).
     */
    hubspot: hubspotActSchema.optional(),
    /**
     * Post the text to a Slack channel instead, with chat.postMessage through the stage's Slack bot
     * (the approval channels' credentials), once per run (functions/connectors/slack/).
     */
    slack: slackActSchema.optional(),
    /**
     * Write the approved text as a new immutable version of a knowledge document instead (the one
     * the `documentFrom` step's proposal revises), once per run, through the knowledge store.
     */
    knowledge: knowledgeActSchema.optional(),
    /**
     * Reply by email instead, in every stage whose stages.yaml declares `email`, to runs an email
     * started (the others go on to zendesk, hubspot or the URL): see emailActSchema.
     */
    email: emailActSchema.optional(),
  })
  .strict()
  .refine((d) => d.url || d.urlFromEnv || d.zendesk || d.hubspot || d.slack || d.email || d.knowledge, { message: 'a deliver step needs url, urlFromEnv, zendesk, hubspot, slack, email or knowledge', path: ['url'] })
  .refine((d) => !d.knowledge || !(d.url || d.urlFromEnv || d.zendesk || d.hubspot || d.slack || d.email), { message: 'a deliver step with knowledge writes only the document: leave out url, urlFromEnv, zendesk, hubspot, slack and email', path: ['knowledge'] })
  .refine((d) => !d.knowledge || d.text === 'approval', { message: 'a knowledge edit is written only once a person approved it: text must be approval', path: ['text'] })
  .refine((d) => !(d.zendesk && d.hubspot), { message: 'a deliver step acts on one connector: zendesk or hubspot, not both', path: ['hubspot'] })
  .refine((d) => !d.slack || !(d.url || d.urlFromEnv || d.zendesk || d.hubspot || d.email), { message: 'a deliver step with slack posts only to Slack: leave out url, urlFromEnv, zendesk, hubspot and email', path: ['slack'] });

export const stepSchema = z.discriminatedUnion('kind', [
  retrieveStepSchema,
  generateStepSchema,
  classifyStepSchema,
  routeStepSchema,
  approvalStepSchema,
  deliverStepSchema,
]);

/**
 * Who owns the workflow's human queue: the runs a step failed for good (`needs_human`) and the
 * approved runs that could not be delivered (`delivery_failed`). They are told through the
 * approval channels, with the error and a link to the run, and reminded while a run waits past
 * its SLA; `npx handrail runs redrive <runId>` resumes it from the failed step.
 */
const ownerSchema = z
  .object({
    /** Reviewer ids or `group:<name>` from the reviewer directory. */
    reviewers: z.array(reviewerRefSchema).min(1),
    /** Where they are told (the inbox-free channels of approvals). */
    channels: z.array(z.enum(['slack', 'email', 'teams'])).min(1),
    /** Slack channel id to post to (default: a direct message to each owner). */
    slackChannel: z.string().regex(/^[CDG][A-Z0-9]{2,}$/, 'a Slack channel id such as C0123ABCD').optional(),
    /** How long a run may wait in the queue before it is past its SLA (counted, alarmed, owners reminded). */
    sla: durationSchema.default('24h'),
  })
  .strict();

/** Trigger auth kinds that are a SaaS vendor's own webhook signature, checked with the workflow's `<id>.<vendor>` secret (functions/triggers/vendor-signatures.ts). */
export const VENDOR_TRIGGER_AUTH = ['zendesk', 'hubspot'] as const;
export type VendorTriggerAuth = (typeof VENDOR_TRIGGER_AUTH)[number];
export const TRIGGER_AUTH = ['signature', 'api-key', ...VENDOR_TRIGGER_AUTH, 'slack', 'none'] as const;
export type TriggerAuth = (typeof TRIGGER_AUTH)[number];

/**
 * What a Slack slash command or message shortcut gives a run's input field (functions/triggers/slack-trigger.ts):
 * `text`, the command's text or the shortcut's message text; `channel`, the channel it was used in;
 * `user`, the reviewer-directory id of the Slack user who used it (their `slackUserId`); `slackUser`, their Slack user id.
 */
export const SLACK_TRIGGER_SOURCES = ['text', 'channel', 'user', 'slackUser'] as const;
export type SlackTriggerSource = (typeof SLACK_TRIGGER_SOURCES)[number];

/** A workflow started from Slack (trigger auth `slack`): its slash command and/or message shortcut, and how they fill its input. */
const slackTriggerSchema = z
  .object({
    /** The slash command, as configured in the Slack app (its Request URL: `<ApiUrl>/slack/commands`). */
    command: z.string().regex(/^\/[a-z0-9][a-z0-9_-]{0,31}$/, 'a slash command such as /handrail-notes').optional(),
    /** The message shortcut's callback id (the app's Interactivity Request URL: `<ApiUrl>/slack/interactions`). */
    shortcut: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'a callback id such as handrail_notes').optional(),
    /** Input field → what Slack gives it. */
    input: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'an input field name'), z.enum(SLACK_TRIGGER_SOURCES)),
  })
  .strict()
  .refine((s) => s.command || s.shortcut, { message: 'name a command, a shortcut, or both' });

/** What an inbound email carries that a workflow's input can be mapped from (functions/connectors/email/parse-message.ts). */
export const EMAIL_FIELDS = ['from', 'fromName', 'to', 'subject', 'text', 'messageId', 'inReplyTo', 'references', 'date'] as const;
export type EmailField = (typeof EMAIL_FIELDS)[number];

/**
 * Runs started by email: the stage's receiving addresses (stages.yaml `email.receive`) name the
 * workflow; each input field takes one part of the message, and the whole is validated by the
 * workflow's input like a webhook body. E.g. `input: { subject: subject, body: text, customerEmail: from }`.
 */
const emailTriggerSchema = z
  .object({
    input: z
      .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'an input field name such as subject'), z.enum(EMAIL_FIELDS))
      .refine((m) => Object.keys(m).length > 0, { message: 'map at least one input field from the message' }),
  })
  .strict();

const triggerSchema = z
  .object({
    /** Runs may also start from an email to one of the stage's receiving addresses (see emailTriggerSchema). */
    email: emailTriggerSchema.optional(),
    auth: z
      .array(z.enum(TRIGGER_AUTH))
      .min(1)
      .refine((auth) => !auth.includes('none') || auth.length === 1, { message: 'none cannot be combined with another way to authenticate' }),
    /** With auth `slack`: the slash command and/or message shortcut that start a run. */
    slack: slackTriggerSchema.optional(),
  })
  .strict()
  .refine((t) => t.auth.includes('slack') === Boolean(t.slack), { message: 'auth slack and trigger.slack go together: slack takes the command or shortcut trigger.slack declares', path: ['slack'] });

export const workflowSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]{0,47}$/, 'a workflow id: lowercase letters, digits and - (max 48)'),
    name: z.string().min(1),
    description: z.string().optional(),
    input: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/), inputFieldSchema),
    /**
     * What a webhook body may carry besides the declared `input` fields: `reject` answers 400 naming
     * the first unknown field; `drop` accepts the body and discards them before anything is stored
     * (for SaaS tools whose payloads carry much more than the workflow reads). Never kept either way.
     */
    additionalFields: z.enum(['reject', 'drop']).default('reject'),
    /**
     * How callers of the workflow's webhook prove who they are, any of: `signature`, a Standard
     * Webhooks signature (webhook-id, webhook-timestamp, webhook-signature) with the workflow's
     * secret; `api-key`, an API key scoped to the workflow (`Authorization: Bearer hrk_…`); `zendesk`,
     * a Zendesk webhook's signature (X-Zendesk-Webhook-Signature) with the workflow's Zendesk secret;
     * `hubspot`, a HubSpot v3 request signature (X-HubSpot-Signature-v3) with the workflow's HubSpot secret;
     * `slack`, the Slack app's request signature on the slash command or message shortcut `trigger.slack` declares;
     * `none` must be written out alone, and only the local stage accepts it (infra/stage-config.ts).
     */
    trigger: triggerSchema.default({ auth: ['signature'] }),
    /**
     * Categories that always need a human decision, declared once for the workflow and enforced by
     * the platform: autonomy never auto-approves a run in one of them.
     */
    alwaysReview: z
      .array(z.object({ category: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/), when: z.array(conditionSchema).min(1) }).strict())
      .default([]),
    /** How a new release of the workflow takes traffic, and the quality rule that rolls it back (rollout.ts). */
    release: rolloutSchema.optional(),
    /**
     * How long runs, step records and approvals are kept, in days (retention.ts; DEFAULT_RETENTION
     * for what is left out). Optional rather than defaulted here, so a workflow that declares none
     * keeps its definition, and so its release id, as it was.
     */
    retention: retentionSchema.optional(),
    /** How long a person takes to handle one of these by hand: the console's dashboard compares the runs' handling time with it. */
    baseline: z.object({ handlingTime: durationSchema }).strict().optional(),
    /** Who owns the runs that need a person after a failure, and how soon they should act (see ownerSchema). */
    owner: ownerSchema.optional(),
    /** The input field that names who requested the run (self-approval is refused by default). */
    requester: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/).optional(),
    steps: z.array(stepSchema).min(1),
  })
  .strict()
  .superRefine((w, ctx) => {
    for (const field of Object.keys(w.trigger.email?.input ?? {})) {
      if (!w.input[field]) ctx.addIssue({ code: 'custom', path: ['trigger', 'email', 'input', field], message: `no input field ${field}: declare it under input (fields: ${Object.keys(w.input).join(', ')})` });
    }
  });

export type Workflow = z.infer<typeof workflowSchema>;
export type Step = z.infer<typeof stepSchema>;
export type StepKind = Step['kind'];
export type StepOf<K extends StepKind> = Extract<Step, { kind: K }>;
export type ModelRef = z.infer<typeof modelRefSchema>;
export type ModelFailureKind = (typeof modelFailureKinds)[number];
export type Provider = z.infer<typeof providerSchema>;
export type RouteCondition = z.infer<typeof conditionSchema>;
export type AutonomyRule = z.infer<typeof autonomyRuleSchema>;
export type QualityGates = z.infer<typeof qualityGatesSchema>;
export type InputField = z.infer<typeof inputFieldSchema>;
export type ClassifierName = (typeof classifierNames)[number];
export type TopicRef = z.infer<typeof topicSchema>;
export type QueueOwner = z.infer<typeof ownerSchema>;
export type ZendeskAct = z.infer<typeof zendeskActSchema>;
export type HubspotAct = z.infer<typeof hubspotActSchema>;
export type SlackAct = z.infer<typeof slackActSchema>;
export type KnowledgeAct = z.infer<typeof knowledgeActSchema>;
export type SlackTrigger = z.infer<typeof slackTriggerSchema>;
export type EmailAct = z.infer<typeof emailActSchema>;
export type EmailTrigger = z.infer<typeof emailTriggerSchema>;

/** Step kinds that run as Lambda functions (route compiles to a Choice state). */
export const lambdaStepKinds = ['retrieve', 'generate', 'classify', 'approval', 'deliver'] as const;
export type LambdaStepKind = (typeof lambdaStepKinds)[number];

/** Seconds in a duration string such as `24h` (s, m, h or d, a whole positive number); undefined for anything else. */
export function secondsIn(duration: string): number | undefined {
  const factor = { s: 1, m: 60, h: 3600, d: 86400 }[duration.slice(-1)];
  const n = Number(duration.slice(0, -1));
  return factor && Number.isInteger(n) && n > 0 ? n * factor : undefined;
}

/** Seconds in a duration string such as `24h`; throws, saying what is expected, for anything else. */
export function durationSeconds(duration: string): number {
  const seconds = secondsIn(duration);
  if (seconds === undefined) throw new Error(`Invalid duration "${duration}"; use 30s, 15m, 24h or 2d`);
  return seconds;
}
