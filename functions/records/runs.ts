/**
 * Run and step records (the runs table): one item per run (`sk = "run"`) and one per step
 * (`sk = "step#<stepId>"`). Every write is a single conditional item write: no transactions, so the
 * same code runs on DynamoDB and on dynalite. Step records are plain puts, so concurrent ones are
 * group-committed (group-commit.ts) with BatchWriteItem.
 */
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws-clients.js';
import type { ReplayRef } from '../shared/step-contract.js';
import type { RetentionDays } from '../../state-machines/retention.js';
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';
import { ConflictError } from '../shared/errors.js';
import { decodeCursor, encodeCursor } from './cursors.js';
import { readItems } from './consistent-reads.js';
import { isConditionFailure, putIf, queryAll, scanAll, untilProcessed } from './dynamo-helpers.js';
import { groupCommit } from './group-commit.js';
import { redactTable, type ItemRedaction } from './erasure-writes.js';

export const RUN_STATUSES = ['running', 'start_failed', 'awaiting_approval', 'delivered', 'completed', 'rejected', 'approval_timed_out', 'delivery_failed', 'needs_human', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** Statuses a run ends in: nothing moves it on from there. */
const ENDED: readonly RunStatus[] = ['delivered', 'completed', 'rejected', 'approval_timed_out', 'delivery_failed', 'needs_human', 'failed'];
/** A filter on `#status` (name it) for ended runs: the expression and its values. */
const endedFilter = {
  expression: `#status IN (${ENDED.map((_, i) => `:ended${i}`).join(', ')})`,
  values: Object.fromEntries(ENDED.map((s, i) => [`:ended${i}`, s])),
};

export interface DeliveryRecord {
  /** `sending`: a Zendesk update, HubSpot note and task or Slack post is about to be (or was) sent, its outcome not yet recorded. */
  readonly status: 'sending' | 'delivered' | 'failed';
  readonly url: string;
  readonly text: string;
  readonly attempts: { attempt: number; status?: number; error?: string; at: string }[];
  readonly deliveredAt?: string;
  /** A delivery to a Zendesk ticket (functions/connectors/zendesk/): what was done, and every API call of every invocation. */
  readonly zendesk?: {
    readonly ticketId: number;
    readonly comment: 'public' | 'internal';
    readonly auditId?: number;
    readonly commentId?: number;
    readonly calls: readonly { attempt: number; method: string; path: string; status?: number; error?: string; durationMs: number; at: string }[];
  };
  /** A delivery to a HubSpot contact (functions/connectors/hubspot/): the note and task made, and every API call of every invocation. */
  readonly hubspot?: {
    readonly contactId: string;
    readonly noteId?: string;
    readonly taskId?: string;
    readonly calls: readonly { attempt: number; method: string; path: string; status?: number; error?: string; durationMs: number; at: string }[];
  };
  /** A reply by email (functions/connectors/email/): to whom, the thread it answers, the Message-ID it was sent with, and every send attempt. */
  readonly email?: {
    readonly to: string;
    readonly inReplyTo: string;
    readonly messageId: string;
    readonly sesMessageId?: string;
    readonly calls: readonly { attempt: number; status?: number; error?: string; at: string }[];
  };
  /** A post to a Slack channel (functions/connectors/slack/): when the intent was recorded, the message, and every API call of every invocation. */
  readonly slack?: {
    readonly channel: string;
    /** Epoch seconds: a message posted for the run is no older than this (less clock skew). */
    readonly intentAt?: number;
    readonly ts?: string;
    readonly calls: readonly { attempt: number; method: string; channel: string; result?: string; status?: number; error?: string; durationMs: number; at: string }[];
  };
  /** An approved knowledge edit (a deliver step's `knowledge` target): the document version it wrote. */
  readonly knowledge?: {
    readonly collection: string;
    readonly docId: string;
    readonly baseVersion: number;
    readonly version?: number;
    readonly sha256?: string;
  };
}

export interface RunRecord {
  readonly runId: string;
  readonly workflowId: string;
  readonly workflowVersion: string;
  /** The release that served it (state-machines/release.ts): workflow, reviewers, delivery, prices, knowledge. */
  readonly releaseId?: string;
  readonly status: RunStatus;
  readonly input: Record<string, unknown>;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly idempotencyKey?: string;
  /** Hash of the input an Idempotency-Key was first used with. */
  readonly inputHash?: string;
  readonly executionArn?: string;
  readonly approvalIds?: string[];
  readonly delivery?: DeliveryRecord;
  readonly error?: { error: string; cause?: string };
  /** Set on a replay's run: which replay, and the recorded run it re-runs (never delivered, never counted). */
  readonly replay?: ReplayRef;
  /** How long this run's records are kept (its workflow's `retention` when it started): what its steps and approvals expire by. */
  readonly retention?: RetentionDays;
  /** When DynamoDB deletes the run record (TTL_ATTRIBUTE, epoch seconds): `retention.runs` days after it started. */
  readonly expiresAt?: number;
  /** Set while the run waits in the human queue (human-queue.ts, sparse index byHumanQueue). */
  readonly humanQueue?: 'open';
  readonly queuedAt?: string;
  /** When it is past its owner's SLA. */
  readonly queueDueAt?: string;
  readonly queueRemindedAt?: string;
  /** How many times it was redriven from a failed step. */
  readonly redriveCount?: number;
}

export interface StepRecord {
  readonly runId: string;
  readonly stepId: string;
  readonly kind: string;
  readonly status: 'succeeded' | 'failed';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly latencyMs: number;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly provider?: string;
  readonly model?: string;
  readonly usage?: { inputTokens: number; outputTokens: number };
  /** USD from the price table; null when the model has no price (costNote says so). */
  readonly costUsd?: number | null;
  readonly costNote?: string;
  readonly attempts?: unknown[];
  readonly error?: string;
  /** Why structured output was rejected (generate steps with outputSchema). */
  readonly validationErrors?: string[];
  /** Retrieve steps: the knowledge snapshot searched (`<collection>#<hash>`), keyed by the runs table's bySnapshot index. */
  readonly knowledgeSnapshot?: string;
  /** When DynamoDB deletes the record (TTL_ATTRIBUTE): its run's `retention.steps` days after the step finished. */
  readonly expiresAt?: number;
}

const table = () => requireEnv(ENV.runsTable);
/** The sort key of a run's own item (its steps are `step#<stepId>`). */
export const RUN_SK = 'run';
const stepSk = (stepId: string) => `step#${stepId}`;

/** Creates the run unless one with this id exists. Returns false when it already existed. */
export function createRun(run: RunRecord): Promise<boolean> {
  return putIf({ TableName: table(), Item: { ...run, sk: RUN_SK }, ConditionExpression: 'attribute_not_exists(runId)' });
}

export async function getRun(runId: string): Promise<RunRecord | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: table(), Key: { runId, sk: RUN_SK } }));
  return out.Item ? stripKeys(out.Item) as unknown as RunRecord : undefined;
}

