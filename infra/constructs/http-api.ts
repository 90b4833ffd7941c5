/** The HTTP API: API Gateway HTTP API in front of the Hono app's Lambda, with access logs. */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Every route the Hono app serves (functions/api/app.ts); tests keep the two in step. */
export const API_ROUTES = [
  'GET /health',
  'GET /autonomy',
  'POST /webhooks/{workflowId}',
  'GET /runs',
  'GET /runs/{runId}',
  'GET /approvals',
  'GET /approvals/{approvalId}',
  'POST /approvals/{approvalId}/decision',
  'POST /approvals/{approvalId}/items/{itemId}/decision',
  'GET /review/{token}',
  'POST /review/{token}',
  'GET /inbox/{token}',
  'POST /slack/interactions',
  'GET /knowledge/{collection}/documents',
  'POST /knowledge/{collection}/documents',
  'GET /usage',
] as const;

export class HandrailHttpApi extends Construct {
  readonly api: apigw.HttpApi;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.api = new apigw.HttpApi(this, 'Api', { description: 'Handrail webhooks, runs, approvals and review pages', createDefaultStage: false });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    const stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: { destination: new apigw.LogGroupLogDestination(accessLogs) },
      throttle: { rateLimit: 200, burstLimit: 400 },
    });
    void stage;
  }

  /** Routes every API path to `handler`. Separate from the constructor: the handler needs the API URL. */
  addRoutes(handler: lambda.IFunction): void {
    const integration = new HttpLambdaIntegration('AppIntegration', handler);
    for (const route of API_ROUTES) {
      const [method, path] = route.split(' ') as [keyof typeof apigw.HttpMethod, string];
      this.api.addRoutes({ path, methods: [apigw.HttpMethod[method]], integration });
    }
  }
}
