/**
 * The attribute DynamoDB's time to live reads (epoch seconds): items that carry it are deleted
 * by DynamoDB after that time. Shared by the table definition (infra/constructs/data-layer.ts)
 * and the writers of expiring items (Slack nonces), so the two cannot drift apart.
 */
export const TTL_ATTRIBUTE = 'expiresAt';
