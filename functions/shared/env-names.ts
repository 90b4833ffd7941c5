/**
 * Environment variable names shared by the CDK constructs (which set them) and the handlers
 * (which read them), so that infra and code cannot drift apart.
 */
export const ENV = {
  stage: 'HANDRAIL_STAGE',
  runsTable: 'HANDRAIL_RUNS_TABLE',
  approvalsTable: 'HANDRAIL_APPROVALS_TABLE',
  auditTable: 'HANDRAIL_AUDIT_TABLE',
  knowledgeTable: 'HANDRAIL_KNOWLEDGE_TABLE',
  /** API keys of webhook senders (hashes only). */
  apiKeysTable: 'HANDRAIL_API_KEYS_TABLE',
  /** Every release a run has started on: its manifest, when it was first seen (records/releases.ts). */
  releasesTable: 'HANDRAIL_RELEASES_TABLE',
  /** The releases the stage deploys, one per workflow (releases.json, shipped with the API). */
  releasesFile: 'HANDRAIL_RELEASES_FILE',
  /** Per-caller request counters (functions/limits/throttle.ts): one item per caller and window, deleted by TTL. */
  throttleTable: 'HANDRAIL_THROTTLE_TABLE',
  /** Each kind of caller's limit, as JSON (functions/limits/limits-config.ts; from stages.yaml `limits`). */
  throttleLimits: 'HANDRAIL_THROTTLE_LIMITS',
  /** The company IdP's groups that grant Handrail roles, as JSON `{group: role}` (the pre token generation trigger; stages.yaml identity.federation.groups.roles). */
  idpGroupRoles: 'HANDRAIL_IDP_GROUP_ROLES',
  knowledgeBucket: 'HANDRAIL_KNOWLEDGE_BUCKET',
  /** ARN prefix of the stage's state machines; the workflow id completes it. */
  stateMachinePrefix: 'HANDRAIL_STATE_MACHINE_PREFIX',
  /** Base URL of the HTTP API, used to build reviewer links. */
  publicUrl: 'HANDRAIL_PUBLIC_URL',
  /** The HMAC key for reviewer links and delivery signatures, inline (local) ... */
  signingSecret: 'HANDRAIL_SIGNING_SECRET',
  /** ... or the ARN of the Secrets Manager secret that holds it (AWS). */
  signingSecretArn: 'HANDRAIL_SIGNING_SECRET_ARN',
  /** The key that signs outbound deliveries (Standard Webhooks `whsec_…`), inline (local) ... */
  deliverySecret: 'HANDRAIL_DELIVERY_SECRET',
  /** ... or the ARN of the Secrets Manager secret that holds it (AWS); only the deliver function reads it. */
  deliverySecretArn: 'HANDRAIL_DELIVERY_SECRET_ARN',
  /** Directory holding the workflow YAML files the API validates webhooks against. */
  workflowsDir: 'HANDRAIL_WORKFLOWS_DIR',
  /** The reviewer directory (users, their channels, groups). */
  directoryFile: 'HANDRAIL_DIRECTORY_FILE',
  /** The knowledge collections: who may write each, which workflows may read it (state-machines/collections.yaml). */
  collectionsFile: 'HANDRAIL_COLLECTIONS_FILE',
  /** The collections a workflow's retrieve function may read (comma-separated); the same as its IAM grants on AWS. */
  readableCollections: 'HANDRAIL_READABLE_COLLECTIONS',
  /** The collections a workflow's knowledge-writing deliver function may add versions to (comma-separated); the same as its IAM grants on AWS. */
  writableCollections: 'HANDRAIL_WRITABLE_COLLECTIONS',
  /** Model providers this deployment may call (comma-separated); the others are skipped. */
  enabledProviders: 'HANDRAIL_PROVIDERS',
  /** The model gateway's table: provider health (cooldowns) and usage counters. */
  gatewayTable: 'HANDRAIL_GATEWAY_TABLE',
  /** Cooldown: this many retryable failures of one model within the window take it out of rotation... */
  cooldownFailures: 'HANDRAIL_COOLDOWN_FAILURES',
  cooldownWindowSeconds: 'HANDRAIL_COOLDOWN_WINDOW_SECONDS',
  /** ... for this long. */
  cooldownSeconds: 'HANDRAIL_COOLDOWN_SECONDS',
  /** How long (ms) a process trusts its cached view of a model's cooldown before reading it again. */
  healthCacheMs: 'HANDRAIL_HEALTH_CACHE_MS',
  /** The price table (YAML, or JSON if it ends in .json; USD per 1K tokens); default: prices.json in the bundle, else state-machines/prices.yaml. */
  pricesFile: 'HANDRAIL_PRICES_FILE',
  s3ForcePathStyle: 'HANDRAIL_S3_FORCE_PATH_STYLE',
  /** The collections the scheduled knowledge sync follows: JSON `{ collection: "s3://bucket/prefix/" }` (stages.yaml `knowledgeSync`). */
  knowledgeSources: 'HANDRAIL_KNOWLEDGE_SOURCES',
  /** Lifetime of a reviewer link, in seconds. */
  reviewLinkTtl: 'HANDRAIL_REVIEW_LINK_TTL_SECONDS',
  /** The stage's Zendesk account (stages.yaml `zendesk.url`, e.g. https://acme.zendesk.com); set, deliver steps with `zendesk` act on the ticket. */
  zendeskUrl: 'HANDRAIL_ZENDESK_URL',
  /** The Zendesk agent whose API token acts (stages.yaml `zendesk.email`). */
  zendeskEmail: 'HANDRAIL_ZENDESK_EMAIL',
  /** ARN of the Secrets Manager secret holding `{"apiToken": "…"}` (AWS); only the deliver function reads it ... */
  zendeskSecretArn: 'HANDRAIL_ZENDESK_SECRET_ARN',
  /** ... or the file in the data dir that holds the API token (local). */
  zendeskApiTokenFile: 'HANDRAIL_ZENDESK_API_TOKEN_FILE',
  /** The stage's HubSpot API (stages.yaml `hubspot.url`, https://api.hubapi.com); set, deliver steps with `hubspot` act on the contact. */
  hubspotUrl: 'HANDRAIL_HUBSPOT_URL',
  /** ARN of the Secrets Manager secret holding `{"accessToken": "…"}` (a private app's; AWS); only the deliver function reads it ... */
  hubspotSecretArn: 'HANDRAIL_HUBSPOT_SECRET_ARN',
  /** ... or the file in the data dir that holds the access token (local). */
  hubspotAccessTokenFile: 'HANDRAIL_HUBSPOT_ACCESS_TOKEN_FILE',
  /** First delay between delivery attempts, in ms (doubles each attempt). */
  deliveryBackoffMs: 'HANDRAIL_DELIVERY_BACKOFF_MS',
  /** How stale (ms) retrieval's view of which document versions are current may be. */
  knowledgeFreshnessMs: 'HANDRAIL_KNOWLEDGE_FRESHNESS_MS',
  /** Approval channels (functions/notifications). Inline values (local, tests) win over the secret. */
  slackBotToken: 'SLACK_BOT_TOKEN',
  slackSigningSecret: 'SLACK_SIGNING_SECRET',
  /** Base URL of the Slack Web API (tests point it at a fake). */
  slackApiUrl: 'SLACK_API_URL',
  teamsWebhookUrl: 'TEAMS_WEBHOOK_URL',
  /** ARN of the Secrets Manager secret holding {slackBotToken, slackSigningSecret, teamsWebhookUrl} (AWS). */
  channelSecretsArn: 'HANDRAIL_CHANNEL_SECRETS_ARN',
  /** ARN of the Secrets Manager secret holding the OpenAI key as JSON `{apiKey}` (AWS; locally OPENAI_API_KEY). */
  openAiSecretArn: 'HANDRAIL_OPENAI_SECRET_ARN',
  /** An OpenAI-compatible endpoint's base URL. */
  openAiBaseUrl: 'OPENAI_BASE_URL',
  /** The OpenAI key, inline (local, tests). */
  openAiApiKey: 'OPENAI_API_KEY',
  /** Where Bedrock is called, when not the function's own region. */
  bedrockRegion: 'HANDRAIL_BEDROCK_REGION',
  /** How approval emails leave: `ses` (AWS) or `outbox` (.eml files, local); unset = email off. */
  emailTransport: 'HANDRAIL_EMAIL_TRANSPORT',
  emailFrom: 'HANDRAIL_EMAIL_FROM',
  /** The sender of email replies (stages.yaml `email.from`); set, deliver steps with `email` reply to runs an email started. */
  emailReplyFrom: 'HANDRAIL_EMAIL_REPLY_FROM',
  /** The bucket SES stores inbound mail in (the stack's inbound mail bucket). */
  inboundMailBucket: 'HANDRAIL_INBOUND_MAIL_BUCKET',
  /** The key prefix SES stores each inbound message under (+ its SES message id). */
  inboundMailPrefix: 'HANDRAIL_INBOUND_MAIL_PREFIX',
  /** The receiving addresses and the workflow each starts, as JSON `{ "support@example.com": "support-reply" }` (stages.yaml `email.receive`). */
  emailRoutes: 'HANDRAIL_EMAIL_ROUTES',
  /** Where the `outbox` transport writes its .eml files. */
  outboxDir: 'HANDRAIL_OUTBOX_DIR',
  /** Where each workflow's webhook secret is: the Secrets Manager name prefix (AWS; + the workflow id) ... */
  webhookSecretPrefix: 'HANDRAIL_WEBHOOK_SECRET_PREFIX',
  /** ... or a folder with one file per workflow id (the local runtime's stand-in). */
  webhookSecretsDir: 'HANDRAIL_WEBHOOK_SECRETS_DIR',
  /** The identity provider whose ID tokens the API accepts: its issuer (`iss`) ... */
  authIssuer: 'HANDRAIL_AUTH_ISSUER',
  /** ... the audience its tokens are for (`aud`: the app client id) ... */
  authAudience: 'HANDRAIL_AUTH_AUDIENCE',
  /** ... and where its signing keys are (default: <issuer>/.well-known/jwks.json). */
  authJwksUrl: 'HANDRAIL_AUTH_JWKS_URL',
  /** Browser sign-in (functions/auth/sign-in-settings.ts): the API's `/auth/callback` URL, registered with the issuer; https → Secure cookies. */
  authRedirectUrl: 'HANDRAIL_AUTH_REDIRECT_URL',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];

/**
 * Powertools Tracer settings every function's template gives it (infra/constructs/handrail-function.ts):
 * no handler response and no error message or stack in a trace, whose data X-Ray keeps outside the
 * redacted logs (functions/shared/tracer.ts says why).
 */
export const TRACER_ENVIRONMENT = {
  POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
  POWERTOOLS_TRACER_CAPTURE_ERROR: 'false',
} as const;
