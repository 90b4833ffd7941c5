/**
 * Reads what the local runtime needs out of the synthesized CloudFormation template: tables,
 * the knowledge bucket, functions (with their source module and environment) and state
 * machines (with their ASL). Intrinsics are resolved to local names by `resolve`.
 */
import { ENTRY_METADATA, KIND_METADATA } from '../infra/constructs/handrail-function.js';
import { RELEASE_METADATA } from '../infra/constructs/governed-workflow.js';
import type { Release } from '../state-machines/release.js';

type Resource = { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> };
export interface CfnTemplate {
  Resources: Record<string, Resource>;
}

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';

export interface LocalTable {
  readonly logicalId: string;
  readonly name: string;
  readonly properties: Record<string, unknown>;
}

export interface LocalFunction {
  readonly logicalId: string;
  readonly arn: string;
  readonly entry: string;
  readonly kind: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  readonly environment: Record<string, string>;
  /** Environment variables whose value has no local meaning (left out of `environment`). */
  readonly unresolved: string[];
  /** `file.export`, e.g. `index.handler`. */
  readonly handler: string;
  /** e.g. `nodejs22.x` */
  readonly runtime: string;
  /** The content hash of the function's bundled asset (`asset.<hash>` in the synthesized app), if it was bundled. */
  readonly assetHash?: string;
  /** `JSON` or `Text` (LoggingConfig.LogFormat). */
  readonly logFormat?: string;
}

export interface LocalSchedule {
  readonly ruleId: string;
  readonly everyMs: number;
  readonly functionArn: string;
  /** The target's constant input (`Input`): what EventBridge sends instead of the event, when set. */
  readonly input?: unknown;
}

export interface LocalEventRule {
  readonly ruleId: string;
  readonly pattern: Record<string, unknown>;
  readonly functionArns: string[];
}

export interface LocalSecret {
  readonly logicalId: string;
  readonly arn: string;
  readonly name: string;
  readonly properties: Record<string, unknown>;
}

/** An SES receipt rule (AWS::SES::ReceiptRule) with an S3 action and the Lambda action after it. */
export interface LocalReceiptRule {
  readonly ruleId: string;
  /** Addresses, or domains (every address at it), the rule receives for. */
  readonly recipients: string[];
  readonly bucket: string;
  readonly prefix: string;
  readonly functionArn: string;
}

/** An HTTP API route (AWS::ApiGatewayV2::Route) and the function its integration invokes. */
export interface LocalHttpRoute {
  /** e.g. `POST /webhooks/{workflowId}`, `ANY /{proxy+}` or `$default` */
  readonly routeKey: string;
  readonly functionArn: string;
  readonly payloadFormatVersion: string;
}

export interface LocalStateMachine {
  readonly logicalId: string;
  readonly name: string;
  readonly definition: string;
}

