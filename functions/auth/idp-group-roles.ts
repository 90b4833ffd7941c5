/**
 * Roles from the company identity provider's groups. On a federated sign-in, Cognito copies the
 * IdP's groups claim (OIDC) or attribute (SAML) into the user's custom attribute
 * `custom:idp_groups` (infra/constructs/identity.ts); the pre token generation trigger
 * (pre-token-generation.ts) turns the groups the stage maps (stages.yaml
 * `identity.federation.groups.roles`) into roles. Cognito stores the value as text: one group as
 * itself (`Handrail-Admins`), several as a bracketed list without quotes (`[Handrail-Admins,
 * Support-Leads]`); a JSON array (`["a","b"]`) is read too.
 *
 * @example
 * rolesForGroups(idpGroupsOf('[Handrail-Admins, Everyone]'), { 'Handrail-Admins': 'admin' }) // ['admin']
 */
import * as z from 'zod';
import { ROLES, type Role } from './roles.js';

/** The user pool's custom attribute the IdP's groups are mapped into (`custom:` + this). */
export const IDP_GROUPS_ATTRIBUTE = 'idp_groups';
/** Its name in the user's attributes and the trigger event. */
export const IDP_GROUPS_USER_ATTRIBUTE = `custom:${IDP_GROUPS_ATTRIBUTE}`;
/** Cognito's longest custom string attribute. */
export const IDP_GROUPS_MAX_LENGTH = 2048;

/** IdP group name → Handrail role, as stages.yaml declares it and the trigger reads it back. */
export const groupRolesSchema = z.record(
  z.string().trim().min(1, 'a group name must not be empty').max(256, 'a group name has at most 256 characters'),
  z.enum(ROLES, { error: `must be a role: ${ROLES.join(', ')}` }),
);
export type GroupRoles = z.infer<typeof groupRolesSchema>;

const jsonList = z.array(z.string());

/** The group names in the attribute's text (none for a missing or empty value). */
export function idpGroupsOf(value: string | undefined): string[] {
  const text = value?.trim() ?? '';
  if (!text) return [];
  if (text.startsWith('[') && text.endsWith(']')) {
    try {
      const parsed = jsonList.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data.map((g) => g.trim()).filter(Boolean);
    } catch {
      // Cognito's own form: [a, b] without quotes.
    }
    return text
      .slice(1, -1)
      .split(',')
      .map((g) => g.trim())
      .filter(Boolean);
  }
  return [text];
}

/** The roles `groups` are mapped to, each once, in the order of ROLES; unmapped groups grant nothing. */
export function rolesForGroups(groups: readonly string[], mapping: GroupRoles): Role[] {
  const granted = new Set(groups.map((g) => mapping[g]).filter((r): r is Role => r !== undefined));
  return ROLES.filter((r) => granted.has(r));
}
