/**
 * The stage configuration (stages.yaml): validated at synth with the key to fix named, and what it
 * declares reaches exactly the functions that read it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app-factory.js';

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
    ['a workflow target without its URL', 'dev: { providers: [offline] }\n', /dev\.delivery\.SUPPORT_REPLY_URL is required: workflow support-reply, step send_reply delivers to it/],
    ['a malformed URL', 'dev: { delivery: { SUPPORT_REPLY_URL: not-a-url } }\n', /dev\.delivery\.SUPPORT_REPLY_URL: Invalid URL/],
    ['an unknown provider', 'dev: { providers: [gemini], delivery: { SUPPORT_REPLY_URL: "https://x.example.com" } }\n', /dev\.providers\.0: Invalid option/],
    ['an unknown key', 'dev: { delivery: { SUPPORT_REPLY_URL: "https://x.example.com" }, webhooks: 1 }\n', /dev: Unrecognized key: "webhooks"/],
    ['openai settings without the provider', 'dev: { openai: {}, delivery: { SUPPORT_REPLY_URL: "https://x.example.com" } }\n', /dev\.openai is set but dev\.providers does not include openai/],
  ])('fails the synth on %s, naming the key', (_what, yaml, message) => {
    expect(() => synth('dev', yaml)).toThrow(message);
  });

  it('gives the deliver function its targets, the model callers their providers and OpenAI secret, and no one else', () => {
    const template = Template.fromStack(synth('dev').stack); // tests/fixtures/stages/stages.yaml
    expect(envOf(template, 'StepsDeliverFunction')).toMatchObject({ SUPPORT_REPLY_URL: 'https://helpdesk-bridge.dev.example.com/handrail/support-reply' });
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
