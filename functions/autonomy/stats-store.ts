/**
 * A route path's human decisions, kept as one item per path in the approvals table under the
 * key `autonomy#<workflowId>/<routeStepId>/<pathName>` (no `status` attribute, so it never shows
 * in the byStatus inbox index). Every write is a single-item update (dynalite has no
 * transactions), and none needs a prior read: decisions are appended with list_append, so
 * concurrent decisions on a busy path never conflict (and those that arrive together share one
 * append); the oldest entries beyond the window are removed, a tenth of the window at a time, with
 * a condition that can never cut the list below the window.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws-clients.js';
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';
import { coalesced } from '../records/coalesced.js';
import { isConditionFailure } from '../records/dynamo-helpers.js';
import type { DecisionEntry } from './types.js';

export interface PathStats {
  readonly routeKey: string;
  /** Human decisions, oldest first; may briefly hold more than the window. */
  readonly recent: DecisionEntry[];
  /** Human decisions ever recorded on the path. */
  readonly decisions: number;
  readonly autoApproved: number;
  /** Whether the rule was met at the last human decision. */
  readonly engaged: boolean;
  /** When the rule was last met after not being met, and when it last fell below the bar. */
  readonly engagedAt?: string;
  readonly suspendedAt?: string;
}

const table = () => requireEnv(ENV.approvalsTable);
const keyOf = (routeKey: string) => ({ approvalId: `autonomy#${routeKey}` });
/** Every attribute goes through a placeholder, so no name can collide with a reserved word. */
const names = (...attributes: string[]) => Object.fromEntries(attributes.map((a) => [`#${a}`, a]));
/** How many stale entries one trim removes at most (keeps the expression short). */
const MAX_TRIM = 50;

function toStats(routeKey: string, item: Record<string, unknown> | undefined): PathStats {
  return {
    routeKey,
    recent: (item?.recent as DecisionEntry[] | undefined) ?? [],
    decisions: Number(item?.decisions ?? 0),
    autoApproved: Number(item?.autoApproved ?? 0),
    engaged: item?.engaged === true,
    ...(typeof item?.engagedAt === 'string' ? { engagedAt: item.engagedAt } : {}),
    ...(typeof item?.suspendedAt === 'string' ? { suspendedAt: item.suspendedAt } : {}),
  };
}

/** Strongly consistent: the rule is judged on every decision recorded so far. */
export async function readStats(routeKey: string): Promise<PathStats> {
  const out = await documentClient().send(new GetCommand({ TableName: table(), Key: keyOf(routeKey), ConsistentRead: true }));
  return toStats(routeKey, out.Item);
}

/** Appends human decisions in one write; returns the item as it is now (it may include others' appends). */
async function appendDecisions(routeKey: string, workflowId: string, entries: DecisionEntry[]): Promise<PathStats> {
  const out = await documentClient().send(
    new UpdateCommand({
      TableName: table(),
      Key: keyOf(routeKey),
      UpdateExpression: 'SET #recent = list_append(if_not_exists(#recent, :empty), :entries), #kind = :kind, #routeKey = :routeKey, #workflowId = :workflowId, #updatedAt = :at ADD #decisions :n',
      ExpressionAttributeNames: names('recent', 'kind', 'routeKey', 'workflowId', 'updatedAt', 'decisions'),
      ExpressionAttributeValues: { ':empty': [], ':entries': entries, ':kind': 'autonomy_stats', ':routeKey': routeKey, ':workflowId': workflowId, ':at': entries.at(-1)!.at, ':n': entries.length },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return toStats(routeKey, out.Attributes);
}

/**
 * How far past its window a path's list may grow before it is trimmed: trimming in steps of a
 * tenth of the window costs one extra write per that many decisions instead of one per decision
 * (the figures read only the last `window` entries).
 */
const trimStep = (window: number) => Math.min(MAX_TRIM, Math.max(1, Math.ceil(window / 10)));

interface Appended {
  readonly workflowId: string;
  readonly entry: DecisionEntry;
  readonly window: number;
}

/** Decisions on one path that arrive together share the append (and the trim after it). */
const appendCoalesced = coalesced<Appended, PathStats>(async (routeKey, items) => {
  const stats = await appendDecisions(routeKey, items[0]!.workflowId, items.map((i) => i.entry));
  // The widest window of the batch (decisions of one path on two releases may differ): never cut into one.
  const window = Math.max(...items.map((i) => i.window));
  if (stats.recent.length - window >= trimStep(window)) await trimDecisions(routeKey, stats.recent.length, window);
  return items.map(() => stats);
});

/**
 * Appends one human decision and keeps the path's list near `window` entries; returns the item as
 * it was after the append (it may include others' appends, and entries beyond the window).
 */
export function appendDecision(routeKey: string, workflowId: string, entry: DecisionEntry, window: number): Promise<PathStats> {
  return appendCoalesced(routeKey, { workflowId, entry, window });
}

/**
 * Removes the oldest entries beyond `window` (seen `length`). The condition makes a concurrent
 * trim that already removed them a no-op instead of cutting into the window.
 */
export async function trimDecisions(routeKey: string, length: number, window: number): Promise<void> {
  const excess = Math.min(length - window, MAX_TRIM);
  if (excess <= 0) return;
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: keyOf(routeKey),
        // Highest index first: DynamoDB removes the listed indices of the list as it was, but
        // dynalite splices them one by one, so ascending order would shift and remove the wrong ones.
        UpdateExpression: `REMOVE ${Array.from({ length: excess }, (_, i) => `#recent[${excess - 1 - i}]`).join(', ')}`,
        ConditionExpression: 'size(#recent) >= :min',
        ExpressionAttributeNames: names('recent'),
        ExpressionAttributeValues: { ':min': window + excess },
      }),
    );
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
}

/** Records that the rule became met (true) or fell below the bar (false); false if it already was. */
export async function markEngaged(routeKey: string, engaged: boolean, at: string): Promise<boolean> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: keyOf(routeKey),
        UpdateExpression: 'SET #engaged = :engaged, #at = :at',
        ConditionExpression: engaged ? 'attribute_not_exists(#engaged) OR #engaged = :false' : '#engaged = :true',
        ExpressionAttributeNames: { '#engaged': 'engaged', '#at': engaged ? 'engagedAt' : 'suspendedAt' },
        ExpressionAttributeValues: { ':engaged': engaged, ':at': at, ...(engaged ? { ':false': false } : { ':true': true }) },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/** Counts an auto-approval (an atomic ADD: never conflicts with appends or trims). */
export async function countAutoApproval(routeKey: string, workflowId: string): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: table(),
      Key: keyOf(routeKey),
      UpdateExpression: 'SET #kind = :kind, #routeKey = :routeKey, #workflowId = :workflowId ADD #autoApproved :one',
      ExpressionAttributeNames: names('kind', 'routeKey', 'workflowId', 'autoApproved'),
      ExpressionAttributeValues: { ':kind': 'autonomy_stats', ':routeKey': routeKey, ':workflowId': workflowId, ':one': 1 },
    }),
  );
}
