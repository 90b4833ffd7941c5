/** The identity behind a request, as the API's access checks see it (functions/api/authorize.ts). */
import type { Role } from './roles.js';

export interface Caller {
  /** The user id: the email in the token (reviewer ids are emails). */
  readonly id: string;
  readonly roles: readonly Role[];
  /** How the caller proved it: an identity provider's token, or a reviewer's personal API token. */
  readonly via: 'id-token' | 'reviewer-token';
  /** The personal token's id, when that is how the caller signed in (it can be revoked). */
  readonly tokenId?: string;
}

export function hasRole(caller: Caller, ...roles: readonly Role[]): boolean {
  return caller.roles.some((r) => roles.includes(r));
}