export function stripKeys(item: Record<string, unknown>): Record<string, unknown> {
  const { sk: _sk, ...rest } = item;
  return rest;
}

/** Sets fields on an existing run; `onlyIfStatusIn` guards against overwriting a later state. */
export async function updateRun(
  runId: string,
  fields: Partial<Omit<RunRecord, 'runId' | 'createdAt'>>,
  options: { onlyIfStatusIn?: RunStatus[]; appendApprovalId?: string } = {},
): Promise<void> {
  const names: Record<string, string> = { '#runId': 'runId' };
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  for (const [key, value] of Object.entries({ ...fields, updatedAt: new Date().toISOString() })) {
    if (value === undefined) continue;
    names[`#${key}`] = key;
    values[`:${key}`] = value;
    sets.push(`#${key} = :${key}`);
  }
  if (options.appendApprovalId) {
    names['#approvalIds'] = 'approvalIds';
    values[':approvalId'] = [options.appendApprovalId];
    values[':empty'] = [];
    sets.push('#approvalIds = list_append(if_not_exists(#approvalIds, :empty), :approvalId)');
  }
  let condition = 'attribute_exists(#runId)';
  if (options.onlyIfStatusIn?.length) {
    names['#status'] = 'status';
    const keys = options.onlyIfStatusIn.map((s, i) => {
      values[`:allowed${i}`] = s;
      return `:allowed${i}`;
    });
    condition += ` AND #status IN (${keys.join(', ')})`;
  }
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: { runId, sk: RUN_SK },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  } catch (err) {
    if (isConditionFailure(err)) throw new ConflictError(`Run ${runId} does not exist or is no longer in status ${options.onlyIfStatusIn?.join('|') ?? 'any'}`);
    throw err;
  }
}

