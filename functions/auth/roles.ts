/**
 * Who may do what, declared once. Roles are groups in the identity provider (Cognito groups on
 * AWS, the reviewer directory's `roles` locally) and reach the API in the token's `cognito:groups`.
 */
export const ROLES = ['admin', 'author', 'reviewer', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  admin: 'everything, including every approval and its review links',
  author: 'workflows and knowledge: reads runs and autonomy figures, reads and writes the knowledge collections they are a writer of',
  reviewer: 'their own approvals: their queue, their review links, their decisions',
  auditor: 'reads runs, approvals, audit, usage and autonomy figures; never decides',
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
