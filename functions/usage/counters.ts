/**
 * Usage counters in the gateway table: one item per workflow and UTC day, updated with ADD (a
 * single-item atomic update per generate step, or one for the steps of a workflow counted in the
 * same turn, so totals need no read-modify-write and no transaction). Per-run totals are not counted here: they are the sum of the run's step records,
 * which already carry tokens and cost and are rewritten, not added to, if a step runs again.
 *
 * Item: { pk: "usage#wf#<workflowId>", sk: "day#<YYYY-MM-DD>", workflowId, day, inputTokens,
 * outputTokens, costNanoUsd, steps, unpricedSteps, fallbacks, and `cost@<provider>/<model>` (nano-USD) for each
 * model priced that day: ADD works on top-level numbers only, so each model is its own attribute }. GSI byDay (day, workflowId) answers "all
 * workflows on a day".
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '../records/dynamo-helpers.js';
import { groupCommit } from '../records/group-commit.js';
import { documentClient } from '../shared/aws-clients.js';
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';

export interface UsageDelta {
  readonly workflowId: string;
  /** UTC day, YYYY-MM-DD. */
  readonly day: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Null when the model has no price: counted as an unpriced step instead. */
  readonly costNanoUsd: number | null;
  /** `<provider>/<model>`: the day's cost is also counted per model. */
  readonly model?: string;
  /** The step was answered by a later model of its chain than the first (counted as a fallback). */
  readonly fellBack?: boolean;
}

export interface UsageRow {
  readonly workflowId: string;
  readonly day: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  readonly steps: number;
  /** Generate steps whose model had no price: costUsd leaves them out. */
  readonly unpricedSteps: number;
  /** Steps answered by a later model of their chain than the first (it failed or was cooling down). */
  readonly fallbacks: number;
  /** USD per `<provider>/<model>` (priced steps counted since models were recorded). */
  readonly costByModel: Record<string, number>;
}

/** The attribute that counts one model's cost (nano-USD). */
const MODEL_COST_PREFIX = 'cost@';

export const BY_DAY_INDEX = 'byDay';
const table = () => requireEnv(ENV.gatewayTable);
const key = (workflowId: string, day: string) => ({ pk: `usage#wf#${workflowId}`, sk: `day#${day}` });

async function addTotals(deltas: UsageDelta[]): Promise<void> {
  const [first] = deltas;
  if (!first) return;
  const sum = (f: (d: UsageDelta) => number) => deltas.reduce((n, d) => n + f(d), 0);
  const byModel = new Map<string, number>();
  for (const d of deltas) if (d.model && d.costNanoUsd !== null) byModel.set(d.model, (byModel.get(d.model) ?? 0) + d.costNanoUsd);
  const models = [...byModel].map(([model, nano], i) => ({ name: [`#m${i}`, `${MODEL_COST_PREFIX}${model}`], value: [`:m${i}`, nano] }));
  await documentClient().send(
    new UpdateCommand({
      TableName: table(),
      Key: key(first.workflowId, first.day),
      UpdateExpression: `SET workflowId = :w, #day = :d ADD inputTokens :i, outputTokens :o, costNanoUsd :c, steps :n, unpricedSteps :u, fallbacks :f${models.map((m) => `, ${m.name[0]} ${m.value[0]}`).join('')}`,
      ExpressionAttributeNames: { '#day': 'day', ...Object.fromEntries(models.map((m) => m.name)) },
      ExpressionAttributeValues: {
        ...Object.fromEntries(models.map((m) => m.value)),
        ':w': first.workflowId,
        ':d': first.day,
        ':i': sum((d) => d.inputTokens),
        ':o': sum((d) => d.outputTokens),
        ':c': sum((d) => d.costNanoUsd ?? 0),
        ':n': deltas.length,
        ':u': sum((d) => (d.costNanoUsd === null ? 1 : 0)),
        ':f': sum((d) => (d.fellBack ? 1 : 0)),
      },
    }),
  );
}

/** Steps counted in the same turn for the same workflow and day share one ADD (group-commit.ts). */
const commitUsage = /* @__PURE__ */ groupCommit<UsageDelta>(addTotals, {
  maxBatch: 1000,
  conflicts: (a, b) => a.workflowId !== b.workflowId || a.day !== b.day,
});

export async function addUsage(delta: UsageDelta): Promise<void> {
  await commitUsage(delta);
}

function toRow(item: Record<string, unknown>): UsageRow {
  const n = (v: unknown) => Number(v ?? 0);
  return {
    workflowId: String(item.workflowId),
    day: String(item.day),
    inputTokens: n(item.inputTokens),
    outputTokens: n(item.outputTokens),
    costUsd: n(item.costNanoUsd) / 1e9,
    steps: n(item.steps),
    unpricedSteps: n(item.unpricedSteps),
    fallbacks: n(item.fallbacks),
    costByModel: Object.fromEntries(Object.entries(item).filter(([k]) => k.startsWith(MODEL_COST_PREFIX)).map(([k, v]) => [k.slice(MODEL_COST_PREFIX.length), n(v) / 1e9])),
  };
}

/** Counter rows for a workflow on a day, a workflow on every day, or every workflow on a day. */
export async function usageRows(filter: { workflowId?: string; day?: string }): Promise<UsageRow[]> {
  const { workflowId, day } = filter;
  if (workflowId && day) {
    const out = await documentClient().send(new GetCommand({ TableName: table(), Key: key(workflowId, day) }));
    return out.Item ? [toRow(out.Item)] : [];
  }
  if (workflowId) {
    const items = await queryAll({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :day)',
      ExpressionAttributeValues: { ':pk': key(workflowId, '').pk, ':day': 'day#' },
    });
    return items.map(toRow);
  }
  if (day) {
    const items = await queryAll({
      TableName: table(),
      IndexName: BY_DAY_INDEX,
      KeyConditionExpression: '#day = :day',
      ExpressionAttributeNames: { '#day': 'day' },
      ExpressionAttributeValues: { ':day': day },
    });
    return items.map(toRow);
  }
  return [];
}