async function putStepItems(items: Record<string, unknown>[]): Promise<void> {
  if (items.length === 1) {
    await documentClient().send(new PutCommand({ TableName: table(), Item: items[0] }));
    return;
  }
  type Request = { PutRequest: { Item: Record<string, unknown> } };
  await untilProcessed(
    items.map((Item): Request => ({ PutRequest: { Item } })),
    async (requests) => ((await documentClient().send(new BatchWriteCommand({ RequestItems: { [table()]: requests } }))).UnprocessedItems?.[table()] ?? []) as Request[],
    'step record(s)',
  );
}

/** Step records written in the same turn (many concurrent runs in one process) go out in one BatchWriteItem. */
// Pure: esbuild drops it from bundles that never write step records (tests/infra/least-privilege).
const commitStepItem = /* @__PURE__ */ groupCommit(putStepItems, {
  maxBatch: 25,
  conflicts: (a, b) => a.runId === b.runId && a.sk === b.sk,
});

export async function putStepRecord(record: StepRecord): Promise<void> {
  await commitStepItem({ ...record, sk: stepSk(record.stepId) });
}

/**
 * The run and its step records, in one strongly consistent Query: a step reads what the steps
 * before it recorded (functions/steps/run-view.ts), so it must see their writes.
 */
export async function getRunWithSteps(runId: string): Promise<{ run: RunRecord; steps: StepRecord[] } | undefined> {
  const items = await queryAll({ TableName: table(), KeyConditionExpression: 'runId = :r', ExpressionAttributeValues: { ':r': runId }, ConsistentRead: true });
  const run = items.find((i) => i.sk === RUN_SK);
  if (!run) return undefined;
  const steps = items.filter((i) => i.sk !== RUN_SK).map((i) => stripKeys(i) as unknown as StepRecord);
  steps.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  return { run: stripKeys(run) as unknown as RunRecord, steps };
}

/**
 * The run and the records of the steps named, strongly consistent (consistent-reads.ts: the reads
 * of concurrent steps share one BatchGetItem): what a step reads back of its run
 * (functions/steps/run-view.ts), the steps being those its execution state says have run.
 */
export async function getRunAndSteps(runId: string, stepIds: readonly string[]): Promise<{ run: RunRecord; steps: StepRecord[] } | undefined> {
  const [run, ...steps] = await readItems(table(), ['runId', 'sk'], [{ runId, sk: RUN_SK }, ...stepIds.map((stepId) => ({ runId, sk: stepSk(stepId) }))]);
  if (!run) return undefined;
  const found = steps.filter((s) => s !== undefined).map((s) => stripKeys(s) as unknown as StepRecord);
  found.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  return { run: stripKeys(run) as unknown as RunRecord, steps: found };
}

/** The runs whose retrieve steps searched a knowledge snapshot (the bySnapshot index), at most `limit`. */
export async function runsBySnapshot(snapshot: string, limit: number): Promise<{ runIds: string[]; truncated: boolean }> {
  const runIds: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient().send(
      new QueryCommand({ TableName: table(), IndexName: 'bySnapshot', KeyConditionExpression: 'knowledgeSnapshot = :s', ExpressionAttributeValues: { ':s': snapshot }, ExclusiveStartKey: start, Limit: limit + 1 }),
    );
    runIds.push(...(out.Items ?? []).map((i) => String(i.runId)));
    start = out.LastEvaluatedKey;
  } while (start && runIds.length <= limit);
  return { runIds: [...new Set(runIds)].slice(0, limit), truncated: runIds.length > limit };
}

export interface RunPage {
  readonly runs: RunRecord[];
  readonly nextCursor?: string;
}

