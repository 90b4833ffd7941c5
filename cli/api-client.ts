/** The CLI talks to a running Handrail (local or deployed) through its HTTP API. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function baseUrl(): string {
  return (process.env.HANDRAIL_URL ?? 'http://localhost:3000').replace(/\/$/, '');
}

export async function api<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${baseUrl()}${path}`, {
      method,
      // HANDRAIL_TOKEN (npx handrail login <user>) signs every call unless the command brings its own.
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(process.env.HANDRAIL_TOKEN ? { authorization: `Bearer ${process.env.HANDRAIL_TOKEN}` } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new CliError(`No Handrail API at ${baseUrl()}: start it with \`npm start\` or set HANDRAIL_URL`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    throw new CliError(`${method} ${path}: HTTP ${res.status} with a non-JSON answer`);
  }
  if (!res.ok) {
    const message = (parsed as { error?: { message?: string } }).error?.message ?? `HTTP ${res.status}`;
    throw new CliError(`${message}`);
  }
  return parsed as T;
}
