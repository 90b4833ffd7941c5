/**
 * The HTTP API's routes are the app's route table (functions/api/route-table.ts), each guarded as its
 * `access` says: API Gateway's JWT authorizer (the stage's Cognito ID tokens) on the routes only
 * roles other than `reviewer` may call, the app alone everywhere else (infra/constructs/http-api.ts).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type RouteId, type RouteSpec } from '../../functions/api/route-table.js';
import { LOCAL_AUDIENCE, LOCAL_ISSUER_PATH } from '../../functions/auth/local-identity.js';
import { ENV } from '../../functions/shared/env-names.js';
import { buildApp } from '../../infra/app-factory.js';
import { API_ROUTES, gatewayAuthorization, routeKey } from '../../infra/constructs/http-api.js';

const synth = (stage: string) => Template.fromStack(buildApp({ stage, bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) }).stack);
const only = (template: Template, type: string) => {
  const entries = Object.entries(template.findResources(type));
  expect(entries).toHaveLength(1);
  return { id: entries[0]![0], resource: entries[0]![1] };
};
const routesOf = (template: Template) => Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties as { RouteKey: string; AuthorizationType: string; AuthorizerId?: unknown });
const apiEnv = (template: Template) =>
  Object.values(template.findResources('AWS::Lambda::Function')).find((f) => f.Metadata?.['handrail:kind'] === 'api')!.Properties.Environment.Variables as Record<string, unknown>;
const ids = Object.keys(ROUTES) as RouteId[];

let dev: Template;
let local: Template;

beforeAll(() => {
  dev = synth('dev');
  local = synth('local');
});

describe('routes', () => {
  it('derives the route keys from the route table, one per entry', () => {
    expect(API_ROUTES).toEqual(ids.map((id) => `${ROUTES[id].method} ${ROUTES[id].path}`));
    expect(new Set(API_ROUTES).size).toBe(ids.length);
  });

  it.each(ids)('%s has exactly one API Gateway route, guarded as its access says', (id) => {
    const routes = routesOf(dev).filter((r) => r.RouteKey === routeKey(id));
    expect(routes).toHaveLength(1);
    const expected = gatewayAuthorization(ROUTES[id].access) === 'jwt' ? 'JWT' : 'NONE';
    expect({ route: routeKey(id), type: routes[0]!.AuthorizationType }).toEqual({ route: routeKey(id), type: expected });
    if (expected === 'JWT') expect(routes[0]!.AuthorizerId).toEqual({ Ref: only(dev, 'AWS::ApiGatewayV2::Authorizer').id });
    else expect(routes[0]!.AuthorizerId).toBeUndefined();
  });

  it('serves no route the table does not declare', () => {
    expect(routesOf(dev).map((r) => r.RouteKey).sort()).toEqual([...API_ROUTES].sort());
  });

  it('leaves a route to the app alone exactly when a reviewer may call it (personal tokens are not JWTs), or it is not a roles route', () => {
    const byKind = Object.fromEntries(ids.map((id) => [routeKey(id), gatewayAuthorization(ROUTES[id].access)]));
    for (const id of ids) {
      const { access } = ROUTES[id];
      const expected = access.kind !== 'roles' ? 'none' : access.roles.includes('reviewer') ? 'app' : 'jwt';
      expect(byKind[routeKey(id)]).toBe(expected);
    }
    // The table has routes of each kind, so each branch above is exercised.
    expect(new Set(Object.values(byKind))).toEqual(new Set(['jwt', 'app', 'none']));
  });

  it('has no authorizer on the local stage, where the app checks every caller', () => {
    local.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    expect(new Set(routesOf(local).map((r) => r.AuthorizationType))).toEqual(new Set(['NONE']));
    expect(routesOf(local).map((r) => r.RouteKey).sort()).toEqual([...API_ROUTES].sort());
  });
});

describe('JWT authorizer', () => {
  it("checks ID tokens from the Authorization header against the user pool's issuer and the app client", () => {
    const pool = only(dev, 'AWS::Cognito::UserPool').id;
    const client = only(dev, 'AWS::Cognito::UserPoolClient').id;
    dev.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: { 'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: pool }]] },
        Audience: [{ Ref: client }],
      },
    });
  });
});

describe("the API function's identity settings", () => {
  it('accepts ID tokens of the user pool (issuer) for the app client (audience) on a deployed stage', () => {
    const pool = only(dev, 'AWS::Cognito::UserPool').id;
    expect(apiEnv(dev)).toMatchObject({
      [ENV.authIssuer]: { 'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: pool }]] },
      [ENV.authAudience]: { Ref: only(dev, 'AWS::Cognito::UserPoolClient').id },
    });
    // The same issuer the gateway checks.
    expect(apiEnv(dev)[ENV.authIssuer]).toEqual(only(dev, 'AWS::ApiGatewayV2::Authorizer').resource.Properties.JwtConfiguration.Issuer);
    expect(apiEnv(dev)).not.toHaveProperty(ENV.authJwksUrl);
  });

  it("accepts the local runtime's tokens on the local stage", () => {
    expect(apiEnv(local)).toMatchObject({ [ENV.authAudience]: LOCAL_AUDIENCE });
    expect(JSON.stringify(apiEnv(local)[ENV.authIssuer])).toMatch(new RegExp(`HttpApi.*ApiEndpoint.*${LOCAL_ISSUER_PATH}`));
  });

  it('gives the identity settings to the functions that take sign-ins (the API, the console, the knowledge routes) and no other', () => {
    const signedIn = new Set(['api', 'console', 'knowledge']);
    for (const [, fn] of Object.entries(dev.findResources('AWS::Lambda::Function')).filter(([, f]) => f.Metadata?.['handrail:kind'])) {
      const env = fn.Properties.Environment?.Variables ?? {};
      if (signedIn.has(fn.Metadata['handrail:kind'])) expect(env[ENV.authIssuer]).toEqual(apiEnv(dev)[ENV.authIssuer]);
      else expect(Object.keys(env)).not.toContain(ENV.authIssuer);
    }
  });

  it("routes the console's pages to the console function, the knowledge routes to the knowledge function and every other route to the API's", () => {
    const integrations = dev.findResources('AWS::ApiGatewayV2::Integration');
    const targetOf = (routeKey: string) => {
      const route = Object.values(dev.findResources('AWS::ApiGatewayV2::Route')).find((r) => r.Properties.RouteKey === routeKey)!;
      const integrationId = String(route.Properties.Target['Fn::Join'][1][1].Ref);
      return JSON.stringify(integrations[integrationId]!.Properties.IntegrationUri);
    };
    const servedBy = (route: RouteSpec) => (route.access.kind === 'console' ? /ConsoleFunction/ : route.path.startsWith('/knowledge/') ? /KnowledgeFunction/ : /ApiFunction/);
    for (const [id, route] of Object.entries(ROUTES) as [RouteId, RouteSpec][]) expect(targetOf(`${route.method} ${route.path}`), id).toMatch(servedBy(route));
    const knowledge = ids.filter((id) => /KnowledgeFunction/.test(targetOf(routeKey(id))));
    expect(knowledge.sort()).toEqual(['createLabel', 'getDocumentVersion', 'knowledgeHistory', 'listDocuments', 'listLabels', 'putDocument', 'removeDocument', 'restoreDocument', 'versionRuns']);
  });
});
