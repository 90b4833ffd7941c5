/**
 * Route selection as an API Gateway HTTP API does it, for route keys such as `GET /runs/{runId}`,
 * `ANY /{proxy+}` and `$default`: the most specific match wins. A path without a greedy variable
 * before one with `{name+}`, both before `$default`; a route for the method before `ANY`; and
 * segment by segment, a literal before a path variable. A request matching no route is API
 * Gateway's 404 (apigw-adapter.ts).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
 */

export interface RouteMatch<R> {
  readonly route: R;
  readonly pathParameters?: Record<string, string>;
}

interface Compiled<R> {
  readonly route: R;
  readonly method: string;
  /** Literal segments, `{name}` or (last) `{name+}`; undefined for `$default`. */
  readonly segments?: readonly string[];
}

const VARIABLE = /^\{([A-Za-z0-9_.-]+)(\+?)\}$/;

function compile<R extends { routeKey: string }>(route: R): Compiled<R> {
  if (route.routeKey === '$default') return { route, method: 'ANY' };
  const match = /^([A-Z]+) (\/.*)$/.exec(route.routeKey);
  if (!match) throw new Error(`Route key "${route.routeKey}" is not "METHOD /path" or $default`);
  const segments = match[2]!.split('/').slice(1);
  segments.forEach((segment, i) => {
    if (VARIABLE.exec(segment)?.[2] && i !== segments.length - 1) throw new Error(`Route key "${route.routeKey}": a greedy path variable must be the last segment`);
  });
  return { route, method: match[1]!, segments };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Path parameters if `path` (split into segments) fits `pattern`, else undefined. */
function fit(pattern: readonly string[], path: readonly string[]): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const variable = VARIABLE.exec(pattern[i]!);
    if (variable?.[2]) {
      const rest = path.slice(i);
      if (!rest.length || rest.every((s) => s === '')) return undefined;
      parameters[variable[1]!] = rest.map(decode).join('/');
      return parameters;
    }
    const segment = path[i];
    if (segment === undefined) return undefined;
    if (variable) {
      if (segment === '') return undefined;
      parameters[variable[1]!] = decode(segment);
    } else if (segment !== pattern[i]) return undefined;
  }
  return path.length === pattern.length ? parameters : undefined;
}

/** Orders two matching routes, most specific first. */
function specificity<R>(a: Compiled<R>, b: Compiled<R>): number {
  const tier = (c: Compiled<R>) => (!c.segments ? 2 : VARIABLE.exec(c.segments.at(-1) ?? '')?.[2] ? 1 : 0);
  if (tier(a) !== tier(b)) return tier(a) - tier(b);
  if ((a.method === 'ANY') !== (b.method === 'ANY')) return a.method === 'ANY' ? 1 : -1;
  const [sa, sb] = [a.segments ?? [], b.segments ?? []];
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
    const [va, vb] = [VARIABLE.test(sa[i]!), VARIABLE.test(sb[i]!)];
    if (va !== vb) return va ? 1 : -1;
  }
  return sb.length - sa.length;
}

/**
 * @example
 * const match = routeMatcher([{ routeKey: 'GET /runs/{runId}' }]);
 * match('GET', '/runs/r-1'); // { route: …, pathParameters: { runId: 'r-1' } }
 */
export function routeMatcher<R extends { routeKey: string }>(routes: readonly R[]): (method: string, rawPath: string) => RouteMatch<R> | undefined {
  const compiled = routes.map(compile);
  return (method, rawPath) => {
    const path = rawPath.split('/').slice(1);
    const candidates = compiled
      .filter((c) => c.method === 'ANY' || c.method === method)
      .map((c) => ({ c, parameters: c.segments ? fit(c.segments, path) : {} }))
      .filter((m): m is { c: Compiled<R>; parameters: Record<string, string> } => m.parameters !== undefined)
      .sort((x, y) => specificity(x.c, y.c));
    const best = candidates[0];
    if (!best) return undefined;
    return { route: best.c.route, ...(Object.keys(best.parameters).length ? { pathParameters: best.parameters } : {}) };
  };
}
