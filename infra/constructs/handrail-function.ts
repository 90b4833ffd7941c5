/**
 * A Handrail Lambda function: Node.js 22, ESM bundle by esbuild, JSON logs with retention, and
 * metadata naming its source module so the local runtime can run the same handler in-process.
 */
import { AssetHashType, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { relative, resolve } from 'node:path';
import { projectRoot } from '../project-root.js';

export const ENTRY_METADATA = 'handrail:entry';
export const KIND_METADATA = 'handrail:kind';

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
}

export class HandrailFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: HandrailFunctionProps) {
    const entry = resolve(projectRoot, props.entry);
    // Without bundling (the local runtime), a fixed hash spares fingerprinting the whole project.
    const unbundled = !Stack.of(scope).bundlingRequired;
    super(scope, id, {
      entry,
      handler: 'handler',
      projectRoot,
      depsLockFilePath: resolve(projectRoot, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup: new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.RETAIN }),
      environment: { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'handrail', ...props.environment },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        sourceMap: true,
        mainFields: ['module', 'main'],
        // Some dependencies still call require(); give the ESM bundle one.
        banner: "import { createRequire as __handrailCreateRequire } from 'module'; const require = __handrailCreateRequire(import.meta.url);",
        externalModules: ['@aws-sdk/*'],
        commandHooks: props.commandHooks,
        ...(unbundled ? { assetHash: `unbundled-${props.kind}`, assetHashType: AssetHashType.CUSTOM } : {}),
      },
    });
    const cfn = this.node.defaultChild as lambda.CfnFunction;
    cfn.addMetadata(ENTRY_METADATA, relative(projectRoot, entry));
    cfn.addMetadata(KIND_METADATA, props.kind);
  }
}
