/** The token of an `Authorization: Bearer <token>` header, for every route that takes one. */
import { UnauthorizedError } from '../shared/errors.js';

/** The bearer token, or undefined when the header carries none. */
export function bearerOf(header: string | undefined): string | undefined {
  return header?.match(/^Bearer\s+(\S+)$/i)?.[1];
}

/** The bearer token. @throws UnauthorizedError when there is none */
export function bearerToken(header: string | undefined): string {
  const token = bearerOf(header);
  if (!token) throw new UnauthorizedError('Sign in: send "Authorization: Bearer <token>" (locally: npx handrail login <user>)');
  return token;
}
