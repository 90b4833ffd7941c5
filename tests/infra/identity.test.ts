/**
 * Who may sign in to a deployed stage (infra/constructs/identity.ts), read from the synthesized
 * templates of the fixture's stages (tests/fixtures/stages/stages.yaml): dev federates Okta (OIDC),
 * prod Entra ID (SAML), staging has Cognito users only, in audit mode.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../functions/auth/roles.js';
import { buildApp } from '../../infra/app-factory.js';

const synth = (stage: string) => Template.fromStack(buildApp({ stage, bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) }).stack);
const idOf = (template: Template, type: string) => {
  const ids = Object.keys(template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};

/** `<ApiEndpoint>/auth/callback`, as the template writes it. */
const apiCallback = (template: Template) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [idOf(template, 'AWS::ApiGatewayV2::Api'), 'ApiEndpoint'] }, '/auth/callback']] });

let dev: Template;
let staging: Template;
let prod: Template;

beforeAll(() => {
  dev = synth('dev');
  staging = synth('staging');
  prod = synth('prod');
});

describe('user pool', () => {
  it('signs people in by email, lets no one sign themselves up, and asks for strong passwords and TOTP MFA', () => {
    dev.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolName: 'handrail-dev',
      UsernameAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
      AdminCreateUserConfig: Match.objectLike({ AllowAdminCreateUserOnly: true }),
      // Mapped from the IdP on every federated sign-in: they must stay mutable. dev maps the IdP's groups too.
      Schema: [{ Name: 'email', Required: true, Mutable: true }, { Name: 'idp_groups', AttributeDataType: 'String', Mutable: true, StringAttributeConstraints: { MinLength: '0', MaxLength: '2048' } }],
      Policies: { PasswordPolicy: { MinimumLength: 14, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true, TemporaryPasswordValidityDays: 3, PasswordHistorySize: 5 } },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    });
  });

  it('turns threat protection on (Plus plan): enforced by default, audit only where the stage says so', () => {
    dev.hasResourceProperties('AWS::Cognito::UserPool', { UserPoolTier: 'PLUS', UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' } });
    prod.hasResourceProperties('AWS::Cognito::UserPool', { UserPoolTier: 'PLUS', UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' } });
    staging.hasResourceProperties('AWS::Cognito::UserPool', { UserPoolTier: 'PLUS', UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' } });
  });

  it('is deleted with a dev stack and kept, protected from deletion, everywhere else', () => {
    dev.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ DeletionProtection: 'INACTIVE' }) });
    for (const kept of [staging, prod]) kept.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: Match.objectLike({ DeletionProtection: 'ACTIVE' }) });
  });

  it('has one group per role, named as the role, and no other', () => {
    const pool = idOf(dev, 'AWS::Cognito::UserPool');
    const groups = Object.values(dev.findResources('AWS::Cognito::UserPoolGroup')).map((g) => g.Properties);
    expect(groups.map((g) => g.GroupName).sort()).toEqual([...ROLES].sort());
    for (const group of groups) expect(group.UserPoolId).toEqual({ Ref: pool });
  });

  it('serves the Hosted UI on the stage\'s Cognito domain', () => {
    dev.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'acme-handrail-dev', UserPoolId: { Ref: idOf(dev, 'AWS::Cognito::UserPool') } });
    prod.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'acme-handrail' });
  });
});

describe('app client', () => {
  it('is one public client: Hosted UI only, authorization code (PKCE), no secret, hour-long ID tokens, revocable refresh tokens', () => {
    idOf(dev, 'AWS::Cognito::UserPoolClient');
    dev.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      // The stage's own, then the API's browser sign-in callback (GET /auth/callback).
      CallbackURLs: ['https://handrail.dev.example.com/auth/callback', 'http://localhost:8976/callback', apiCallback(dev)],
      LogoutURLs: ['https://handrail.dev.example.com/'],
      // No SDK sign-in: its access tokens could rewrite the person's own email (the API's identity).
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      IdTokenValidity: 60,
      AccessTokenValidity: 60,
      RefreshTokenValidity: 720,
      TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes', RefreshToken: 'minutes' },
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: 'ENABLED',
    });
  });

  it("offers the pool's own sign-in and the stage's IdP, which it waits for", () => {
    const provider = idOf(dev, 'AWS::Cognito::UserPoolIdentityProvider');
    dev.hasResource('AWS::Cognito::UserPoolClient', { DependsOn: Match.arrayWith([provider]), Properties: Match.objectLike({ SupportedIdentityProviders: ['COGNITO', { Ref: provider }] }) });
    staging.resourceCountIs('AWS::Cognito::UserPoolIdentityProvider', 0);
    staging.hasResourceProperties('AWS::Cognito::UserPoolClient', { SupportedIdentityProviders: ['COGNITO'] });
  });
});

