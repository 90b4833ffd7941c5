/**
 * The Athena queries auditors run on the scheduled exports (infra/constructs/audit-exports.ts saves
 * each as a named query in the stage's workgroup), written against the Glue columns of
 * infra/export-schema.ts. Athena SQL (Trino); each `?` is an execution parameter, given in the
 * order `parameters` lists, the first always the export id of the table read: a table's exports are
 * its partitions, and Athena reads only the one a query names (README, Exports for auditors).
 *
 * @example
 * # SQL: the named query's QueryString (aws athena batch-get-named-query); parameters are SQL literals.
 * aws athena start-query-execution --work-group handrail-prod-audit \
 *   --query-execution-context Database=handrail_prod_exports \
 *   --query-string "$SQL" --execution-parameters "'01767225600000-1a2b3c4d'" "'refund-policy'"
 */
import { EXPORT_ID_COLUMN, EXPORTED_TABLES } from './export-schema.js';

export interface AuditQuery {
  /** Construct id and Athena name. */
  readonly name: string;
  readonly description: string;
  /** What each `?` stands for, in order. */
  readonly parameters: readonly string[];
  readonly sql: string;
}

const { runs, audit } = EXPORTED_TABLES;

/** The audit events that record a decision on an approval (functions/records/audit.ts AuditEventType). */
const DECISION_EVENTS = ['approval.decided', 'approval.vote', 'approval.item_decided', 'approval.auto_approved'] as const;

/**
 * Every decision recorded in the previous calendar quarter (UTC), by reviewer: final decisions,
 * quorum votes, decisions on one part of a request, and graduated autonomy's approvals (its
 * reviewer is `handrail-autonomy`). Read from the audit trail, where each is one event whose actor
 * is who decided; a vote and an auto-approval are approvals.
 */
const decisionsByReviewer: AuditQuery = {
  name: 'decisions-by-reviewer-last-quarter',
  description: 'All decisions on approvals in the previous calendar quarter (UTC), by reviewer: what, when, why, on which run',
  parameters: [`${audit.glueName}: export id`],
  sql: `SELECT
  item.actor.S AS reviewer,
  from_iso8601_timestamp(item."time".S) AS decided_at,
  item.type.S AS event,
  CASE WHEN item.type.S IN ('approval.vote', 'approval.auto_approved') THEN 'approve' ELSE item.details.M.action.S END AS action,
  item.details.M.reasonCode.S AS reason_code,
  item.details.M.reason.S AS reason,
  item.details.M.channel.S AS channel,
  item.details.M.authenticatedBy.S AS authenticated_by,
  item.details.M.approvalId.S AS approval_id,
  item.details.M.itemId.S AS item_id,
  item.runId.S AS run_id
FROM ${audit.glueName}
WHERE ${EXPORT_ID_COLUMN} = ?
  AND item.type.S IN (${DECISION_EVENTS.map((t) => `'${t}'`).join(', ')})
  AND from_iso8601_timestamp(item."time".S) >= date_add('quarter', -1, date_trunc('quarter', current_timestamp))
  AND from_iso8601_timestamp(item."time".S) < date_trunc('quarter', current_timestamp)
ORDER BY reviewer, decided_at`,
};

/**
 * The runs whose draft cited a document: a generate step's citations ([n]) matched to the passages
 * the run's retrieve steps found (their `n`, document and version). Multi-array UNNEST keeps each
 * value a plain column on every Athena engine (an array of structs would unnest differently).
 */