export interface RunFilter {
  readonly workflowId?: string;
  readonly status?: RunStatus;
  /** Runs a release served. */
  readonly releaseId?: string;
  /** Runs started at or after / before these times (ISO 8601). */
  readonly from?: string;
  readonly to?: string;
  readonly limit: number;
  readonly cursor?: string;
}

/**
 * Newest first when filtered by workflow (GSI byWorkflow, the time window in its key condition);
 * otherwise a filtered scan. Status and release are filters: a page may hold fewer than `limit`
 * runs and still have a next cursor.
 */
export async function listRuns(filter: RunFilter): Promise<RunPage> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const filters: string[] = [];
  if (filter.status) {
    names['#status'] = 'status';
    values[':status'] = filter.status;
    filters.push('#status = :status');
  }
  if (filter.releaseId) {
    values[':release'] = filter.releaseId;
    filters.push('releaseId = :release');
  }
  // Times compare as text, so both ends take createdAt's own form; `to` is exclusive.
  if (filter.from) values[':from'] = new Date(filter.from).toISOString();
  if (filter.to) values[':to'] = new Date(Date.parse(filter.to) - 1).toISOString();
  const window = filter.from && filter.to ? 'createdAt BETWEEN :from AND :to' : filter.from ? 'createdAt >= :from' : filter.to ? 'createdAt <= :to' : undefined;
  const cursorScope = filter.workflowId ? `runs:byWorkflow:${filter.workflowId}` : 'runs:scan';
  const common = { TableName: table(), Limit: filter.limit, ExclusiveStartKey: await decodeCursor(filter.cursor, cursorScope) };
  const out = filter.workflowId
    ? await documentClient().send(
        new QueryCommand({
          ...common,
          IndexName: 'byWorkflow',
          ScanIndexForward: false,
          // The index's sort key is createdAt: the window is a key condition, so nothing outside it is read.
          KeyConditionExpression: `workflowId = :w${window ? ` AND ${window}` : ''}`,
          ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: { ':w': filter.workflowId, ...values },
        }),
      )
    : await documentClient().send(
        new ScanCommand({
          ...common,
          FilterExpression: ['#sk = :run', ...filters, ...(window ? [window] : [])].join(' AND '),
          ExpressionAttributeNames: { '#sk': 'sk', ...names },
          ExpressionAttributeValues: { ':run': RUN_SK, ...values },
        }),
      );
  return { runs: (out.Items ?? []).map((i) => stripKeys(i) as unknown as RunRecord), nextCursor: await encodeCursor(out.LastEvaluatedKey, cursorScope) };
}

/** The workflow's recorded runs (not replays) that ended between two times, oldest first, at most `limit`. */
export async function endedRunsBetween(workflowId: string, from: string, to: string, limit: number): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient().send(
      new QueryCommand({
        TableName: table(),
        IndexName: 'byWorkflow',
        KeyConditionExpression: 'workflowId = :w AND createdAt BETWEEN :from AND :to',
        FilterExpression: `attribute_not_exists(replay) AND ${endedFilter.expression}`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':w': workflowId, ':from': from, ':to': to, ...endedFilter.values },
        ExclusiveStartKey: start,
      }),
    );
    runs.push(...(out.Items ?? []).map((i) => stripKeys(i) as unknown as RunRecord));
    start = out.LastEvaluatedKey;
  } while (start && runs.length < limit);
  return runs.slice(0, limit);
}

/** Runs a release served that have ended, with how they ended (a scan: for the local rollout monitor, while a release bakes). */
export async function endedRunsOfRelease(releaseId: string): Promise<{ runId: string; status: RunStatus }[]> {
  return scanAll<{ runId: string; status: RunStatus }>({
    TableName: table(),
    FilterExpression: `sk = :run AND releaseId = :release AND attribute_not_exists(replay) AND ${endedFilter.expression}`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':run': RUN_SK, ':release': releaseId, ...endedFilter.values },
    ProjectionExpression: 'runId, #status',
  });
}

/** Erases a person's data from every run and step record (functions/erasure/): `redacted` hears of each item changed. */
export function redactRunItems(redact: ItemRedaction, redacted: (item: Record<string, unknown>, pointers: string[]) => void): Promise<void> {
  return redactTable(table(), ['runId', 'sk'], redact, redacted);
}
