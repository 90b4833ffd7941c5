/**
 * The credential chain the Lambda bundles ship in place of the SDK's default one
 * (functions/shared/lambda-credentials.ts): the environment Lambda sets, then a container
 * credentials endpoint, and a clear error when there is neither.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultProvider } from '../../../functions/shared/lambda-credentials.js';

const NAMES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_PROFILE'];
const saved = Object.fromEntries(NAMES.map((n) => [n, process.env[n]]));
const only = (env: Record<string, string>) => {
  for (const n of NAMES) delete process.env[n];
  Object.assign(process.env, env);
};
let server: Server | undefined;
afterEach(() => {
  for (const [n, v] of Object.entries(saved)) v === undefined ? delete process.env[n] : (process.env[n] = v);
  server?.close();
  server = undefined;
});

describe('the Lambda bundles’ credential chain', () => {
  it("takes the execution role's credentials from the environment, as Lambda sets them", async () => {
    // Prepare
    only({ AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' });
    // Act
    const credentials = await defaultProvider()();
    // Assess
    expect(credentials).toMatchObject({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' });
  });

  it('asks a container credentials endpoint when the environment names one instead', async () => {
    // Prepare: an endpoint on loopback, as a runtime that serves credentials over HTTP does.
    const expiration = new Date(Date.now() + 3_600_000).toISOString();
    server = createServer((_req, res) => res.end(JSON.stringify({ AccessKeyId: 'ASIACONTAINER', SecretAccessKey: 's', Token: 't', Expiration: expiration })));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    only({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${(server.address() as AddressInfo).port}/creds` });
    // Act
    const credentials = await defaultProvider()();
    // Assess
    expect(credentials).toMatchObject({ accessKeyId: 'ASIACONTAINER', sessionToken: 't' });
    expect(credentials.expiration?.toISOString()).toBe(expiration);
  });

  it('says what is missing when there is neither', async () => {
    only({ AWS_PROFILE: 'laptop' });
    await expect(defaultProvider()()).rejects.toThrow(/No AWS credentials: neither AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY .* nor a container credentials endpoint/);
  });
});
