/**
 * Deploy configuration, per stage, declared in `stages.yaml` at the project root (or the file
 * HANDRAIL_STAGES_FILE names) and validated here: what a deployment needs that the code must not
 * guess. `cdk synth -c stage=<name>` fails with the key to fix when a stage is missing, malformed,
 * or lacks a value one of its workflows needs. The `local` stage (`npm start`) needs nothing.
 *
 * @example
 * const config = loadStageConfig('dev', workflows); // { providers: ['bedrock', 'offline'], delivery: { SUPPORT_REPLY_URL: 'https://…' }, … }
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import type { LoadedWorkflow } from '../state-machines/load-workflow.js';
import { secondsIn } from '../state-machines/schema.js';
import { S3_SOURCE } from '../functions/knowledge/s3-source.js';
import { collectionName } from '../functions/knowledge/validation.js';
import { limitsSchema } from '../functions/limits/limits-config.js';
import { stageNameSchema } from '../functions/shared/stage-name.js';
import { identitySchema } from './identity-config.js';
import { PIPELINE_KEY } from './pipeline-config.js';
import { readStagesFile, stagesFile } from './stages-file.js';

export const LOCAL_STAGE = 'local';
export { STAGES_FILE_ENV, stagesFile } from './stages-file.js';

const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;
/** EventBridge Scheduler's recurring forms: cron (six fields) or rate. */
const SCHEDULE = /^(cron\((\S+ ){5}\S+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$/;
export const DEFAULT_EXPORT_SCHEDULE = 'cron(0 3 * * ? *)';
const SYNC_EVERY = /^\d+(m|h|d)$/;

export const stageConfigSchema = z
  .object({
    /** Model providers the stage may call, in no particular order (each workflow names its own chain). */
    providers: z.array(z.enum(['bedrock', 'openai', 'offline'])).min(1).default(['offline']),
    /** OpenAI or any compatible endpoint; its key lives in the stage's OpenAiSecret (Secrets Manager). */
    openai: z.object({ baseUrl: z.string().url().optional() }).strict().optional(),
    /** Where Bedrock is called (model access must be enabled there). @default the stack's region */
    bedrock: z.object({ region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'a region such as us-east-1').optional() }).strict().optional(),
    /** The URL behind each deliver step's `urlFromEnv` (locally: the runtime's own sink by default). */
    delivery: z.record(z.string().regex(ENV_NAME, 'an environment variable name such as SUPPORT_REPLY_URL'), z.string().url()).default({}),
    /**
     * The Zendesk account deliver steps with `zendesk` act on (functions/connectors/zendesk/): its
     * URL and the agent whose API token acts. The token goes in the stack's ZendeskSecret (AWS) or
     * `<data dir>/zendesk-api-token` (local). Without it, those steps POST to their URL.
     */
    zendesk: z
      .object({
        /** e.g. https://acme.zendesk.com (or a server that speaks its API, for tests). */
        url: z.string().url(),
        email: z.string().email(),
      })
      .strict()
      .optional(),
    /**
     * The HubSpot API deliver steps with `hubspot` act on (functions/connectors/hubspot/): its base
     * URL, https://api.hubapi.com (or a server that speaks its API, for tests). The private app's
     * access token goes in the stack's HubspotSecret (AWS) or `<data dir>/hubspot-access-token`
     * (local). Without it, those steps POST to their URL.
     */
    hubspot: z.object({ url: z.string().url() }).strict().optional(),
    /**
     * Email in and out (functions/connectors/email/, infra/constructs/inbound-email.ts): SES receives
     * mail for `receive`'s addresses (their domain verified in SES, its MX pointing at SES), stores it
     * in the stack's inbound bucket and starts a run of the workflow each names (which declares
     * `trigger.email`); deliver steps with `email` reply from `from` (a verified SES identity) to runs
     * an email started. Locally, the runtime's SMTP listener receives for the same addresses.
     */
    email: z
      .object({
        /** The sender of replies: a verified SES identity, usually the receiving address itself. */
        from: z.string().email(),
        receive: z
          .array(z.object({ address: z.string().email(), workflow: z.string().regex(/^[a-z][a-z0-9-]{0,47}$/, 'a workflow id such as support-reply') }).strict())
          .min(1)
          .max(100)
          .refine((r) => new Set(r.map((x) => x.address.toLowerCase())).size === r.length, { message: 'each receiving address once' }),
        /** How long raw inbound messages are kept in the bucket (days). */
        keepDays: z.number().int().min(1).max(3650).default(30),
      })
      .strict()
      .optional(),
    channels: z
      .object({
        /** The verified SES sender of approval emails; without it, email is off on AWS. */
        emailFrom: z.string().email().optional(),
      })
      .strict()
      .default({}),
    /**
     * Requests each caller may make per window, by kind of caller (functions/limits/limits-config.ts):
     * only what differs from the defaults, e.g. `webhook: { requests: 6000 }`.
     */
    limits: limitsSchema,
    /** Exports for auditors (infra/constructs/audit-exports.ts): when the runs, approvals and audit tables are exported to S3. */
    exports: z
      .object({
        /** An EventBridge Scheduler expression, in UTC. @default daily at 03:00 UTC */
        schedule: z.string().regex(SCHEDULE, 'an EventBridge Scheduler expression such as cron(0 3 * * ? *) or rate(1 day)').default(DEFAULT_EXPORT_SCHEDULE),
      })
      .strict()
      .default({ schedule: DEFAULT_EXPORT_SCHEDULE }),
    /**
     * Collections that follow an S3 prefix on a schedule (functions/scheduled/knowledge-sync): the
     * prefix and how often, e.g. `support: { from: s3://acme-help-center/articles/, every: 6h }`.
     * A folder or a Git repository is synced with `npx handrail kb sync` (from cron or CI).
     */
    knowledgeSync: z
      .record(
        collectionName,
        z
          .object({
            from: z.string().regex(S3_SOURCE, 'an S3 prefix such as s3://acme-help-center/articles/ (a folder or Git repository syncs with `npx handrail kb sync` from cron or CI)'),
            every: z
              .string()
              .regex(SYNC_EVERY, 'how often, such as 15m, 6h or 1d')
              .refine((every) => (secondsIn(every) ?? 0) >= 5 * 60, 'at least 5m'),
          })
          .strict(),
      )
      .default({}),
    /** Who signs in, and how: the stage's Cognito user pool (identity-config.ts). Required except locally. */
    identity: identitySchema.optional(),
  })
  .strict();

export type StageConfig = z.infer<typeof stageConfigSchema>;

const stagesSchema = z.record(stageNameSchema, stageConfigSchema);

/**
 * The `urlFromEnv` names the workflows deliver to, each with the (first) step that reads it; in a
 * stage that declares `zendesk` (`hubspot`), not those of steps that act on Zendesk (HubSpot) there.
 */
export function deliveryTargets(workflows: LoadedWorkflow[], config: Pick<StageConfig, 'zendesk' | 'hubspot'> = {}): Map<string, { workflowId: string; stepId: string }> {
  const targets = new Map<string, { workflowId: string; stepId: string }>();
  for (const { definition } of workflows) {
    for (const step of definition.steps) {
      if (step.kind === 'deliver' && ((step.zendesk && config.zendesk) || (step.hubspot && config.hubspot))) continue;
      if (step.kind === 'deliver' && step.urlFromEnv && !targets.has(step.urlFromEnv)) targets.set(step.urlFromEnv, { workflowId: definition.id, stepId: step.id });
    }
  }
  return targets;
}

/** Reads and validates `stage` from the stages file; throws one message naming the file and key. */
export function loadStageConfig(stage: string, workflows: LoadedWorkflow[], file = stagesFile()): StageConfig {
  if (stage === PIPELINE_KEY) throw new Error(`${file}: "${PIPELINE_KEY}" is the pipeline's entry, not a stage`);
  const where = (path: (string | number)[]) => [stage, ...path].join('.');
  const { raw, exists } = readStagesFile(file);
  if (!exists && stage !== LOCAL_STAGE) throw new Error(`${file} is missing: declare stage "${stage}" there (see README, Deploy to AWS)`);
  // The pipeline entry is not a stage (pipeline-config.ts reads it).
  const { [PIPELINE_KEY]: _pipeline, ...declaredStages } = raw;
  const stages = stagesSchema.safeParse(declaredStages);
  if (!stages.success) {
    const issue = stages.error.issues[0]!;
    throw new Error(`${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const declared = stages.data[stage];
  if (!declared && stage !== LOCAL_STAGE) {
    throw new Error(`${file} has no stage "${stage}"; declare it (providers, delivery, channels; see README, Deploy to AWS)`);
  }
  const config = declared ?? stageConfigSchema.parse({});
  // Locally an undeclared target is the runtime's own sink; a deployment must say where it delivers.
  // A step that can only act on Zendesk needs the stage's Zendesk account.
  for (const { definition } of workflows) {
    const zendeskOnly = definition.steps.find((st) => st.kind === 'deliver' && st.zendesk && !st.url && !st.urlFromEnv);
    if (zendeskOnly && !config.zendesk) throw new Error(`${file}: ${where(['zendesk'])} is required: workflow ${definition.id}, step ${zendeskOnly.id} acts only on Zendesk (declare zendesk.url and zendesk.email)`);
    const hubspotOnly = definition.steps.find((st) => st.kind === 'deliver' && st.hubspot && !st.url && !st.urlFromEnv);
    if (hubspotOnly && !config.hubspot) throw new Error(`${file}: ${where(['hubspot'])} is required: workflow ${definition.id}, step ${hubspotOnly.id} acts only on HubSpot (declare hubspot.url)`);
  }
  for (const [i, { address, workflow }] of (config.email?.receive ?? []).entries()) {
    const target = workflows.find((w) => w.definition.id === workflow);
    if (!target) throw new Error(`${file}: ${where(['email', 'receive', i, 'workflow'])}: no workflow ${workflow} (workflows: ${workflows.map((w) => w.definition.id).join(', ')})`);
    if (!target.definition.trigger.email) throw new Error(`${file}: ${where(['email', 'receive', i, 'workflow'])}: workflow ${workflow} declares no trigger.email, so mail to ${address} could not start it; add trigger.email.input to ${target.file}`);
  }
  if (config.hubspot && stage !== LOCAL_STAGE && !config.hubspot.url.startsWith('https://')) {
    throw new Error(`${file}: ${where(['hubspot', 'url'])}: HubSpot is called over https (https://api.hubapi.com); received ${config.hubspot.url}`);
  }
  if (config.zendesk && stage !== LOCAL_STAGE && !config.zendesk.url.startsWith('https://')) {
    throw new Error(`${file}: ${where(['zendesk', 'url'])}: Zendesk is called over https (e.g. https://acme.zendesk.com); received ${config.zendesk.url}`);
  }
  if (stage !== LOCAL_STAGE) {
    for (const [name, readBy] of deliveryTargets(workflows, config)) {
      if (!config.delivery[name]) throw new Error(`${file}: ${where(['delivery', name])} is required: workflow ${readBy.workflowId}, step ${readBy.stepId} delivers to it (a URL)`);
    }
  }
  // An open webhook is for trying things on a laptop; a deployment must know who starts its runs.
  if (stage !== LOCAL_STAGE) {
    const open = workflows.find((w) => w.definition.trigger.auth.includes('none'));
    if (open) throw new Error(`${open.file}: trigger.auth: none is accepted only by the local stage; stage "${stage}" needs signed webhooks (trigger.auth: [signature])`);
  }
  if (config.openai && !config.providers.includes('openai')) throw new Error(`${file}: ${where(['openai'])} is set but ${where(['providers'])} does not include openai`);
  if (stage === LOCAL_STAGE) {
    if (config.identity) throw new Error(`${file}: ${where(['identity'])} is not used: the local stage signs people in with the runtime's own issuer (npx handrail login <user>); remove it`);
    return config;
  }
  if (!config.identity) {
    throw new Error(`${file}: ${where(['identity'])} is required: a deployed stage signs people in through its Cognito user pool; declare identity.domainPrefix and identity.callbackUrls (see README, Deploy to AWS)`);
  }
  // A SAML metadata file is named relative to the stages file; the synth reads it (Google Workspace publishes no metadata URL).
  const federation = config.identity.federation;
  if (federation?.type === 'saml' && federation.metadataFile) {
    const metadataFile = resolve(dirname(file), federation.metadataFile);
    if (!existsSync(metadataFile)) throw new Error(`${file}: ${where(['identity', 'federation', 'metadataFile'])}: no file at ${metadataFile} (the IdP's SAML metadata XML)`);
    return { ...config, identity: { ...config.identity, federation: { ...federation, metadataFile } } };
  }
  return config;
}
