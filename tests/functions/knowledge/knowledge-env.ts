/**
 * Starts the embedded emulators with a fresh data directory and a knowledge table + bucket,
 * pointing the SDK clients at them through the same env variables the local runtime sets.
 */
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../../../functions/shared/aws-clients.js';
import { ENV } from '../../../functions/shared/env-names.js';
import { startEmulatorEnv, stringKeys, type EmulatorEnv } from '../../support/emulator-env.js';

export type KnowledgeEnv = Pick<EmulatorEnv, 'stop'>;

export async function startKnowledgeEnv(): Promise<KnowledgeEnv> {
  const env = await startEmulatorEnv({
    name: 'knowledge',
    env: { [ENV.s3ForcePathStyle]: 'true', [ENV.knowledgeTable]: 'test-knowledge', [ENV.knowledgeBucket]: 'test-knowledge' },
    tables: [{ TableName: 'test-knowledge', ...stringKeys('collection', 'docVersion') }],
  });
  await s3Client().send(new CreateBucketCommand({ Bucket: 'test-knowledge' }));
  return env;
}