export function localFunctionArn(logicalId: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${logicalId}`;
}

/** What `Ref` returns for a secret: its ARN (named after the logical id locally). */
export function localSecretArn(logicalId: string): string {
  return `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:${logicalId}`;
}

/** Local names: the logical id, lowercased for buckets (S3 naming rules). */
function localName(resource: Resource, logicalId: string): string {
  return resource.Type === 'AWS::S3::Bucket' ? logicalId.toLowerCase() : logicalId;
}

export interface LocalStateMachineVersion {
  readonly logicalId: string;
  readonly stateMachineArn: string;
  readonly description?: string;
}

export interface LocalStateMachineAlias {
  readonly logicalId: string;
  readonly name: string;
  readonly description?: string;
  /** The version it is deployed to. */
  readonly versionLogicalId: string;
  readonly type: 'ALL_AT_ONCE' | 'CANARY' | 'LINEAR';
  readonly percentage?: number;
  readonly intervalMinutes?: number;
  /** The logical ids of the alarms that roll the deployment back. */
  readonly alarms: string[];
}

export class TemplateReader {
  constructor(
    private readonly template: CfnTemplate,
    /** Values for attributes only known at run time, e.g. `{ 'HttpApiF5A9A8A7.ApiEndpoint': url }`. */
    private readonly attributes: (logicalId: string, attribute: string) => string | undefined = () => undefined,
  ) {}

  private ofType(type: string): [string, Resource][] {
    return Object.entries(this.template.Resources).filter(([, r]) => r.Type === type);
  }

  /** Resolves Ref, Fn::GetAtt, Fn::Join and Fn::Sub-free pseudo parameters to local values. */
  resolve(value: unknown): string {
    if (typeof value === 'string') return value;
    if (value && typeof value === 'object') {
      const v = value as Record<string, unknown>;
      if ('Ref' in v) {
        const ref = String(v.Ref);
        if (ref === 'AWS::Region') return LOCAL_REGION;
        if (ref === 'AWS::AccountId') return LOCAL_ACCOUNT;
        if (ref === 'AWS::Partition') return 'aws';
        if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
        const resource = this.template.Resources[ref];
        if (!resource) throw new Error(`Template Ref to unknown resource ${ref}`);
        if (resource.Type === 'AWS::Lambda::Function') return ref;
        if (resource.Type === 'AWS::SecretsManager::Secret') return localSecretArn(ref);
        if (resource.Type === 'AWS::StepFunctions::StateMachine') {
          return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${this.resolve(resource.Properties?.StateMachineName ?? ref)}`;
        }
        return localName(resource, ref);
      }
      if ('Fn::GetAtt' in v) {
        const [id, attr] = v['Fn::GetAtt'] as [string, string];
        const known = this.attributes(id, attr);
        if (known !== undefined) return known;
        const resource = this.template.Resources[id];
        if (resource?.Type === 'AWS::Lambda::Function' && attr === 'Arn') return localFunctionArn(id);
        if (resource && attr === 'Arn') return `arn:aws:local:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${localName(resource, id)}`;
        throw new Error(`Template attribute ${id}.${attr} has no local value`);
      }
      if ('Fn::Join' in v) {
        const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
        return parts.map((p) => this.resolve(p)).join(sep);
      }
    }
    throw new Error(`Cannot resolve template value ${JSON.stringify(value).slice(0, 200)}`);
  }

  tables(): LocalTable[] {
    return this.ofType('AWS::DynamoDB::Table').map(([logicalId, r]) => ({ logicalId, name: logicalId, properties: r.Properties ?? {} }));
  }

  buckets(): string[] {
    return this.ofType('AWS::S3::Bucket').map(([id, r]) => localName(r, id));
  }

  /** The receipt rules that store a message in a bucket and then invoke a function (infra/constructs/inbound-email.ts). */
  receiptRules(): LocalReceiptRule[] {
    return this.ofType('AWS::SES::ReceiptRule').flatMap(([ruleId, r]) => {
      const rule = (r.Properties?.Rule ?? {}) as { Recipients?: unknown[]; Enabled?: boolean; Actions?: { S3Action?: Record<string, unknown>; LambdaAction?: Record<string, unknown> }[] };
      const store = rule.Actions?.find((a) => a.S3Action)?.S3Action;
      const invoke = rule.Actions?.find((a) => a.LambdaAction)?.LambdaAction;
      if (rule.Enabled === false || !store || !invoke) return [];
      const bucketRef = store.BucketName as { Ref?: string } | string;
      const bucket = typeof bucketRef === 'object' && bucketRef.Ref ? localName(this.template.Resources[bucketRef.Ref]!, bucketRef.Ref) : this.resolve(bucketRef);
      return [{ ruleId, recipients: (rule.Recipients ?? []).map((x) => this.resolve(x).toLowerCase()), bucket, prefix: store.ObjectKeyPrefix === undefined ? '' : this.resolve(store.ObjectKeyPrefix), functionArn: this.resolve(invoke.FunctionArn) }];
    });
  }

  functions(): LocalFunction[] {
    return this.ofType('AWS::Lambda::Function')
      .filter(([, r]) => r.Metadata?.[ENTRY_METADATA])
      .map(([logicalId, r]) => {
        const props = r.Properties ?? {};
        const vars = ((props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
        const environment: Record<string, string> = {};
        const unresolved: string[] = [];
        for (const [name, value] of Object.entries(vars)) {
          try {
            environment[name] = this.resolve(value);
          } catch {
            // Values with no local meaning are replaced by the in-process runtime; the bundle host refuses them.
            unresolved.push(name);
          }
        }
        const s3Key = String((props.Code as { S3Key?: unknown } | undefined)?.S3Key ?? '');
        const logFormat = (props.LoggingConfig as { LogFormat?: string } | undefined)?.LogFormat;
        return {
          logicalId,
          arn: localFunctionArn(logicalId),
          entry: String(r.Metadata![ENTRY_METADATA]),
          kind: String(r.Metadata![KIND_METADATA]),
          timeoutSeconds: Number(props.Timeout ?? 3),
          memorySize: Number(props.MemorySize ?? 128),
          environment,
          unresolved,
          handler: String(props.Handler ?? 'index.handler'),
          runtime: String(props.Runtime ?? ''),
          ...(/^[0-9a-f]{64}\.zip$/.test(s3Key) ? { assetHash: s3Key.slice(0, 64) } : {}),
          ...(logFormat ? { logFormat } : {}),
        };
      });
  }

  /** The release each state machine is tagged with (its manifest, in the template's metadata). */
  releases(): Release[] {
    return this.ofType('AWS::StepFunctions::StateMachine').flatMap(([, r]) => (r.Metadata?.[RELEASE_METADATA] ? [r.Metadata[RELEASE_METADATA] as Release] : []));
  }

  /** The state machine versions the template publishes: whose, and the description (the release id). */
  stateMachineVersions(): LocalStateMachineVersion[] {
    return this.ofType('AWS::StepFunctions::StateMachineVersion').map(([logicalId, r]) => ({
      logicalId,
      stateMachineArn: this.resolve(r.Properties?.StateMachineArn),
      description: r.Properties?.Description === undefined ? undefined : this.resolve(r.Properties.Description),
    }));
  }

  /** The aliases, each deployed to one of the template's versions as its DeploymentPreference says. */
  stateMachineAliases(): LocalStateMachineAlias[] {
    return this.ofType('AWS::StepFunctions::StateMachineAlias').map(([logicalId, r]) => {
      const props = r.Properties ?? {};
      const preference = props.DeploymentPreference as Record<string, unknown> | undefined;
      if (!preference) throw new Error(`Alias ${logicalId}: only aliases with a DeploymentPreference are deployed locally`);
      const target = preference.StateMachineVersionArn as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
      const versionLogicalId = target?.Ref ?? target?.['Fn::GetAtt']?.[0];
      if (!versionLogicalId || this.template.Resources[versionLogicalId]?.Type !== 'AWS::StepFunctions::StateMachineVersion') {
        throw new Error(`Alias ${logicalId}: DeploymentPreference.StateMachineVersionArn must name a version of this template`);
      }
      return {
        logicalId,
        name: this.resolve(props.Name),
        description: props.Description === undefined ? undefined : this.resolve(props.Description),
        versionLogicalId,
        type: this.resolve(preference.Type) as LocalStateMachineAlias['type'],
        percentage: preference.Percentage === undefined ? undefined : Number(preference.Percentage),
        intervalMinutes: preference.Interval === undefined ? undefined : Number(preference.Interval),
        alarms: ((preference.Alarms ?? []) as unknown[]).map((a) => (a && typeof a === 'object' && 'Ref' in a ? String((a as { Ref: string }).Ref) : this.resolve(a))),
      };
    });
  }

  /** EventBridge schedules (`rate(...)`) and the local functions they invoke. */
  schedules(): LocalSchedule[] {
    return this.ofType('AWS::Events::Rule').flatMap(([logicalId, r]) => {
      const props = r.Properties ?? {};
      const rate = String(props.ScheduleExpression ?? '').match(/^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/);
      if (!rate || props.State === 'DISABLED') return [];
      const unitMs = { minute: 60_000, minutes: 60_000, hour: 3_600_000, hours: 3_600_000, day: 86_400_000, days: 86_400_000 }[rate[2]!]!;
      const targets = (props.Targets ?? []) as { Arn: unknown; Input?: string }[];
      return targets.map((t) => ({ ruleId: logicalId, everyMs: Number(rate[1]) * unitMs, functionArn: this.resolve(t.Arn), ...(t.Input !== undefined ? { input: JSON.parse(t.Input) } : {}) }));
    });
  }

  /** EventBridge rules that match events (`EventPattern`), resolved, and the local functions they invoke. */
  eventRules(): LocalEventRule[] {
    return this.ofType('AWS::Events::Rule').flatMap(([logicalId, r]) => {
      const props = r.Properties ?? {};
      if (!props.EventPattern || props.State === 'DISABLED') return [];
      const targets = (props.Targets ?? []) as { Arn: unknown }[];
      return [{ ruleId: logicalId, pattern: this.resolveDeep(props.EventPattern) as Record<string, unknown>, functionArns: targets.map((t) => this.resolve(t.Arn)) }];
    });
  }

  private resolveDeep(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolveDeep(v));
    if (value && typeof value === 'object') {
      const keys = Object.keys(value);
      if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) return this.resolve(value);
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolveDeep(v)]));
    }
    return value;
  }

  secrets(): LocalSecret[] {
    return this.ofType('AWS::SecretsManager::Secret').map(([logicalId, r]) => ({
      logicalId,
      arn: localSecretArn(logicalId),
      name: r.Properties?.Name === undefined ? logicalId : this.resolve(r.Properties.Name),
      properties: r.Properties ?? {},
    }));
  }

  /** The HTTP API's routes, each with the function its Lambda proxy integration invokes. */
  httpRoutes(): LocalHttpRoute[] {
    return this.ofType('AWS::ApiGatewayV2::Route').map(([logicalId, r]) => {
      const props = r.Properties ?? {};
      const target = /^integrations\/(.+)$/.exec(this.resolve(props.Target));
      const integration = target ? this.template.Resources[target[1]!] : undefined;
      if (integration?.Type !== 'AWS::ApiGatewayV2::Integration' || integration.Properties?.IntegrationType !== 'AWS_PROXY') {
        throw new Error(`Route ${logicalId} (${String(props.RouteKey)}) has no Lambda proxy integration the local API can invoke`);
      }
      return {
        routeKey: this.resolve(props.RouteKey),
        functionArn: this.resolve(integration.Properties.IntegrationUri),
        payloadFormatVersion: String(integration.Properties.PayloadFormatVersion ?? '1.0'),
      };
    });
  }

  stateMachines(): LocalStateMachine[] {
    return this.ofType('AWS::StepFunctions::StateMachine').map(([logicalId, r]) => {
      const props = r.Properties ?? {};
      const substitutions = Object.fromEntries(
        Object.entries((props.DefinitionSubstitutions ?? {}) as Record<string, unknown>).map(([k, v]) => [k, this.resolve(v)]),
      );
      const raw = this.resolve(props.DefinitionString);
      // The same substitution CloudFormation performs for DefinitionSubstitutions.
      const definition = raw.replace(/\$\{([A-Za-z0-9_]+)\}/g, (m, key: string) => substitutions[key] ?? m);
      return { logicalId, name: this.resolve(props.StateMachineName ?? logicalId), definition };
    });
  }
}
