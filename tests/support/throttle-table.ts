/**
 * The throttle table as the stack declares it (functions/records/throttle-counters.ts), and the
 * environment the API function gets for it, for tests that build the API app on the emulators.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { DEFAULT_LIMITS } from '../../functions/limits/limits-config.js';
import { ENV } from '../../functions/shared/env-names.js';

export const THROTTLE_TABLE = 'test-throttle';

export const throttleTable: CreateTableCommandInput = {
  TableName: THROTTLE_TABLE,
  AttributeDefinitions: [{ AttributeName: 'bucket', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'bucket', KeyType: 'HASH' }],
};

/** The default limits: far above what these tests send. */
export const throttleEnv: Record<string, string> = { [ENV.throttleTable]: THROTTLE_TABLE, [ENV.throttleLimits]: JSON.stringify(DEFAULT_LIMITS) };
