/**
 * The AWS SDK's credential chain as a Lambda function takes it, and only that: the Lambda bundles
 * get this module in place of `@aws-sdk/credential-provider-node` (an esbuild alias, BUNDLING in
 * infra/constructs/handrail-function.ts), the default chain every SDK client imports.
 *
 * Why: Lambda hands a function its execution role's credentials in its environment
 * (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), which is the default chain's
 * first link and the one a Lambda function always takes. The links after it (SSO, profiles of
 * ~/.aws/config, credential processes, web identity token files, EC2 instance metadata) never run
 * there, yet they ship in every bundle with the STS, SSO and SSO-OIDC clients they call: about
 * 115 KB of each function's 1 MB (`npm run bundles`), as much as the X-Ray SDK that tracing adds.
 * What stays: the environment, then a container credentials endpoint
 * (`AWS_CONTAINER_CREDENTIALS_FULL_URI`/`RELATIVE_URI`, where a runtime serves them that way),
 * cached until five minutes before they expire, as the default chain does. Anywhere else (tests,
 * the local runtime, the CLI) nothing changes: they run from source with the SDK's own chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { chain, CredentialsProviderError, memoize } from '@smithy/core/config';
import { ENV_CMDS_FULL_URI, ENV_CMDS_RELATIVE_URI, fromContainerMetadata } from '@smithy/credential-provider-imds';

type Init = Parameters<typeof fromEnv>[0] & Parameters<typeof fromContainerMetadata>[0];
type Provider = ReturnType<typeof fromEnv>;
type AwsCredentialIdentity = Awaited<ReturnType<Provider>>;

const REFRESH_BEFORE_MS = 5 * 60_000;
const expiring = (c: AwsCredentialIdentity) => c.expiration !== undefined && c.expiration.getTime() - Date.now() < REFRESH_BEFORE_MS;
const expires = (c: AwsCredentialIdentity) => c.expiration !== undefined;

/** The function's credentials: from its environment, else from the container endpoint it names. */
export const defaultProvider = (init: Init = {}): Provider =>
  memoize(
    chain(fromEnv(init), async () => {
      if (!process.env[ENV_CMDS_FULL_URI] && !process.env[ENV_CMDS_RELATIVE_URI]) {
        throw new CredentialsProviderError('No AWS credentials: neither AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (Lambda sets them for the execution role) nor a container credentials endpoint is in the environment', { logger: init.logger, tryNextLink: false });
      }
      return fromContainerMetadata(init)();
    }),
    expiring,
    expires,
  );
