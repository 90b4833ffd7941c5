/**
 * Who may sign in to a deployed stage: a Cognito user pool (email as the username, no self sign-up,
 * a strong password policy, TOTP MFA and threat protection for its own users), one group per role
 * (functions/auth/roles.ts), the Hosted UI on a Cognito domain, the company identity provider it
 * federates (OIDC or SAML, from stages.yaml), and one public app client (authorization code with
 * PKCE, no secret) whose short-lived ID tokens the API accepts: their `iss` is {@link Identity.issuer},
 * their `aud` the client id, their `cognito:groups` the caller's roles, their `email` the caller.
 *
 * Roles are Cognito group memberships, for federated people too: the first sign-in through the IdP
 * creates the user `<ProviderName>_<IdP subject>`, with no role until an admin adds it to a group
 * (README, Deploy to AWS) — unless the stage maps the IdP's groups to roles
 * (`federation.groups`): then the IdP's groups claim is copied into the custom attribute
 * `custom:idp_groups` on every federated sign-in, and a pre token generation trigger
 * (functions/auth/pre-token-generation.ts, event version 2) sets `cognito:groups` to the person's
 * Cognito groups plus the roles those IdP groups map to.
 *
 * @example
 * const identity = new Identity(this, 'Identity', { stage: 'prod', config: stageConfig.identity, retain: true });
 * new HttpJwtAuthorizer('IdToken', identity.issuer, { jwtAudience: [identity.client.userPoolClientId] });
 */
