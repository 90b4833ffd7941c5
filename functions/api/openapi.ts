/**
 * The OpenAPI 3.1 document of the HTTP API, derived from the route table: paths, parameters,
 * request schemas (zod → JSON Schema), and each route's security with the roles it takes.
 */
import * as z from 'zod';
import { ROLE_DESCRIPTIONS } from '../auth/roles.js';
import { ROUTES, type Access, type RouteSpec } from './route-table.js';

const SECURITY_SCHEMES = {
  idToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: "An ID token from the stage's identity provider (Cognito; locally `npx handrail login <user>`); roles are its cognito:groups." },
  reviewerToken: { type: 'http', scheme: 'bearer', description: "A reviewer's personal API token (`npx handrail reviewers token <reviewer>`): the reviewer role for that reviewer." },
  slackSignature: { type: 'apiKey', in: 'header', name: 'X-Slack-Signature', description: "Slack's v0 request signature (with X-Slack-Request-Timestamp)." },
} as const;

const WHO: Record<Exclude<Access['kind'], 'roles'>, string> = {
  public: 'Anyone.',
  link: 'The holder of a signed review or inbox link (in the path): one reviewer, one approval, an expiry.',
  slack: 'Slack, proved by its request signature.',
  webhook: "The workflow's trigger (a SaaS tool posting the run's input).",
  'sign-in': "Anyone's browser, signing in with the stage's identity provider (authorization code, PKCE, state, nonce) or out (Origin checked).",
  console: "A browser signed in with the stage's identity provider (the session cookie, never a bearer token); without a session it is redirected to sign in.",
};

function security(access: Access) {
  if (access.kind === 'roles') return [{ idToken: [] }, ...(access.roles.includes('reviewer') ? [{ reviewerToken: [] }] : [])];
  if (access.kind === 'slack') return [{ slackSignature: [] }];
  return [];
}

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function operation(id: string, route: RouteSpec) {
  const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  const query = route.query ? (jsonSchema(route.query) as { properties?: Record<string, unknown>; required?: string[] }) : undefined;
  const queryParams = Object.entries(query?.properties ?? {}).map(([name, schema]) => ({ name, in: 'query', required: query?.required?.includes(name) ?? false, schema }));
  const body =
    route.body === 'workflow-input'
      ? { required: true, content: { 'application/json': { schema: { type: 'object', description: "The workflow's declared input (its `input:` section)" } } } }
      : route.body
        ? { required: true, content: { 'application/json': { schema: jsonSchema(route.body) } } }
        : route.form
          ? { required: true, content: { 'application/x-www-form-urlencoded': { schema: jsonSchema(route.form) } } }
          : undefined;
  const who =
    route.access.kind === 'roles'
      ? `Signed in with the role ${route.access.roles.join(' or ')}.`
      : route.access.kind === 'console'
        ? `${WHO.console} Role ${route.access.roles.join(' or ')}.`
        : WHO[route.access.kind];
  return {
    operationId: id,
    summary: route.summary,
    description: `Who may call it: ${who}`,
    security: security(route.access),
    ...(route.access.kind === 'roles' ? { 'x-handrail-roles': route.access.roles } : {}),
    parameters: [...pathParams, ...queryParams],
    ...(body ? { requestBody: body } : {}),
    responses: {
      [route.method === 'POST' && id === 'startRun' ? '202' : '200']: { description: 'OK', content: { [route.html ? 'text/html' : 'application/json']: {} } },
      '400': { description: 'The request is not valid; the message names the field' },
      ...(route.access.kind === 'public' ? {} : { '401': { description: 'No valid credentials' }, '403': { description: 'Not allowed for this caller' } }),
      '404': { description: 'Not found' },
      ...(body ? { '413': { description: 'The body is over its limit (the message states it)' } } : {}),
      // Every caller is limited (functions/api/throttle.ts), public routes by source address.
      '429': { description: "Over this caller's request limit; the error names the limit", headers: { 'Retry-After': { description: 'Seconds until the window reopens', schema: { type: 'integer' } } } },
    },
  };
}

export function openApiDocument(serverUrl?: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [id, route] of Object.entries(ROUTES) as [string, RouteSpec][]) (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(id, route);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Handrail API',
      version: '1',
      description: `Roles: ${Object.entries(ROLE_DESCRIPTIONS).map(([role, what]) => `${role} (${what})`).join('; ')}.`,
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    components: { securitySchemes: SECURITY_SCHEMES },
    paths,
  };
}
