/**
 * What Athena sees of a DynamoDB export (infra/constructs/audit-exports.ts): the Glue columns of the
 * runs, approvals and audit tables, each declared with the attributes the records modules write
 * (functions/records/runs.ts, approvals.ts, audit.ts), checked against their record types by tsc.
 *
 * An export in DYNAMODB_JSON writes one line per item, `{"Item": {"runId": {"S": "run-1"}, …}}`,
 * every value wrapped in its type descriptor (S, N, M, L, NULL…). So each table has one column,
 * `item` (the OpenX JSON SerDe matches keys case-insensitively, so it reads `Item`), a struct of attributes, each a struct of the descriptors it may carry: a query reads
 * `item.workflowId.S`, `item.usage.M.inputTokens.N`. Numbers arrive as strings (CAST them). An
 * attribute an item does not have is NULL; attributes not declared here are in the files but not in
 * the columns (a run's input, a draft's text, …): add them here when a query needs them.
 *
 * @example itemType(EXPORTED_TABLES.runs.item) // 'struct<runId:struct<S:string>,sk:struct<S:string>,…>'
 */
import type { Decision, ApprovalRecord, Vote, ApprovalItem } from '../functions/records/approvals.js';
import type { AuditEvent } from '../functions/records/audit.js';
import type { DeliveryRecord, RunRecord, StepRecord } from '../functions/records/runs.js';
import type { GenerateOutput, Passage, ReplayRef, RetrieveOutput } from '../functions/shared/step-contract.js';

/** One attribute: the Glue type of its descriptor struct, e.g. `struct<S:string>`. */
export interface Attr {
  /** Descriptor → Glue type (`S` → `string`, `M` → `struct<…>`); several when the attribute takes several. */
  readonly descriptors: Readonly<Record<string, string>>;
}

const attr = (descriptors: Record<string, string>): Attr => ({ descriptors });
const struct = (fields: Readonly<Record<string, Attr>>) => `struct<${Object.entries(fields).map(([name, a]) => `${name}:${glueType(a)}`).join(',')}>`;

/** The Glue type of an attribute: its descriptors as a struct. */
export function glueType(a: Attr): string {
  return `struct<${Object.entries(a.descriptors).map(([d, t]) => `${d}:${t}`).join(',')}>`;
}

export const S = attr({ S: 'string' });
export const N = attr({ N: 'string' });
/** A map whose attributes are those of `T` (only the names `T` has: tsc refuses another). */
export const M = <T>(fields: { readonly [K in keyof T & string]?: Attr }): Attr => attr({ M: struct(fields as Record<string, Attr>) });
export const L = (of: Attr): Attr => attr({ L: `array<${glueType(of)}>` });
/** An attribute that is one kind on some items and another on others (both descriptors, only one set). */
export const either = (...kinds: Attr[]): Attr => attr(Object.assign({}, ...kinds.map((k) => k.descriptors)));

/** The top-level `item` column of a table: its attributes, as a struct. */
export function itemType(item: Readonly<Record<string, Attr>>): string {
  return struct(item);
}

const decision = M<Decision>({ action: S, reviewer: S, channel: S, reasonCode: S, reason: S, decidedAt: S, editDistance: N });

/**
 * Run items (`sk = "run"`) and step items (`sk = "step#<stepId>"`) share the runs table, so one
 * column covers both; `error` is a map on a run and a string on a step.
 */
const runsItem = {
  runId: S,
  sk: S,
  // The run.
  workflowId: S,
  workflowVersion: S,
  releaseId: S,
  status: S,
  createdAt: S,
  updatedAt: S,
  executionArn: S,
  approvalIds: L(S),
  delivery: M<DeliveryRecord>({ status: S, url: S, deliveredAt: S }),
  replay: M<ReplayRef>({ replayId: S, of: S }),
  error: either(S, M<NonNullable<RunRecord['error']>>({ error: S, cause: S })),
  // A step: what it did, with which model, for how many tokens and dollars.
  stepId: S,
  kind: S,
  startedAt: S,
  finishedAt: S,
  latencyMs: N,
  provider: S,
  model: S,
  usage: M<NonNullable<StepRecord['usage']>>({ inputTokens: N, outputTokens: N }),
  // An unpriced step stores null (`{"NULL": true}`): its N reads as NULL (the NULL descriptor is not declared).
  costUsd: N,
  costNote: S,
  knowledgeSnapshot: S,
  // A retrieve step's output holds the passages it found; a generate step's, the ones its draft cites ([n]).
  output: M<RetrieveOutput & GenerateOutput>({
    passages: L(M<Passage>({ n: N, collection: S, docId: S, version: N, title: S, passageId: S })),
    citations: L(N),
    provider: S,
    model: S,
  }),
} satisfies { readonly [K in keyof RunRecord | keyof StepRecord | 'sk']?: Attr };

const approvalsItem = {
  approvalId: S,
  runId: S,
  workflowId: S,
  stepId: S,
  level: N,
  status: S,
  reviewers: L(S),
  requestedAt: S,
  deadline: S,
  requester: S,
  releaseId: S,
  requiredApprovals: N,
  routeKey: S,
  draft: M<ApprovalRecord['draft']>({ provider: S, model: S, citations: L(N) }),
  draftHash: S,
  decision,
  votes: L(M<Vote>({ reviewer: S, channel: S, decidedAt: S, reason: S })),
  items: L(M<ApprovalItem>({ itemId: S, title: S, status: S, decision })),
  closedReason: S,
  sources: L(M<ApprovalRecord['sources'][number]>({ n: N, docId: S, version: N, title: S, passageId: S })),
} satisfies { readonly [K in keyof ApprovalRecord]?: Attr };

/**
 * The details of the decision events (approval.decided, approval.vote, approval.item_decided,
 * approval.auto_approved: functions/approvals/decide.ts, decide-item.ts, autonomy/auto-approve.ts).
 */
interface DecisionDetails {
  approvalId: string;
  itemId: string;
  action: string;
  channel: string;
  authenticatedBy: string;
  reasonCode: string;
  reason: string;
  editDistance: number;
  routeKey: string;
}

const auditItem = {
  subject: S,
  at: S,
  seq: N,
  time: S,
  type: S,
  actor: S,
  runId: S,
  details: M<DecisionDetails>({ approvalId: S, itemId: S, action: S, channel: S, authenticatedBy: S, reasonCode: S, reason: S, editDistance: N, routeKey: S }),
  prev: S,
  hash: S,
} satisfies { readonly [K in keyof AuditEvent]?: Attr };

export interface ExportedTable {
  /** The Glue table's name (in the stage's exports database). */
  readonly glueName: string;
  /** Where its exports land in the exports bucket: `<prefix>/AWSDynamoDB/<exportId>/data/*.json.gz`. */
  readonly prefix: string;
  readonly item: Readonly<Record<string, Attr>>;
}

/** The tables exported for auditors, by the data layer's name for each. */
export const EXPORTED_TABLES = {
  runs: { glueName: 'runs', prefix: 'dynamodb/runs', item: runsItem },
  approvals: { glueName: 'approvals', prefix: 'dynamodb/approvals', item: approvalsItem },
  audit: { glueName: 'audit_events', prefix: 'dynamodb/audit', item: auditItem },
} as const satisfies Record<string, ExportedTable>;

/** Every export's id is its partition: a query names the export it reads (`WHERE export_id = ?`). */
export const EXPORT_ID_COLUMN = 'export_id';
