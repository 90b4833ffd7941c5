/**
 * A Handrail Lambda function: Node.js 22, one minified ESM file by esbuild with the tested AWS SDK
 * inside, JSON logs with retention, and metadata naming its source module so the local runtime can
 * run the same handler in-process.
 */
import { AssetHashType, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { relative, resolve } from 'node:path';
import { TRACER_ENVIRONMENT } from '../../functions/shared/env-names.js';
import { projectRoot } from '../project-root.js';
import { acknowledge } from './acknowledge.js';

export const ENTRY_METADATA = 'handrail:entry';
export const KIND_METADATA = 'handrail:kind';
/** `-c handrail:sourceMaps=true` ships source maps and turns on `--enable-source-maps` (slower cold starts and errors). */
export const SOURCE_MAPS_CONTEXT = 'handrail:sourceMaps';

/**
 * How every function is bundled (`npm run bundles` measures the result).
 * - `bundleAwsSDK`: the SDK version the tests ran with ships with the code, instead of whichever
 *   one the Lambda runtime carries that day; bundled, it is also tree-shaken and loads as one file.
 * - `minify` with `keepNames`: smaller and faster to parse, while classes keep their names, which
 *   errors take as their `name` (`new.target.name`) and Step Functions' Catch matches on.
 * - No source maps by default: with `--enable-source-maps`, Node loads a bundle's map with the
 *   module and decodes it for the first stack trace (measured on the 5 MB retrieve bundle and its
 *   7 MB map: 70-115 ms for that first trace, against 3 ms without). A trace without maps gives a
 *   line and column in index.mjs and, thanks to `keepNames`, many function names.
 * - `--charset=utf8`: non-ASCII text (validation messages in other languages) stays one to three
 *   bytes a character instead of six-byte `\u` escapes. Passed as an esbuild argument because
 *   aws-cdk-lib (2.276) accepts the `charset` option but never hands it to esbuild.
 * - `cross-fetch` (node-zendesk's fetch) is the runtime's own fetch (functions/shared/runtime-fetch.ts):
 *   its Node build would add node-fetch and whatwg-url's Unicode tables, 300 KB, to the deliver bundle.
 * - `--alias`: the SDK's default credential chain is the one a Lambda function takes, its
 *   environment (functions/shared/lambda-credentials.ts): about 115 KB of STS, SSO and profile
 *   code that never runs on Lambda stays out of every bundle, which makes room for the tracer.
 * - `form-data` (@hubspot/api-client's multipart uploads, which the HubSpot connector never makes) is
 *   the runtime's own FormData (functions/shared/runtime-form-data.ts): form-data would add mime-db,
 *   160 KB.
 */
export const BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node22',
  minify: true,
  keepNames: true,
  sourceMap: false,
  esbuildArgs: {
    '--charset': 'utf8',
    '--alias:cross-fetch': resolve(projectRoot, 'functions/shared/runtime-fetch.ts'),
    '--alias:@aws-sdk/credential-provider-node': resolve(projectRoot, 'functions/shared/lambda-credentials.ts'),
    '--alias:form-data': resolve(projectRoot, 'functions/shared/runtime-form-data.ts'),
  },
  bundleAwsSDK: true,
  mainFields: ['module', 'main'],
  // Some dependencies still call require(); give the ESM bundle one.
  banner: "import { createRequire as __handrailCreateRequire } from 'module'; const require = __handrailCreateRequire(import.meta.url);",
} as const satisfies BundlingOptions;

export interface HandrailFunctionProps {
  /** Source module, relative to the project root, exporting `handler`. */
  readonly entry: string;
  /** What the function is for (a step kind or `api`); read by the local runtime. */
  readonly kind: string;
  readonly environment: Record<string, string>;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  readonly commandHooks?: NonNullable<NodejsFunctionProps['bundling']>['commandHooks'];
  /**
   * How long its log group keeps lines: for a function that serves workflows, derived from their
   * `retention` (infra/log-retention.ts).
   * @default THREE_MONTHS, for functions whose lines mention no workflow's records (sign-in)
   */
  readonly logRetention?: logs.RetentionDays;
}

export class HandrailFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: HandrailFunctionProps) {
    const entry = resolve(projectRoot, props.entry);
    // Without bundling (the local runtime), a fixed hash spares fingerprinting the whole project.
    const unbundled = !Stack.of(scope).bundlingRequired;
    const sourceMaps = String(scope.node.tryGetContext(SOURCE_MAPS_CONTEXT) ?? 'false') === 'true';
    super(scope, id, {
      entry,
      handler: 'handler',
      projectRoot,
      depsLockFilePath: resolve(projectRoot, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      // X-Ray: Lambda samples invocations and runs the daemon; the handlers' Powertools Tracer is on
      // wherever Lambda runs them, off in the local runtime (functions/shared/tracer.ts).
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup: new logs.LogGroup(scope, `${id}Logs`, { retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.RETAIN }),
      environment: { ...(sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}), POWERTOOLS_SERVICE_NAME: 'handrail', ...TRACER_ENVIRONMENT, ...props.environment },
      bundling: {
        ...BUNDLING,
        ...(sourceMaps ? { sourceMap: true, sourcesContent: false } : {}),
        commandHooks: props.commandHooks,
        ...(unbundled ? { assetHash: `unbundled-${props.kind}`, assetHashType: AssetHashType.CUSTOM } : {}),
      },
    });
    const cfn = this.node.defaultChild as lambda.CfnFunction;
    cfn.addMetadata(ENTRY_METADATA, relative(projectRoot, entry));
    cfn.addMetadata(KIND_METADATA, props.kind);
    acknowledge(this, 'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "Lambda's own logging grant (CreateLogGroup, CreateLogStream, PutLogEvents), nothing else; the function writes to its own log group, with retention, encrypted with the stage key");
    acknowledge(this, 'IAM5[Resource::*]',
      'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords) takes no resource; every data grant is held to exactly what the code sends by tests/infra/least-privilege.test.ts');
    acknowledge(this, 'L1', 'Node.js 22 is the runtime the bundles are built for (esbuild target node22) and tested on; moving to a newer one is a deliberate upgrade');
  }
}
