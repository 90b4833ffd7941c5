/**
 * The HTTP API: API Gateway HTTP API in front of the Hono app's Lambda, with access logs. Its routes
 * are the app's route table (functions/api/route-table.ts), one API Gateway route per entry, so a
 * route cannot be served by one and missing from the other.
 *
 * Who checks the caller (see {@link gatewayAuthorization}): on a deployed stage, API Gateway's JWT
 * authorizer checks the ID token before the Lambda runs on the routes only signed-in roles other
 * than `reviewer` may call; the app verifies every caller again anyway (functions/api/authorize.ts),
 * so local, where there is no gateway, behaves as AWS does.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTES, servedBy, type Access, type RouteFunction, type RouteId } from '../../functions/api/route-table.js';
import { acknowledge } from './acknowledge.js';

/**
 * Where a route's caller is checked:
 * - `jwt`: API Gateway's JWT authorizer (the stage's ID tokens), then the app.
 * - `app`: the app alone. Routes a `reviewer` may call take a reviewer's personal API token too (two
 *   dot-separated parts, signed with the stage's signing secret, not a JWT), which a JWT authorizer
 *   would refuse; a Lambda request authorizer could check both, but would be a second function
 *   doing the app's check again, on every request, for nothing the app does not already do. A
 *   reviewer token carries only the `reviewer` role, so on routes without it the gateway refusing
 *   it changes nothing: the app would refuse it too.
 * - `none`: anyone reaches the app; the route carries its own proof, which the app checks (a signed
 *   link, Slack's signature, the workflow's trigger), or needs none (`public`).
 */
export type GatewayAuthorization = 'jwt' | 'app' | 'none';

export function gatewayAuthorization(access: Access): GatewayAuthorization {
  if (access.kind !== 'roles') return 'none';
  return access.roles.includes('reviewer') ? 'app' : 'jwt';
}

/** Why API Gateway lets a route through to the app without an authorizer (cdk-nag APIG4). */
const NO_GATEWAY_AUTHORIZER: Record<Exclude<Access['kind'], 'roles'> | 'app', string> = {
  public: 'public by design: liveness and the OpenAPI document, which read no data and change nothing',
  link: 'the signed capability link in the path is the credential (one reviewer, one approval, an expiry); the app verifies its HMAC before anything else',
  slack: "Slack's request signature is the credential; the app verifies it (and refuses stale or replayed requests) before anything else",
  webhook: "the workflow's trigger (a SaaS tool) calls it; the app validates the body against the workflow's input schema (caller authentication for webhooks: README, Known limits)",
  'sign-in': "a browser signing in has no credential yet: the app runs the OIDC flow (state, nonce and PKCE, bound to a signed cookie) and checks the sign-out form's Origin",
  console: "a console page carries the browser's session cookie (an ID token the app verifies, then the account's standing and role), which API Gateway's JWT authorizer cannot read from a cookie; without one the app redirects to sign-in",
  app: "a reviewer may call it with a personal API token, which is not a JWT and which API Gateway's JWT authorizer would refuse; the app verifies ID tokens and personal tokens alike on every request",
};

/** `GET /runs/{runId}`: API Gateway's route key for a route of the table. */
export function routeKey(id: RouteId): string {
  return `${ROUTES[id].method} ${ROUTES[id].path}`;
}

/** Every route the Hono app serves, as API Gateway route keys (derived from the route table). */
export const API_ROUTES: readonly string[] = (Object.keys(ROUTES) as RouteId[]).map(routeKey);

export interface HttpApiRoutesProps {
  /** Checks ID tokens on `jwt` routes; without one (the local stage), only the app checks. @default - none */
  readonly authorizer?: apigw.IHttpRouteAuthorizer;
}

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

  /**
   * Routes every entry of the route table to the function that serves it (route-table.ts servedBy:
   * the console's pages to theirs, the knowledge routes to theirs, the rest to the API's). Separate
   * from the constructor: the functions need the API URL.
   */
  addRoutes(functions: Record<RouteFunction, lambda.IFunction>, props: HttpApiRoutesProps = {}): apigw.HttpRoute[] {
    const integrations: Record<RouteFunction, HttpLambdaIntegration> = {
      api: new HttpLambdaIntegration('AppIntegration', functions.api),
      console: new HttpLambdaIntegration('ConsoleIntegration', functions.console),
      knowledge: new HttpLambdaIntegration('KnowledgeIntegration', functions.knowledge),
    };
    return (Object.keys(ROUTES) as RouteId[]).flatMap((id) => {
      const { method, path, access } = ROUTES[id];
      const integration = integrations[servedBy(ROUTES[id])];
      const checkedBy = gatewayAuthorization(access);
      const authorizer = checkedBy === 'jwt' ? props.authorizer : undefined;
      const routes = this.api.addRoutes({ path, methods: [apigw.HttpMethod[method]], integration, ...(authorizer ? { authorizer } : {}) });
      if (!authorizer) {
        const reason = access.kind === 'roles' ? (checkedBy === 'app' ? NO_GATEWAY_AUTHORIZER.app : 'the local stage has no gateway in front of the app, which verifies every caller') : NO_GATEWAY_AUTHORIZER[access.kind];
        for (const route of routes) acknowledge(route, 'APIG4', reason);
      }
      return routes;
    });
  }
}