import { readFileSync } from 'node:fs';
import { Duration, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { IDP_GROUPS_ATTRIBUTE, IDP_GROUPS_MAX_LENGTH, IDP_GROUPS_USER_ATTRIBUTE } from '../../functions/auth/idp-group-roles.js';
import { ROLE_DESCRIPTIONS, ROLES } from '../../functions/auth/roles.js';
import { ENV } from '../../functions/shared/env-names.js';
import type { FederationConfig, IdentityConfig } from '../identity-config.js';
import { acknowledge } from './acknowledge.js';
import { HandrailFunction } from './handrail-function.js';

export interface IdentityProps {
  readonly stage: string;
  /** The stage's `identity` section (stages.yaml, validated). */
  readonly config: IdentityConfig;
  /** Keep the user pool (people, group memberships) and protect it from deletion. @default true */
  readonly retain?: boolean;
  /** The API's browser sign-in callback (`<api url>/auth/callback`), added to the stage's callbackUrls. @default - none */
  readonly apiSignInCallback?: string;
}

/** ID tokens live an hour: a revoked or demoted person keeps access at most that long. */
export const ID_TOKEN_VALIDITY = Duration.minutes(60);
/** A signed-in session (refresh token) lasts a working day; sign-out revokes it. */
export const REFRESH_TOKEN_VALIDITY = Duration.hours(12);

const MFA: Record<IdentityConfig['mfa'], cognito.Mfa> = { off: cognito.Mfa.OFF, optional: cognito.Mfa.OPTIONAL, required: cognito.Mfa.REQUIRED };

export class Identity extends Construct {
  readonly userPool: cognito.UserPool;
  /** The app client the console and the CLI sign in with; the `aud` of the ID tokens the API accepts. */
  readonly client: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;
  /** The federated company IdP, when the stage declares one. */
  readonly provider?: cognito.IUserPoolIdentityProvider;
  /** The `iss` of the pool's tokens; its keys are at `<issuer>/.well-known/jwks.json`. */
  readonly issuer: string;
  /** The Hosted UI's base URL (`/oauth2/authorize`, `/oauth2/token`, `/logout` live under it). */
  readonly hostedUiUrl: string;
  /** The pre token generation trigger, when the stage maps IdP groups to roles. */
  readonly preTokenGeneration?: HandrailFunction;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    const { config, stage } = props;
    const retain = props.retain ?? true;
    const threatProtection = config.threatProtection;
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `handrail-${stage}`,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      // Federated sign-ins rewrite the mapped email on every sign-in, so it must stay mutable.
      standardAttributes: { email: { required: true, mutable: true } },
      autoVerify: { email: true },
      // People are invited by an admin (or arrive through the company IdP), never sign themselves up.
      selfSignUpEnabled: false,
      userInvitation: {
        emailSubject: `Your Handrail (${stage}) account`,
        emailBody: `You have been invited to Handrail (${stage}). Sign in as {username} with the temporary password {####}; you will choose your own and set up MFA.`,
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
        passwordHistorySize: 5,
      },
      mfa: MFA[config.mfa],
      // TOTP apps only: SMS would need an SNS role and a sending budget, and is the weaker factor.
      mfaSecondFactor: { otp: true, sms: false },
      // Threat protection (formerly advanced security) needs the Plus plan; without it, Essentials.
      featurePlan: threatProtection === 'off' ? cognito.FeaturePlan.ESSENTIALS : cognito.FeaturePlan.PLUS,
      ...(threatProtection === 'off'
        ? {}
        : { standardThreatProtectionMode: threatProtection === 'enforced' ? cognito.StandardThreatProtectionMode.FULL_FUNCTION : cognito.StandardThreatProtectionMode.AUDIT_ONLY }),
      // Where federated sign-ins write the IdP's groups (only when the stage maps them to roles).
      ...(config.federation?.groups ? { customAttributes: { [IDP_GROUPS_ATTRIBUTE]: new cognito.StringAttribute({ minLen: 0, maxLen: IDP_GROUPS_MAX_LENGTH, mutable: true }) } } : {}),
      deletionProtection: retain,
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const groups = config.federation?.groups;
    if (groups) {
      this.preTokenGeneration = new HandrailFunction(this, 'PreTokenGeneration', {
        entry: 'functions/auth/pre-token-generation.ts',
        kind: 'pre-token-generation',
        timeout: Duration.seconds(5),
        memorySize: 256,
        environment: { [ENV.stage]: stage, [ENV.idpGroupRoles]: JSON.stringify(groups.roles) },
      });
      // Version 2 of the event (Essentials and Plus plans): its group override reaches the ID token.
      this.userPool.addTrigger(cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, this.preTokenGeneration, cognito.LambdaVersion.V2_0);
    }

    // Weaker than the defaults only where stages.yaml says so.
    if (config.mfa !== 'required') acknowledge(this.userPool, 'COG2', `stages.yaml sets ${stage}.identity.mfa to ${config.mfa}; people signing in through the company IdP get its MFA either way`);
    if (threatProtection !== 'enforced') acknowledge(this.userPool, 'COG3', `stages.yaml sets ${stage}.identity.threatProtection to ${threatProtection} (enforced needs the Plus plan, billed per active user)`);

    // One group per role, named as the role: the ID token's `cognito:groups` is the caller's roles.
    for (const role of ROLES) this.userPool.addGroup(`Role-${role}`, { groupName: role, description: `Handrail ${role}: ${ROLE_DESCRIPTIONS[role]}` });

    this.provider = config.federation ? federatedProvider(this, this.userPool, config.federation) : undefined;

    this.domain = this.userPool.addDomain('HostedUi', { cognitoDomain: { domainPrefix: config.domainPrefix } });
    this.client = this.userPool.addClient('AppClient', {
      userPoolClientName: `handrail-${stage}`,
      // A public client (the console in a browser, the CLI on a laptop): no secret to leak; PKCE instead.
      generateSecret: false,
      // Sign-in only through the Hosted UI, whose tokens carry just the scopes below. An SDK sign-in
      // (SRP, password) would hand out access tokens with aws.cognito.signin.user.admin, with which
      // people could rewrite their own `email`, the very claim the API identifies them by.
      // (An empty object would leave Cognito's defaults, SRP included: say userSrp: false.)
      authFlows: { userSrp: false },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [...config.callbackUrls, ...(props.apiSignInCallback ? [props.apiSignInCallback] : [])],
        logoutUrls: config.logoutUrls,
      },
      supportedIdentityProviders: [
        // Cognito's own users stay possible (an admin's break-glass account) next to the company IdP.
        cognito.UserPoolClientIdentityProvider.COGNITO,
        ...(this.provider ? [cognito.UserPoolClientIdentityProvider.custom(this.provider.providerName)] : []),
      ],
      idTokenValidity: ID_TOKEN_VALIDITY,
      accessTokenValidity: ID_TOKEN_VALIDITY,
      refreshTokenValidity: REFRESH_TOKEN_VALIDITY,
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    });
    // The client names the provider: it must exist first.
    if (this.provider) this.client.node.addDependency(this.provider);

    this.issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`;
    this.hostedUiUrl = this.domain.baseUrl();
  }
}

/**
 * The company IdP. The email is mapped: it is who the person is to Handrail (reviewer ids are
 * emails), the name shows on the Hosted UI, and the groups (if the stage maps them to roles) go to
 * `custom:idp_groups`. An OIDC client secret is resolved by CloudFormation
 * from Secrets Manager at deploy and never appears in the template.
 */
function federatedProvider(scope: Construct, userPool: cognito.UserPool, federation: FederationConfig): cognito.IUserPoolIdentityProvider {
  if (federation.type === 'oidc') {
    return new cognito.UserPoolIdentityProviderOidc(scope, 'Federation', {
      userPool,
      name: federation.name,
      issuerUrl: federation.issuerUrl,
      clientId: federation.clientId,
      clientSecret: SecretValue.secretsManager(federation.clientSecretArn).unsafeUnwrap(),
      scopes: federation.scopes,
      attributeRequestMethod: cognito.OidcAttributeRequestMethod.GET,
      attributeMapping: { email: cognito.ProviderAttribute.other('email'), fullname: cognito.ProviderAttribute.other('name'), ...groupsMapping(federation) },
    });
  }
  return new cognito.UserPoolIdentityProviderSaml(scope, 'Federation', {
    userPool,
    name: federation.name,
    metadata: federation.metadataUrl
      ? cognito.UserPoolIdentityProviderSamlMetadata.url(federation.metadataUrl)
      : cognito.UserPoolIdentityProviderSamlMetadata.file(readFileSync(federation.metadataFile!, 'utf8')),
    attributeMapping: { email: cognito.ProviderAttribute.other(federation.emailAttribute), ...groupsMapping(federation) },
  });
}

/** The IdP's groups claim or attribute → `custom:idp_groups`, when the stage maps groups to roles. */
function groupsMapping(federation: FederationConfig): Pick<cognito.AttributeMapping, 'custom'> {
  // CloudFormation's AttributeMapping names a custom attribute with its prefix.
  return federation.groups ? { custom: { [IDP_GROUPS_USER_ATTRIBUTE]: cognito.ProviderAttribute.other(federation.groups.attribute) } } : {};
}
