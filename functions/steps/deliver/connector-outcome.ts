/**
 * How a deliver step through a vendor's API (Zendesk, HubSpot, Slack) ends, whichever the vendor: the
 * step record with every API call of every invocation; then either the run `delivered` with the
 * vendor's part of the delivery record, or the failure on the run, its audit event and
 * DeliveryFailed (the state machine marks the run `delivery_failed`: the human queue).
 */
import { recordAudit } from '../../records/audit.js';
import { putStepRecord, updateRun, type DeliveryRecord, type RunRecord } from '../../records/runs.js';
import { DeliveryFailed } from '../../shared/errors.js';
import type { ExecutionState } from '../../shared/step-contract.js';
import { expiryOf } from '../../shared/ttl.js';

/** The vendors a deliver step may act on, as the delivery record names their part. */
export type ConnectorTarget = 'zendesk' | 'hubspot' | 'slack' | 'knowledge' | 'email';

/** What a connector writes down of each API call (connectors/call-recorder.ts; Slack's Web API calls, with their `result`). */
export interface RecordedCall {
  readonly attempt: number;
  readonly status?: number;
  readonly error?: string;
  /** Slack's answer (`ok`, or the error it names) where the HTTP status says 200 either way. */
  readonly result?: string;
  readonly at: string;
}

export interface ConnectorDelivery {
  readonly stepId: string;
  readonly state: ExecutionState;
  readonly record: RunRecord;
  readonly text: string;
  readonly to: ConnectorTarget;
  readonly startedAt: Date;
  /** Every API call of every invocation of the step (no headers, no token). */
  readonly calls: readonly RecordedCall[];
  /** What the step was asked to do (the step record's input). */
  readonly input: Record<string, unknown>;
  /** What the step acts on, for a failure's message: e.g. `Zendesk ticket 4711`. */
  readonly target: string;
}

export type ConnectorOutcome = { readonly ok: true; readonly output: Record<string, unknown> } | { readonly ok: false; readonly error: string };

/** The delivery record's attempts: one per API call. */
function attemptsOf(calls: readonly RecordedCall[]): DeliveryRecord['attempts'] {
  return calls.map((c) => {
    const error = c.error ?? (c.result && c.result !== 'ok' ? c.result : undefined);
    return { attempt: c.attempt, ...(c.status !== undefined ? { status: c.status } : {}), ...(error ? { error } : {}), at: c.at };
  });
}

/**
 * Records the outcome; resolves with the step's output when delivered, throws DeliveryFailed when not.
 * `url`: where a person sees what was done (the ticket, the contact); `vendor`: the delivery record's part for `to`.
 */
export async function recordConnectorOutcome(d: ConnectorDelivery, outcome: ConnectorOutcome, url: string, vendor: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { runId, releaseId } = d.state.run;
  const finishedAt = new Date();
  await putStepRecord({
    runId,
    stepId: d.stepId,
    kind: 'deliver',
    status: outcome.ok ? 'succeeded' : 'failed',
    startedAt: d.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    latencyMs: finishedAt.getTime() - d.startedAt.getTime(),
    input: { to: d.to, ...d.input },
    output: outcome.ok ? outcome.output : undefined,
    attempts: [...d.calls],
    ...(outcome.ok ? {} : { error: outcome.error }),
    ...expiryOf(d.record.retention, 'steps', finishedAt),
  });
  const delivery = { text: d.text, url, attempts: attemptsOf(d.calls), [d.to]: vendor };
  if (!outcome.ok) {
    await updateRun(runId, { delivery: { ...delivery, status: 'failed' } as DeliveryRecord });
    await recordAudit({ subject: runId, runId, type: 'delivery.failed', actor: 'handrail', details: { url, to: d.to, ...d.input, calls: d.calls.length } });
    throw new DeliveryFailed(`deliver ${d.stepId}: ${d.target}: ${outcome.error}`);
  }
  const deliveredAt = finishedAt.toISOString();
  await updateRun(runId, { status: 'delivered', delivery: { ...delivery, status: 'delivered', deliveredAt } as DeliveryRecord, releaseId });
  return { status: 'delivered', deliveredAt, to: d.to, ...outcome.output, calls: d.calls.length };
}