describe('browser sign-in (the API as relying party)', () => {
  it("gives the API function the issuer, the app client and its own callback URL, registered with the client", () => {
    for (const template of [dev, staging, prod]) {
      const pool = idOf(template, 'AWS::Cognito::UserPool');
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            HANDRAIL_AUTH_ISSUER: { 'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: pool }]] },
            HANDRAIL_AUTH_AUDIENCE: { Ref: idOf(template, 'AWS::Cognito::UserPoolClient') },
            HANDRAIL_AUTH_REDIRECT_URL: apiCallback(template),
          }),
        },
      });
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', { CallbackURLs: Match.arrayWith([apiCallback(template)]) });
    }
  });

  it('routes /auth/login, /auth/callback and /auth/logout to the app without an authorizer (nobody is signed in yet)', () => {
    for (const key of ['GET /auth/login', 'GET /auth/callback', 'POST /auth/logout']) {
      dev.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: key, AuthorizationType: 'NONE' });
    }
  });

  it('the local stage points the API at the runtime\'s own callback', () => {
    const local = synth('local');
    local.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ HANDRAIL_AUTH_REDIRECT_URL: apiCallback(local) }) } });
  });
});

describe('federated identity provider', () => {
  it('federates an OIDC IdP (dev: Okta), its client secret resolved from Secrets Manager at deploy, mapping the email', () => {
    dev.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
      ProviderName: 'Okta',
      ProviderType: 'OIDC',
      UserPoolId: { Ref: idOf(dev, 'AWS::Cognito::UserPool') },
      ProviderDetails: {
        client_id: '0oa1example2client3id',
        client_secret: '{{resolve:secretsmanager:arn:aws:secretsmanager:us-east-1:123456789012:secret:handrail/dev/okta-client-secret-AbCdEf:SecretString:::}}',
        oidc_issuer: 'https://acme.okta.com',
        authorize_scopes: 'openid email profile groups',
        attributes_request_method: 'GET',
      },
      AttributeMapping: { email: 'email', name: 'name', 'custom:idp_groups': 'groups' },
    });
  });

  it('federates a SAML IdP (prod: Entra ID) from its metadata URL, mapping the email claim', () => {
    prod.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
      ProviderName: 'EntraID',
      ProviderType: 'SAML',
      ProviderDetails: Match.objectLike({ MetadataURL: Match.stringLikeRegexp('^https://login\\.microsoftonline\\.com/.*federationmetadata\\.xml') }),
      AttributeMapping: { email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress' },
    });
  });

  it('never puts a client secret in the template', () => {
    const providers = JSON.stringify(dev.findResources('AWS::Cognito::UserPoolIdentityProvider'));
    expect(providers.match(/"client_secret":"([^"]*)"/)![1]).toMatch(/^\{\{resolve:secretsmanager:/);
  });
});

describe('IdP groups → roles', () => {
  const triggerOf = (template: Template) => Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith('IdentityPreTokenGeneration'));

  it('runs a pre token generation trigger (event version 2) on the pool of a stage that maps IdP groups (dev)', () => {
    const [fn] = triggerOf(dev);
    expect(fn).toBeDefined();
    dev.hasResourceProperties('AWS::Cognito::UserPool', { LambdaConfig: { PreTokenGenerationConfig: { LambdaArn: { 'Fn::GetAtt': [fn, 'Arn'] }, LambdaVersion: 'V2_0' } } });
    dev.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Environment: { Variables: Match.objectLike({ HANDRAIL_IDP_GROUP_ROLES: JSON.stringify({ 'Handrail-Admins': 'admin', 'Support-Leads': 'reviewer' }) }) },
      Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IdentityPreTokenGenerationServiceRole'), 'Arn'] },
    });
  });

  it('lets only this user pool invoke the trigger', () => {
    const [fn] = triggerOf(dev);
    dev.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [fn, 'Arn'] },
      Principal: 'cognito-idp.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [idOf(dev, 'AWS::Cognito::UserPool'), 'Arn'] },
    });
  });

  it('gives the trigger its own role, with no access to data, secrets or other functions', () => {
    const actions = Object.values(dev.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes('IdentityPreTokenGenerationServiceRole'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((st: { Action: string | string[] }) => [st.Action].flat()));
    expect(actions.sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  });

  it('adds neither trigger nor custom attribute where the stage maps no groups (staging, prod)', () => {
    for (const template of [staging, prod]) {
      expect(triggerOf(template)).toEqual([]);
      template.hasResourceProperties('AWS::Cognito::UserPool', { Schema: [{ Name: 'email', Required: true, Mutable: true }], LambdaConfig: Match.absent() });
    }
  });
});

describe('outputs', () => {
  it('prints the user pool, app client, issuer and Hosted UI URL', () => {
    const pool = idOf(dev, 'AWS::Cognito::UserPool');
    dev.hasOutput('UserPoolId', { Value: { Ref: pool }, Description: Match.stringLikeRegexp(ROLES.join(', ')) });
    dev.hasOutput('UserPoolClientId', { Value: { Ref: idOf(dev, 'AWS::Cognito::UserPoolClient') } });
    dev.hasOutput('AuthIssuer', { Value: { 'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: pool }]] } });
    dev.hasOutput('HostedUiUrl', { Value: { 'Fn::Join': ['', ['https://', { Ref: idOf(dev, 'AWS::Cognito::UserPoolDomain') }, '.auth.', { Ref: 'AWS::Region' }, '.amazoncognito.com']] } });
  });

  it('creates no user pool for the local stage (the runtime issues its own tokens)', () => {
    const local = synth('local');
    for (const type of ['AWS::Cognito::UserPool', 'AWS::Cognito::UserPoolClient', 'AWS::ApiGatewayV2::Authorizer']) local.resourceCountIs(type, 0);
    expect(Object.keys(local.findOutputs('*'))).not.toContain('UserPoolId');
  });
});