const runsCitingDocument: AuditQuery = {
  name: 'runs-that-cited-document',
  description: 'Runs whose drafts cited a knowledge document (its docId), with the versions cited and the steps that cited them',
  parameters: [`${runs.glueName}: export id`, 'docId'],
  sql: `WITH export AS (
  SELECT item FROM ${runs.glueName} WHERE ${EXPORT_ID_COLUMN} = ?
),
found AS (
  SELECT e.item.runId.S AS run_id, n, doc_id, doc_version
  FROM export e
  CROSS JOIN UNNEST(
    transform(e.item.output.M.passages.L, p -> p.M.n.N),
    transform(e.item.output.M.passages.L, p -> p.M.docId.S),
    transform(e.item.output.M.passages.L, p -> p.M.version.N)
  ) AS t(n, doc_id, doc_version)
  WHERE e.item.kind.S = 'retrieve'
),
cited AS (
  SELECT e.item.runId.S AS run_id, e.item.stepId.S AS step_id, n
  FROM export e
  CROSS JOIN UNNEST(transform(e.item.output.M.citations.L, c -> c.N)) AS t(n)
  WHERE e.item.kind.S = 'generate'
)
SELECT
  r.item.runId.S AS run_id,
  r.item.workflowId.S AS workflow_id,
  r.item.status.S AS status,
  r.item.createdAt.S AS created_at,
  r.item.releaseId.S AS release_id,
  array_join(array_sort(array_agg(DISTINCT found.doc_version)), ',') AS versions_cited,
  array_join(array_sort(array_agg(DISTINCT cited.step_id)), ',') AS cited_by_steps
FROM export r
JOIN found ON found.run_id = r.item.runId.S
JOIN cited ON cited.run_id = found.run_id AND cited.n = found.n
WHERE r.item.sk.S = 'run' AND found.doc_id = ?
GROUP BY r.item.runId.S, r.item.workflowId.S, r.item.status.S, r.item.createdAt.S, r.item.releaseId.S
ORDER BY created_at`,
};

/**
 * What each workflow's model calls cost, per month (UTC) of the step that made them: the steps'
 * recorded cost and tokens (functions/steps/model-step-record.ts) summed per run's workflow. Costs
 * are list prices (prices.yaml); a step whose model has no price counts in `unpriced_steps`, not in
 * the cost. Replays spend too: their share is also shown on its own.
 */
const costByWorkflow: AuditQuery = {
  name: 'cost-by-workflow-per-month',
  description: 'Model cost (USD, list prices) and tokens per workflow and month, from the step records; replays included and shown apart',
  parameters: [`${runs.glueName}: export id`],
  sql: `WITH export AS (
  SELECT item FROM ${runs.glueName} WHERE ${EXPORT_ID_COLUMN} = ?
),
run AS (
  SELECT item.runId.S AS run_id, item.workflowId.S AS workflow_id, item.replay IS NOT NULL AS replay
  FROM export WHERE item.sk.S = 'run'
),
step AS (
  SELECT
    item.runId.S AS run_id,
    date_format(from_iso8601_timestamp(item.finishedAt.S), '%Y-%m') AS month,
    CAST(item.costUsd.N AS double) AS cost_usd,
    CAST(item.usage.M.inputTokens.N AS bigint) AS input_tokens,
    CAST(item.usage.M.outputTokens.N AS bigint) AS output_tokens
  FROM export WHERE item.sk.S LIKE 'step#%' AND item.usage IS NOT NULL
)
SELECT
  run.workflow_id,
  step.month,
  count(DISTINCT step.run_id) AS runs,
  round(sum(step.cost_usd), 6) AS cost_usd,
  round(sum(CASE WHEN run.replay THEN step.cost_usd ELSE 0 END), 6) AS replay_cost_usd,
  sum(step.input_tokens) AS input_tokens,
  sum(step.output_tokens) AS output_tokens,
  count_if(step.cost_usd IS NULL) AS unpriced_steps
FROM step JOIN run ON run.run_id = step.run_id
GROUP BY run.workflow_id, step.month
ORDER BY run.workflow_id, step.month`,
};

/** The named queries of the stage's audit workgroup. */
export const AUDIT_QUERIES: readonly AuditQuery[] = [decisionsByReviewer, runsCitingDocument, costByWorkflow];
