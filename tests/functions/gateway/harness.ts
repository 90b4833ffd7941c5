/**
 * Test harness for the gateway: starts a fake Bedrock (h2c) and a fake OpenAI server for the file,
 * points the real SDK clients at them, and records backoff sleeps instead of waiting on them.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { resetProviderHealth } from '../../../functions/gateway/health.js';
import { resetClients } from '../../../functions/shared/aws-clients.js';
import { PASSAGES } from './fixtures.js';
import { chatOk, converseOk, startFakeServer, type FakeServer } from '../../support/fake-model-servers.js';

export interface Harness {
  readonly bedrock: FakeServer;
  readonly openai: FakeServer;
  /** Every delay the gateway asked to sleep, in order; reset before each test. */
  readonly sleeps: number[];
  readonly sleep: (ms: number) => Promise<void>;
}

export const BASE_REQUEST = { system: 'You are a support agent.', prompt: 'How do I reset my password?', passages: PASSAGES };

export function useFakeProviders(): Harness {
  let bedrock: FakeServer | undefined;
  let openai: FakeServer | undefined;
  const sleeps: number[] = [];
  const saved = { ...process.env };

  beforeAll(async () => {
    bedrock = await startFakeServer(converseOk('bedrock default answer [1]'), 'h2c');
    openai = await startFakeServer(chatOk('openai default answer [2]'));
  });
  afterAll(async () => {
    await Promise.all([bedrock?.close(), openai?.close()]);
  });
  beforeEach(() => {
    process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = bedrock!.url;
    process.env.AWS_REGION = 'us-east-1';
    process.env.AWS_ACCESS_KEY_ID = 'fake-key-id';
    process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret';
    process.env.OPENAI_API_KEY = 'sk-fake';
    process.env.OPENAI_BASE_URL = `${openai!.url}/v1`;
    process.env.HANDRAIL_PROVIDERS = 'offline,bedrock,openai';
    // bedrockClient() caches its client; drop it so it picks up this file's endpoint.
    resetClients();
    // Cooldowns are process-wide: one test's failures must not take a model out of the next test.
    resetProviderHealth();
    bedrock!.requests.length = 0;
    openai!.requests.length = 0;
    sleeps.length = 0;
  });
  afterEach(() => {
    process.env = { ...saved };
    resetClients();
  });

  return {
    get bedrock() {
      return bedrock!;
    },
    get openai() {
      return openai!;
    },
    sleeps,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
  };
}
