/**
 * The pre token generation trigger with events shaped as Cognito sends them (version 2, a person
 * federated from Okta): cognito:groups = their Cognito groups ∪ the roles their IdP groups map to.
 */
import type { Context, PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { idpGroupsOf, rolesForGroups } from '../../../functions/auth/idp-group-roles.js';
import { handler, resetGroupRoles } from '../../../functions/auth/pre-token-generation.js';

const MAPPING = { 'Handrail-Admins': 'admin', 'Support-Leads': 'reviewer' } as const;
const context = { functionName: 'IdentityPreTokenGeneration', awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:IdentityPreTokenGeneration', memoryLimitInMB: '256', functionVersion: '$LATEST' } as Context;

/** A federated person's sign-in through the Hosted UI, as Cognito sends it (V2_0). */
function federatedSignIn(attributes: Record<string, string> = {}, groups: string[] = ['us-east-1_EXAMPLE_Okta']): PreTokenGenerationV2TriggerEvent {
  return {
    version: '2',
    triggerSource: 'TokenGeneration_HostedAuth',
    region: 'us-east-1',
    userPoolId: 'us-east-1_EXAMPLE',
    userName: 'Okta_00u1abcdEXAMPLE',
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: '1example23456789' },
    request: {
      userAttributes: {
        sub: '8f1c0f3e-3b1a-4c53-9a57-0e1d2c3b4a59',
        'cognito:user_status': 'EXTERNAL_PROVIDER',
        email: 'pat@example.com',
        email_verified: 'false',
        identities: JSON.stringify([{ userId: '00u1abcdEXAMPLE', providerName: 'Okta', providerType: 'OIDC', issuer: null, primary: true, dateCreated: 1_700_000_000_000 }]),
        ...attributes,
      },
      groupConfiguration: { groupsToOverride: groups, iamRolesToOverride: [], preferredRole: null as unknown as string },
      scopes: ['openid', 'email', 'profile'],
    },
    response: { claimsAndScopeOverrideDetails: null as never },
  };
}

const run = (event: unknown) => handler(event as PreTokenGenerationV2TriggerEvent, context) as Promise<PreTokenGenerationV2TriggerEvent>;
const groupsOf = (out: PreTokenGenerationV2TriggerEvent) => out.response.claimsAndScopeOverrideDetails.groupOverrideDetails?.groupsToOverride;

beforeEach(() => {
  process.env.HANDRAIL_IDP_GROUP_ROLES = JSON.stringify(MAPPING);
  resetGroupRoles();
});
afterEach(() => {
  delete process.env.HANDRAIL_IDP_GROUP_ROLES;
  resetGroupRoles();
});

describe('pre token generation (IdP groups → roles)', () => {
  it('adds the roles mapped IdP groups grant to the Cognito groups, and changes nothing else', async () => {
    const out = await run(federatedSignIn({ 'custom:idp_groups': '[Handrail-Admins, Everyone, Support-Leads]' }));
    expect(out.response).toEqual({
      claimsAndScopeOverrideDetails: { groupOverrideDetails: { groupsToOverride: ['us-east-1_EXAMPLE_Okta', 'admin', 'reviewer'], iamRolesToOverride: [] } },
    });
    expect(out.request).toEqual(federatedSignIn({ 'custom:idp_groups': '[Handrail-Admins, Everyone, Support-Leads]' }).request);
  });

  it('keeps roles the person already has from Cognito groups once', async () => {
    const out = await run(federatedSignIn({ 'custom:idp_groups': 'Support-Leads' }, ['reviewer', 'auditor']));
    expect(groupsOf(out)).toEqual(['reviewer', 'auditor']);
  });

  it('grants nothing for groups the stage does not map', async () => {
    expect(groupsOf(await run(federatedSignIn({ 'custom:idp_groups': '[Everyone, Engineering]' })))).toEqual(['us-east-1_EXAMPLE_Okta']);
  });

  it('grants nothing when the attribute is missing or empty (an IdP that sent no groups)', async () => {
    expect(groupsOf(await run(federatedSignIn()))).toEqual(['us-east-1_EXAMPLE_Okta']);
    expect(groupsOf(await run(federatedSignIn({ 'custom:idp_groups': '' })))).toEqual(['us-east-1_EXAMPLE_Okta']);
    expect(groupsOf(await run(federatedSignIn({ 'custom:idp_groups': '[]' })))).toEqual(['us-east-1_EXAMPLE_Okta']);
  });

  it('maps nothing for a user of the pool itself, whatever the attribute says', async () => {
    const poolUser = federatedSignIn({ 'cognito:user_status': 'CONFIRMED', 'custom:idp_groups': 'Handrail-Admins' }, ['auditor']);
    delete poolUser.request.userAttributes.identities;
    expect(groupsOf(await run(poolUser))).toEqual(['auditor']);
  });

  it('handles a person in no Cognito group (groupsToOverride absent)', async () => {
    const event = federatedSignIn({ 'custom:idp_groups': 'Handrail-Admins' });
    delete (event.request.groupConfiguration as { groupsToOverride?: string[] }).groupsToOverride;
    expect(groupsOf(await run(event))).toEqual(['admin']);
  });

  it('refuses a malformed event (a token is not issued on a guess)', async () => {
    await expect(run({ ...federatedSignIn(), version: '1' })).rejects.toThrow(/version: must be 2/);
    await expect(run({ ...federatedSignIn(), triggerSource: 'PreSignUp_SignUp' })).rejects.toThrow(/triggerSource/);
    await expect(run({ ...federatedSignIn(), request: { userAttributes: { email: 7 } } })).rejects.toThrow(/request\.userAttributes\.email/);
  });

  it('fails on a mapping that is not one (the stack writes it from stages.yaml)', async () => {
    process.env.HANDRAIL_IDP_GROUP_ROLES = JSON.stringify({ 'Handrail-Admins': 'owner' });
    resetGroupRoles();
    await expect(run(federatedSignIn({ 'custom:idp_groups': 'Handrail-Admins' }))).rejects.toThrow(/HANDRAIL_IDP_GROUP_ROLES: Handrail-Admins: must be a role/);
  });
});

describe('idpGroupsOf / rolesForGroups', () => {
  it.each([
    ['Handrail-Admins', ['Handrail-Admins']],
    ['[Handrail-Admins, Support-Leads]', ['Handrail-Admins', 'Support-Leads']],
    ['["Handrail-Admins","Support Leads"]', ['Handrail-Admins', 'Support Leads']],
    ['[ ]', []],
    ['  ', []],
  ])('reads %j', (value, groups) => {
    expect(idpGroupsOf(value)).toEqual(groups);
  });

  it('grants each role once, in the order of the roles', () => {
    expect(rolesForGroups(['Support-Leads', 'Handrail-Admins', 'Support-Leads'], MAPPING)).toEqual(['admin', 'reviewer']);
  });
});
