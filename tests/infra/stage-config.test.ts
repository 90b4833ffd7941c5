/**
 * The stage configuration (stages.yaml): validated at synth with the key to fix named, and what it
 * declares reaches exactly the functions that read it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app-factory.js';
import { loadPipelineConfig } from '../../infra/pipeline-config.js';
import { projectRoot } from '../../infra/project-root.js';

const dir = mkdtempSync(join(tmpdir(), 'stages-'));
function stagesFile(yaml: string): string {
  const file = join(dir, `stages-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  return file;
}
const synth = (stage: string, stagesFileText?: string) =>
  buildApp({ stage, bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')), ...(stagesFileText !== undefined ? { stagesFile: stagesFile(stagesFileText) } : {}) });

function envOf(template: Template, logicalIdPrefix: string): Record<string, unknown> {
  const [fn] = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => id.startsWith(logicalIdPrefix));
  return (fn![1].Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
}

describe('stage configuration', () => {
  it.each([
    ['a stage that is not declared', 'local: {}\n', /has no stage "dev"/],
    ['a workflow target without its URL', 'dev: { providers: [offline], delivery: { SALES_OUTREACH_URL: "https://x.example.com", RFP_RESPONSE_URL: "https://x.example.com" } }\n', /dev\.delivery\.SUPPORT_REPLY_URL is required: workflow support-reply, step send_reply delivers to it/],
    ['a malformed URL', 'dev: { delivery: { SUPPORT_REPLY_URL: not-a-url } }\n', /dev\.delivery\.SUPPORT_REPLY_URL: Invalid URL/],
    ['an unknown provider', 'dev: { providers: [gemini], delivery: { SUPPORT_REPLY_URL: "https://x.example.com", SALES_OUTREACH_URL: "https://x.example.com", RFP_RESPONSE_URL: "https://x.example.com" } }\n', /dev\.providers\.0: Invalid option/],
    ['an unknown key', 'dev: { delivery: { SUPPORT_REPLY_URL: "https://x.example.com", SALES_OUTREACH_URL: "https://x.example.com", RFP_RESPONSE_URL: "https://x.example.com" }, webhooks: 1 }\n', /dev: Unrecognized key: "webhooks"/],
    ['openai settings without the provider', 'dev: { openai: {}, delivery: { SUPPORT_REPLY_URL: "https://x.example.com", SALES_OUTREACH_URL: "https://x.example.com", RFP_RESPONSE_URL: "https://x.example.com" } }\n', /dev\.openai is set but dev\.providers does not include openai/],
    ['an unknown kind of caller in limits', 'local: { limits: { users: { requests: 10 } } }\n', /local\.limits: Unrecognized key: "users"/],
    ['a limit of no requests', 'local: { limits: { webhook: { requests: 0 } } }\n', /local\.limits\.webhook\.requests: must be at least 1/],
    ['a window over an hour', 'local: { limits: { anonymous: { windowSeconds: 86400 } } }\n', /local\.limits\.anonymous\.windowSeconds: must be at most 3600 seconds/],
    ['an export schedule that is not a Scheduler expression', 'local: { exports: { schedule: daily } }\n', /local\.exports\.schedule: an EventBridge Scheduler expression such as cron\(0 3 \* \* \? \*\) or rate\(1 day\)/],
    ['a five-field (Unix) cron export schedule', 'local: { exports: { schedule: "cron(0 3 * * *)" } }\n', /local\.exports\.schedule: an EventBridge Scheduler expression/],
  ])('fails the synth on %s, naming the key', (_what, yaml, message) => {
    expect(() => synth(/^local: \{ (limits|exports)/.test(yaml) ? 'local' : 'dev', yaml)).toThrow(message);
  });

  // A deployed stage's identity section, with everything else valid.
  const withIdentity = (identity: string) => `dev: { delivery: { SUPPORT_REPLY_URL: "https://x.example.com", SALES_OUTREACH_URL: "https://x.example.com", RFP_RESPONSE_URL: "https://x.example.com" }, identity: ${identity} }\n`;
  const oidc = (fields: string) => withIdentity(`{ domainPrefix: acme-dev, callbackUrls: ["https://x.example.com/cb"], federation: { type: oidc, name: Okta, ${fields} } }`);
  it.each([
    ['a deployed stage without identity', 'dev: { delivery: { SUPPORT_REPLY_URL: "https://x.example.com", SALES_OUTREACH_URL: "https://x.example.com", RFP_RESPONSE_URL: "https://x.example.com" } }\n', /dev\.identity is required: a deployed stage signs people in through its Cognito user pool; declare identity\.domainPrefix and identity\.callbackUrls/],
    ['identity without its domain', withIdentity('{ callbackUrls: ["https://x.example.com/cb"] }'), /dev\.identity\.domainPrefix: is required: the Hosted UI domain prefix/],
    ['identity without callback URLs', withIdentity('{ domainPrefix: acme-dev }'), /dev\.identity\.callbackUrls: is required: a list of sign-in callback URLs/],
    ['an empty callback list', withIdentity('{ domainPrefix: acme-dev, callbackUrls: [] }'), /dev\.identity\.callbackUrls: must list at least one sign-in callback URL/],
    ['a plain-http callback', withIdentity('{ domainPrefix: acme-dev, callbackUrls: ["http://x.example.com/cb"] }'), /dev\.identity\.callbackUrls\.0: must be https:\/\/ \(http:\/\/ only for localhost\)/],
    ['a domain with a reserved word', withIdentity('{ domainPrefix: acme-cognito, callbackUrls: ["https://x.example.com/cb"] }'), /dev\.identity\.domainPrefix: must not contain aws, amazon, cognito/],
    ['an unknown federation type', withIdentity('{ domainPrefix: acme-dev, callbackUrls: ["https://x.example.com/cb"], federation: { type: ldap } }'), /dev\.identity\.federation\.type: must be oidc or saml/],
    ['OIDC without its client secret', oidc('issuerUrl: "https://acme.okta.com", clientId: abc'), /dev\.identity\.federation\.clientSecretArn: is required: the ARN of the Secrets Manager secret/],
    ['OIDC with a secret that is not an ARN', oidc('issuerUrl: "https://acme.okta.com", clientId: abc, clientSecretArn: hunter2'), /dev\.identity\.federation\.clientSecretArn: must be a Secrets Manager secret ARN/],
    ['OIDC scopes without email', oidc('issuerUrl: "https://acme.okta.com", clientId: abc, clientSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:x", scopes: [openid]'), /dev\.identity\.federation\.scopes: must include openid and email/],
    ['SAML without metadata', withIdentity('{ domainPrefix: acme-dev, callbackUrls: ["https://x.example.com/cb"], federation: { type: saml, name: EntraID } }'), /dev\.identity\.federation\.metadataUrl: give exactly one of metadataUrl \(Okta, Entra ID\) or metadataFile \(Google Workspace\)/],
    ['a SAML metadata file that is not there', withIdentity('{ domainPrefix: acme-dev, callbackUrls: ["https://x.example.com/cb"], federation: { type: saml, name: GoogleWorkspace, metadataFile: missing.xml } }'), /dev\.identity\.federation\.metadataFile: no file at .*missing\.xml/],
    ['a provider named like a built-in one', withIdentity('{ domainPrefix: acme-dev, callbackUrls: ["https://x.example.com/cb"], federation: { type: saml, name: Google, metadataUrl: "https://idp.example.com/m.xml" } }'), /dev\.identity\.federation\.name: must not be one of Cognito's built-in providers/],
    ['an IdP group mapped to something not a role', oidc('issuerUrl: "https://acme.okta.com", clientId: abc, clientSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:x", groups: { attribute: groups, roles: { Support-Leads: owner } }'), /dev\.identity\.federation\.groups\.roles\.Support-Leads: must be a role: admin, author, reviewer, auditor/],
    ['IdP groups without the claim that carries them', oidc('issuerUrl: "https://acme.okta.com", clientId: abc, clientSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:x", groups: { roles: { Admins: admin } }'), /dev\.identity\.federation\.groups\.attribute: is required: the IdP claim or SAML attribute that carries the groups/],
    ['IdP groups mapped to no role at all', oidc('issuerUrl: "https://acme.okta.com", clientId: abc, clientSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:x", groups: { attribute: groups, roles: {} }'), /dev\.identity\.federation\.groups\.roles: must map at least one IdP group to a role/],
    ['an unknown identity key', withIdentity('{ domainPrefix: acme-dev, callbackUrls: ["https://x.example.com/cb"], selfSignUp: true }'), /dev\.identity: Unrecognized key: "selfSignUp"/],
    ['identity on the local stage', 'local: { identity: { domainPrefix: acme-dev, callbackUrls: ["https://x.example.com/cb"] } }\n', /local\.identity is not used: the local stage signs people in with the runtime's own issuer/],
  ])('fails the synth on %s, naming the identity key', (_what, yaml, message) => {
    const stage = yaml.startsWith('local') ? 'local' : 'dev';
    expect(() => synth(stage, yaml)).toThrow(message);
  });

  it('refuses an open webhook (trigger.auth: none) on any stage but local, naming the workflow file', () => {
    const workflows = mkdtempSync(join(tmpdir(), 'open-wf-'));
    const support = readFileSync(join(projectRoot, 'state-machines/workflows/support-reply.yaml'), 'utf8');
    writeFileSync(join(workflows, 'support-reply.yaml'), support.replace('auth: [signature, api-key, zendesk]', 'auth: [none]'));
    const yaml = `dev: { delivery: { SUPPORT_REPLY_URL: "https://x.example.com", SALES_OUTREACH_URL: "https://x.example.com", RFP_RESPONSE_URL: "https://x.example.com" }, identity: { domainPrefix: acme-dev, callbackUrls: ["https://x.example.com/cb"] } }\n`;
    expect(() => buildApp({ stage: 'dev', bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')), stagesFile: stagesFile(yaml), workflowsDir: workflows })).toThrow(
      /support-reply\.yaml: trigger\.auth: none is accepted only by the local stage; stage "dev" needs signed webhooks/,
    );
    // The local stage takes it, and ships no webhook secret for it.
    const local = buildApp({ stage: 'local', bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')), workflowsDir: workflows });
    const template = Template.fromStack(local.stack);
    expect(Object.keys(template.findResources('AWS::SecretsManager::Secret')).filter((id) => id.startsWith('WebhookSecret'))).toEqual([]);
  });

  it('gives each signed workflow its own webhook secret, which only the API may read', () => {
    const { stack } = synth('dev');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'handrail/dev/webhooks/support-reply', GenerateSecretString: { PasswordLength: 44, ExcludePunctuation: true } });
    expect(envOf(template, 'ApiFunction')).toMatchObject({ HANDRAIL_WEBHOOK_SECRET_PREFIX: 'handrail/dev/webhooks/' });
  });

  it('reads a SAML metadata file named relative to the stages file (Google Workspace)', () => {
    const metadata = '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://accounts.google.com/o/saml2?idpid=C0example"/>';
    writeFileSync(join(dir, 'google-idp-metadata.xml'), metadata);
    const yaml = withIdentity('{ domainPrefix: acme-dev, callbackUrls: ["https://x.example.com/cb"], federation: { type: saml, name: GoogleWorkspace, metadataFile: google-idp-metadata.xml } }');
    const template = Template.fromStack(synth('dev', yaml).stack);
    template.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', { ProviderName: 'GoogleWorkspace', ProviderType: 'SAML', ProviderDetails: { MetadataFile: metadata, IDPSignout: false } });
  });

  it('gives the deliver function its targets, the model callers their providers and OpenAI secret, and no one else', () => {
    const template = Template.fromStack(synth('dev').stack); // tests/fixtures/stages/stages.yaml
    // dev declares Zendesk: support-reply's send_reply acts on the ticket there, not on its URL
    expect(envOf(template, 'StepsDeliverFunction')).toMatchObject({
      HANDRAIL_ZENDESK_URL: 'https://acme.zendesk.com',
      HANDRAIL_ZENDESK_EMAIL: 'handrail-bot@acme.example',
      HANDRAIL_ZENDESK_SECRET_ARN: { Ref: expect.stringMatching(/^ZendeskSecret/) },
    });
    expect(envOf(template, 'StepsDeliverFunction')).not.toHaveProperty('SUPPORT_REPLY_URL');
    expect(envOf(Template.fromStack(synth('staging').stack), 'StepsDeliverFunction')).toMatchObject({ SUPPORT_REPLY_URL: 'https://helpdesk-bridge.staging.example.com/handrail/support-reply' });
    expect(envOf(template, 'StepsGenerateFunction')).toMatchObject({
      HANDRAIL_PROVIDERS: 'bedrock,openai,offline',
      HANDRAIL_OPENAI_SECRET_ARN: { Ref: expect.stringMatching(/^OpenAiSecret/) },
      OPENAI_BASE_URL: 'https://api.openai.com/v1',
      HANDRAIL_BEDROCK_REGION: 'us-west-2',
    });
    expect(envOf(template, 'StepsGenerateFunction')).not.toHaveProperty('SUPPORT_REPLY_URL');
    expect(envOf(template, 'StepsDeliverFunction')).not.toHaveProperty('HANDRAIL_OPENAI_SECRET_ARN');
    expect(envOf(template, 'ApiFunction')).not.toHaveProperty('OPENAI_API_KEY');
    expect(envOf(template, 'StepsApprovalFunction')).toMatchObject({ HANDRAIL_EMAIL_FROM: 'approvals@dev.example.com' });
    template.hasOutput('OpenAiSecretArn', {});
  });

  it('keeps the Zendesk API token in a secret only the deliver function reads, and the Zendesk signing secret one only the API reads', () => {
    const template = Template.fromStack(synth('dev').stack);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: { SecretStringTemplate: '{"apiToken":""}' } });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'handrail/dev/webhooks/support-reply.zendesk' });
    template.hasOutput('ZendeskSecretArn', {});
    const holders = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([, fn]) => JSON.stringify(fn.Properties.Environment ?? {}).includes('HANDRAIL_ZENDESK'));
    expect(holders.map(([id]) => id)).toEqual([expect.stringMatching(/^StepsDeliverFunction/)]);
    // staging declares no Zendesk: no token secret
    expect(Object.keys(Template.fromStack(synth('staging').stack).findResources('AWS::SecretsManager::Secret')).filter((id) => id.startsWith('ZendeskSecret'))).toEqual([]);
  });

  it('keeps the HubSpot access token in a secret only the deliver function reads, and the HubSpot client secret one only the API reads', () => {
    const template = Template.fromStack(synth('dev').stack);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: { SecretStringTemplate: '{"accessToken":""}' } });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'handrail/dev/webhooks/sales-outreach.hubspot' });
    template.hasOutput('HubspotSecretArn', {});
    const holders = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([, fn]) => JSON.stringify(fn.Properties.Environment ?? {}).includes('HANDRAIL_HUBSPOT'));
    expect(holders.map(([id]) => id)).toEqual([expect.stringMatching(/^StepsDeliverFunction/)]);
    // dev declares hubspot: sales-outreach logs on the contact there, so it needs no SALES_OUTREACH_URL
    expect(envOf(template, 'StepsDeliverFunction')).not.toHaveProperty('SALES_OUTREACH_URL');
    // staging declares no HubSpot: no token secret, the signed POST instead
    const staging = Template.fromStack(synth('staging').stack);
    expect(Object.keys(staging.findResources('AWS::SecretsManager::Secret')).filter((id) => id.startsWith('HubspotSecret'))).toEqual([]);
    expect(envOf(staging, 'StepsDeliverFunction')).toMatchObject({ SALES_OUTREACH_URL: 'https://crm-bridge.staging.example.com/handrail/sales-outreach' });
  });

  it('refuses a HubSpot URL that is not https in a deployed stage, naming the key', () => {
    const yaml = `dev: { delivery: { SUPPORT_REPLY_URL: "https://x.example.com" }, hubspot: { url: "http://api.hubapi.com" }, identity: { domainPrefix: acme-dev, callbackUrls: ["https://x.example.com/cb"] } }\n`;
    expect(() => synth('dev', yaml)).toThrow(/dev\.hubspot\.url: HubSpot is called over https/);
  });

  it.each([
    ['a Zendesk URL that is not https', 'zendesk: { url: "http://acme.zendesk.com", email: bot@acme.example }', /dev\.zendesk\.url: Zendesk is called over https/],
    ['a Zendesk email that is not one', 'zendesk: { url: "https://acme.zendesk.com", email: bot }', /dev\.zendesk\.email/],
  ])('refuses %s, naming the key', (_case, zendesk, message) => {
    const yaml = `dev: { delivery: { SUPPORT_REPLY_URL: "https://x.example.com", SALES_OUTREACH_URL: "https://x.example.com", RFP_RESPONSE_URL: "https://x.example.com" }, ${zendesk}, identity: { domainPrefix: acme-dev, callbackUrls: ["https://x.example.com/cb"] } }\n`;
    expect(() => synth('dev', yaml)).toThrow(message);
  });

  it('lets the deliver function read the channel credentials only when a workflow delivers to Slack', () => {
    const holders = (template: Template) =>
      Object.entries(template.findResources('AWS::Lambda::Function')).filter(([, fn]) => JSON.stringify(fn.Properties.Environment ?? {}).includes('HANDRAIL_CHANNEL_SECRETS_ARN')).map(([id]) => id);
    const workflows = mkdtempSync(join(tmpdir(), 'slack-wf-'));
    writeFileSync(join(workflows, 'slack-notes.yaml'), readFileSync(join(projectRoot, 'tests/fixtures/workflows/slack-notes.yaml'), 'utf8'));
    const withSlack = Template.fromStack(buildApp({ stage: 'local', bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')), stagesFile: stagesFile('local: {}\n'), workflowsDir: workflows }).stack);
    expect(holders(withSlack).some((id) => id.startsWith('StepsDeliverFunction'))).toBe(true);
    // support-reply alone delivers by webhook or Zendesk: its deliver function gets no channel credentials.
    const without = mkdtempSync(join(tmpdir(), 'no-slack-wf-'));
    writeFileSync(join(without, 'support-reply.yaml'), readFileSync(join(projectRoot, 'state-machines/workflows/support-reply.yaml'), 'utf8'));
    const noSlack = Template.fromStack(buildApp({ stage: 'local', bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')), stagesFile: stagesFile('local: {}\n'), workflowsDir: without }).stack);
    expect(holders(noSlack).some((id) => id.startsWith('StepsDeliverFunction'))).toBe(false);
  });

  it('needs the stage to declare zendesk when a step acts only on Zendesk', () => {
    const workflows = mkdtempSync(join(tmpdir(), 'zendesk-only-wf-'));
    const support = readFileSync(join(projectRoot, 'state-machines/workflows/support-reply.yaml'), 'utf8');
    writeFileSync(join(workflows, 'support-reply.yaml'), support.replace('    urlFromEnv: SUPPORT_REPLY_URL\n', ''));
    const yaml = `dev: { identity: { domainPrefix: acme-dev, callbackUrls: ["https://x.example.com/cb"] } }\n`;
    expect(() => buildApp({ stage: 'dev', bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')), stagesFile: stagesFile(yaml), workflowsDir: workflows })).toThrow(
      /dev\.zendesk is required: workflow support-reply, step send_reply acts only on Zendesk/,
    );
  });

  it('exports the tables for auditors on the schedule the stage declares, daily at 03:00 UTC by default', () => {
    const schedules = (template: Template) => Object.values(template.findResources('AWS::Scheduler::Schedule')).map((s) => s.Properties.ScheduleExpression);
    expect(schedules(Template.fromStack(synth('dev').stack))).toEqual(Array(3).fill('cron(0 3 * * ? *)'));
    const yaml = `dev: { delivery: { SUPPORT_REPLY_URL: "https://x.example.com", SALES_OUTREACH_URL: "https://x.example.com", RFP_RESPONSE_URL: "https://x.example.com" }, identity: { domainPrefix: acme-dev, callbackUrls: ["https://x.example.com/cb"] }, exports: { schedule: "rate(12 hours)" } }\n`;
    expect(schedules(Template.fromStack(synth('dev', yaml).stack))).toEqual(Array(3).fill('rate(12 hours)'));
  });

  it('creates no OpenAI secret for a stage without OpenAI', () => {
    const template = Template.fromStack(synth('staging').stack);
    expect(Object.keys(template.findResources('AWS::SecretsManager::Secret')).some((id) => id.startsWith('OpenAiSecret'))).toBe(false);
    expect(envOf(template, 'StepsGenerateFunction')).toMatchObject({ HANDRAIL_PROVIDERS: 'bedrock,offline' });
  });

  it("needs nothing for the local stage: deliver steps post to the runtime's own sink", () => {
    const template = Template.fromStack(synth('local', 'local: {}\n').stack);
    expect(JSON.stringify(envOf(template, 'StepsDeliverFunction').SUPPORT_REPLY_URL)).toMatch(/HttpApi.*ApiEndpoint.*\/sink\/support-reply/);
    expect(envOf(template, 'StepsGenerateFunction')).toMatchObject({ HANDRAIL_PROVIDERS: 'offline' });
  });
});

describe("stages.yaml's commented example", () => {
  // The lines after "Declare each stage you deploy", uncommented: what a reader copies.
  const example = readFileSync(join(projectRoot, 'stages.yaml'), 'utf8')
    .split(/^# Declare each stage you deploy.*$/m)[1]!
    .split('\n')
    .filter((line) => line.startsWith('#'))
    .map((line) => line.replace(/^# ?/, ''))
    .join('\n');

  it.each(['dev', 'staging', 'prod'])('declares a complete %s stage, identity included', (stage) => {
    const { stack } = synth(stage, example);
    expect(stack.node.tryFindChild('Identity')).toBeDefined();
  });

  it('declares the pipeline that promotes through them', () => {
    expect(loadPipelineConfig(stagesFile(example))).toMatchObject({ order: ['dev', 'staging', 'prod'], approvalBefore: ['prod'], source: { repository: 'acme/handrail', branch: 'main' } });
  });
});
