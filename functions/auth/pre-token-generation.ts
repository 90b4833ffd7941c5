/**
 * Cognito's pre token generation trigger (event version 2): a person federated from the company
 * IdP gets, as `cognito:groups` in their tokens, their Cognito groups plus the roles their IdP groups
 * map to (idp-group-roles.ts; stages.yaml `identity.federation.groups.roles`). Nothing else in the
 * token changes: no claim is added or suppressed, IAM roles are passed through as they are.
 *
 * Only users Cognito created from the IdP (`cognito:user_status` EXTERNAL_PROVIDER) are mapped: the
 * attribute is written by the IdP's attribute mapping on each federated sign-in; a pool user (an
 * admin's break-glass account) keeps exactly their Cognito groups. People cannot write the
 * attribute themselves: the app client hands out no token that may update user attributes
 * (infra/constructs/identity.ts).
 *
 * Event shape: https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html
 * (types: `PreTokenGenerationV2TriggerEvent` of @types/aws-lambda).
 */
import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import * as z from 'zod';
import { ENV } from '../shared/env-names.js';
import { jsonEnv } from '../shared/env.js';
import { stepHandler } from '../shared/lambda-handler.js';
import { logger } from '../shared/logger.js';
import { groupRolesSchema, idpGroupsOf, IDP_GROUPS_USER_ATTRIBUTE, rolesForGroups, type GroupRoles } from './idp-group-roles.js';

const TRIGGER_SOURCES = ['TokenGeneration_HostedAuth', 'TokenGeneration_Authentication', 'TokenGeneration_NewPasswordChallenge', 'TokenGeneration_AuthenticateDevice', 'TokenGeneration_RefreshTokens'] as const;

/** The parts of the V2 event the trigger reads; everything else is kept as Cognito sent it. */
export const preTokenEventSchema = z
  .object({
    version: z.literal('2', { error: 'must be 2: the trigger is configured with LambdaVersion V2_0' }),
    triggerSource: z.enum(TRIGGER_SOURCES),
    userPoolId: z.string().min(1),
    userName: z.string().min(1),
    request: z
      .object({
        userAttributes: z.record(z.string(), z.string()),
        groupConfiguration: z
          .object({
            groupsToOverride: z.array(z.string()).nullish(),
            iamRolesToOverride: z.array(z.string()).nullish(),
            preferredRole: z.string().nullish(),
          })
          .passthrough(),
      })
      .passthrough(),
    response: z.object({}).passthrough().nullish(),
  })
  .passthrough();

type PreTokenEvent = z.infer<typeof preTokenEventSchema>;

let mapping: GroupRoles | undefined;

function groupRoles(): GroupRoles {
  mapping ??= jsonEnv(ENV.idpGroupRoles, groupRolesSchema, '{group: role}, which the stack writes from stages.yaml');
  return mapping;
}

/** For tests that change the mapping. */
export function resetGroupRoles(): void {
  mapping = undefined;
}

/** The event with its response set: `cognito:groups` = Cognito groups ∪ mapped roles (federated users). */
export function withMappedRoles(event: PreTokenEvent, roles: GroupRoles): PreTokenGenerationV2TriggerEvent {
  const { groupConfiguration, userAttributes } = event.request;
  const cognitoGroups = groupConfiguration.groupsToOverride ?? [];
  const federated = userAttributes['cognito:user_status'] === 'EXTERNAL_PROVIDER';
  const mapped = federated ? rolesForGroups(idpGroupsOf(userAttributes[IDP_GROUPS_USER_ATTRIBUTE]), roles) : [];
  const groups = [...cognitoGroups, ...mapped.filter((r) => !cognitoGroups.includes(r))];
  if (mapped.length) logger.info('roles from IdP groups', { userName: event.userName, roles: mapped });
  return {
    ...(event as unknown as PreTokenGenerationV2TriggerEvent),
    response: {
      claimsAndScopeOverrideDetails: {
        groupOverrideDetails: {
          groupsToOverride: groups,
          ...(groupConfiguration.iamRolesToOverride ? { iamRolesToOverride: groupConfiguration.iamRolesToOverride } : {}),
          ...(groupConfiguration.preferredRole ? { preferredRole: groupConfiguration.preferredRole } : {}),
        },
      },
    },
  };
}

export const handler = stepHandler(preTokenEventSchema, async (event) => withMappedRoles(event, groupRoles()));
