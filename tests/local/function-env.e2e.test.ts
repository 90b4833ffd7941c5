/**
 * Local = per function: inside an invocation, a handler sees only the variables its own template
 * function declares (and the platform's), so one that reads a variable its function does not have
 * gets undefined locally exactly as on Lambda, though every function shares this process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime.js';
import { client, startTestRuntime } from '../support/local-runtime.js';

let rt: LocalRuntime;
beforeAll(async () => {
  process.env.OPENAI_API_KEY = 'sk-exported-by-the-developer';
  rt = await startTestRuntime();
});
afterAll(async () => {
  delete process.env.OPENAI_API_KEY;
  await rt?.stop();
});

const arnOf = (kind: string) => {
  const [logicalId] = Object.entries(rt.template.Resources).find(([, r]) => r.Metadata?.['handrail:kind'] === kind)!;
  return `arn:aws:lambda:us-east-1:000000000000:function:${logicalId}`;
};
/** What `names` read as inside an invocation of the `kind` function. */
const seenBy = (kind: string, ...names: string[]) => rt.lambdas.asInvocation(arnOf(kind), async () => Object.fromEntries(names.map((n) => [n, process.env[n]])));

describe('each function reads only its own environment', () => {
  it('gives the deliver function its targets and the delivery key, and nothing of the others (not the signing secret)', async () => {
    const env = await seenBy('deliver', 'SUPPORT_REPLY_URL', 'HANDRAIL_DELIVERY_SECRET', 'HANDRAIL_SIGNING_SECRET', 'HANDRAIL_RUNS_TABLE', 'HANDRAIL_STATE_MACHINE_PREFIX', 'HANDRAIL_PROVIDERS', 'AWS_REGION');
    expect(env).toMatchObject({ SUPPORT_REPLY_URL: `${rt.url}/sink/support-reply`, HANDRAIL_DELIVERY_SECRET: rt.deliverySecret, AWS_REGION: 'us-east-1' });
    expect(env.HANDRAIL_SIGNING_SECRET).toBeUndefined(); // review links are none of a receiver's business
    expect(env.HANDRAIL_RUNS_TABLE).toBeTruthy();
    expect(env.HANDRAIL_STATE_MACHINE_PREFIX).toBeUndefined(); // the API's
  });

  it('hides what a function does not declare: a model caller has no delivery target, no signing secret and, without OpenAI in its stage, no OpenAI key', async () => {
    const env = await seenBy('generate', 'SUPPORT_REPLY_URL', 'HANDRAIL_SIGNING_SECRET', 'HANDRAIL_DELIVERY_SECRET', 'OPENAI_API_KEY', 'HANDRAIL_PROVIDERS');
    expect(env).toEqual({ SUPPORT_REPLY_URL: undefined, HANDRAIL_SIGNING_SECRET: undefined, HANDRAIL_DELIVERY_SECRET: undefined, OPENAI_API_KEY: undefined, HANDRAIL_PROVIDERS: 'offline' });
    expect(await rt.lambdas.asInvocation(arnOf('generate'), async () => Object.keys(process.env).includes('SUPPORT_REPLY_URL'))).toBe(false);
  });

  it('serves each HTTP route as the function the template routes it to: the knowledge routes as the knowledge function, which alone sees the knowledge store', async () => {
    const store = ['HANDRAIL_KNOWLEDGE_TABLE', 'HANDRAIL_KNOWLEDGE_BUCKET', 'HANDRAIL_COLLECTIONS_FILE'];
    expect(Object.values(await seenBy('api', ...store))).toEqual([undefined, undefined, undefined]);
    expect(Object.values(await seenBy('knowledge', ...store)).every(Boolean)).toBe(true);
    // Served as the API function, the route would find no knowledge table.
    const listed = await client(rt).get('/knowledge/support/documents');
    expect(listed.status).toBe(200);
    expect(listed.body.documents.length).toBeGreaterThan(0);
  });

  it('lets the API start executions and read the channel credentials, and the runtime itself see everything', async () => {
    expect(await seenBy('api', 'HANDRAIL_STATE_MACHINE_PREFIX', 'HANDRAIL_SIGNING_SECRET')).toMatchObject({ HANDRAIL_STATE_MACHINE_PREFIX: expect.stringContaining(':stateMachine:') });
    expect(process.env.OPENAI_API_KEY).toBe('sk-exported-by-the-developer'); // outside any invocation
  });
});
