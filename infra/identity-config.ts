/**
 * A deployed stage's identity settings (stages.yaml, `<stage>.identity`): the Cognito user pool's
 * Hosted UI domain, where it may send people back to, MFA and threat protection for its own users,
 * and the company identity provider it federates (OIDC or SAML: Okta, Entra ID, Google Workspace).
 * Validated with the rest of the stage (stage-config.ts); each message names what to write.
 *
 * @example
 * identity:
 *   domainPrefix: acme-handrail-dev
 *   callbackUrls: [https://handrail.dev.example.com/auth/callback]
 *   federation: { type: oidc, name: Okta, issuerUrl: https://acme.okta.com, clientId: 0oa1…, clientSecretArn: arn:aws:secretsmanager:… }
 */
import * as z from 'zod';
import { groupRolesSchema } from '../functions/auth/idp-group-roles.js';

/** Cognito's reserved words in a prefix domain. */
const RESERVED_IN_DOMAIN = ['aws', 'amazon', 'cognito'];

/** zod's message for a missing value says "expected string, received undefined"; say what to write instead. */
const required = (what: string) => ({ error: (issue: { input: unknown }) => (issue.input === undefined ? `is required: ${what}` : `must be ${what}`) });

const domainPrefix = z
  .string(required('the Hosted UI domain prefix, e.g. acme-handrail-dev (https://<prefix>.auth.<region>.amazoncognito.com)'))
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'must be lowercase letters, digits and hyphens (at most 63), e.g. acme-handrail-dev')
  .refine((prefix) => !RESERVED_IN_DOMAIN.some((word) => prefix.includes(word)), `must not contain ${RESERVED_IN_DOMAIN.join(', ')} (Cognito reserves them)`);

/** Where Cognito may send a browser back: HTTPS, or http://localhost while developing (Cognito's rule). */
const redirectUrl = z
  .string(required('an https:// URL (or http://localhost…)'))
  .url('must be an absolute URL such as https://handrail.example.com/auth/callback')
  .refine((url) => /^https:\/\//.test(url) || /^http:\/\/localhost(:\d+)?(\/|$)/.test(url), 'must be https:// (http:// only for localhost)')
  .refine((url) => !url.includes('#'), 'must have no #fragment');

/** The provider's name in Cognito: the `identity_provider` of the sign-in link, the prefix of its users' names. */
const providerName = z
  .string(required('the provider name shown on the sign-in page, e.g. Okta'))
  .regex(/^[A-Za-z][A-Za-z0-9-]{2,31}$/, 'must be 3 to 32 letters, digits or hyphens, starting with a letter (e.g. Okta, EntraID, GoogleWorkspace)')
  .refine((name) => !['cognito', 'google', 'facebook', 'loginwithamazon', 'signinwithapple'].includes(name.toLowerCase()), "must not be one of Cognito's built-in providers (use e.g. GoogleWorkspace)");

/**
 * Which of the IdP's groups grant Handrail roles: the claim (OIDC) or attribute (SAML) that carries
 * the person's groups, and group name → role. Cognito copies the groups into `custom:idp_groups` on
 * each federated sign-in; the pre token generation trigger adds the mapped roles to `cognito:groups`.
 */
const groupsMapping = z
  .object({
    attribute: z.string(required('the IdP claim or SAML attribute that carries the groups, e.g. groups')).min(1, 'must name the claim or attribute, e.g. groups'),
    roles: groupRolesSchema.refine((roles) => Object.keys(roles).length > 0, 'must map at least one IdP group to a role, e.g. { Handrail-Admins: admin }'),
  })
  .strict();

const oidcFederation = z
  .object({
    type: z.literal('oidc'),
    name: providerName,
    /** The IdP's issuer; Cognito discovers its endpoints from `<issuerUrl>/.well-known/openid-configuration`. */
    issuerUrl: z.string(required('the IdP issuer URL, e.g. https://acme.okta.com')).url('must be an https:// issuer URL').startsWith('https://', 'must be an https:// issuer URL'),
    clientId: z.string(required("the client id of the app you registered at the IdP")).min(1),
    /** A Secrets Manager secret holding the IdP client's secret as plain text; CloudFormation resolves it at deploy, it is never in the template. */
    clientSecretArn: z
      .string(required('the ARN of the Secrets Manager secret holding the IdP client secret (aws secretsmanager create-secret --secret-string …)'))
      .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/, 'must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)'),
    scopes: z
      .array(z.string().regex(/^[\x21-\x7e]+$/, 'must be a scope name'))
      .default(['openid', 'email', 'profile'])
      .refine((scopes) => scopes.includes('openid') && scopes.includes('email'), 'must include openid and email (Handrail identifies people by email)'),
    /** IdP groups → roles (Okta: add the `groups` scope, or a groups claim to the ID token). */
    groups: groupsMapping.optional(),
  })
  .strict();

/** Entra ID's name for the email claim; Okta and Google Workspace let you name the attribute, so name it this too. */
export const SAML_EMAIL_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';

const samlFederation = z
  .object({
    type: z.literal('saml'),
    name: providerName,
    /** The IdP's metadata URL (Okta, Entra ID)... */
    metadataUrl: z.string().url('must be the IdP metadata URL').startsWith('https://', 'must be an https:// metadata URL').optional(),
    /** ... or its metadata XML, relative to the stages file (Google Workspace offers a download only). */
    metadataFile: z.string().min(1).optional(),
    /** The SAML attribute that carries the person's email. */
    emailAttribute: z.string().min(1).default(SAML_EMAIL_CLAIM),
    /** IdP groups → roles (Entra ID sends group object ids in http://schemas.microsoft.com/ws/2008/06/identity/claims/groups). */
    groups: groupsMapping.optional(),
  })
  .strict()
  .refine((saml) => Boolean(saml.metadataUrl) !== Boolean(saml.metadataFile), { message: 'give exactly one of metadataUrl (Okta, Entra ID) or metadataFile (Google Workspace)', path: ['metadataUrl'] });

export const federationSchema = z.discriminatedUnion('type', [oidcFederation, samlFederation], {
  error: (issue) => (issue.code === 'invalid_union' ? 'must be oidc or saml' : undefined),
});

export const identitySchema = z
  .object({
    domainPrefix,
    /** Where the Hosted UI may send people back after sign-in: the console, the CLI's local listener. */
    callbackUrls: z.array(redirectUrl, required('a list of sign-in callback URLs')).min(1, 'must list at least one sign-in callback URL'),
    /** Where it may send them after sign-out. */
    logoutUrls: z.array(redirectUrl).default([]),
    /** The company IdP, federated through the user pool; without it, people sign in as Cognito users. */
    federation: federationSchema.optional(),
    /** MFA for the pool's own users (TOTP apps); a federated IdP applies its own. @default required */
    mfa: z.enum(['off', 'optional', 'required']).default('required'),
    /**
     * Cognito threat protection for the pool's own sign-ins: `enforced` blocks risky ones (the Plus
     * feature plan, billed per active user), `audit` only reports them (Plus), `off` (Essentials).
     * @default enforced
     */
    threatProtection: z.enum(['enforced', 'audit', 'off']).default('enforced'),
  })
  .strict();

export type IdentityConfig = z.infer<typeof identitySchema>;
export type FederationConfig = z.infer<typeof federationSchema>;
