/**
 * What the handlers publish (functions/shared/metrics.ts), as CloudWatch reads it: EMF lines on
 * stdout with the names and dimensions functions/shared/metric-names.ts declares, the ones the
 * stage's dashboard and alarms and each release's rollback alarms read. The gateway publishes each
 * walk per provider, whether it ended in an answer or an exhausted chain.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generate } from '../../../functions/gateway/model-gateway.js';
import { DECISION_METRICS, GATE_METRICS, METRICS_NAMESPACE, PROVIDER_METRICS, RELEASE_COUNTS, USAGE_METRICS, WORKFLOW_METRICS } from '../../../functions/shared/metric-names.js';
import { publishApprovalsPastSla, publishDecision, publishGateFailures, publishRunEnded, publishRunStarted, publishUsage } from '../../../functions/shared/metrics.js';
import { timeToDecisionMs } from '../../../functions/records/approvals.js';
import { countsOf } from '../../../state-machines/rollout.js';
import { bedrockError } from '../../support/fake-model-servers.js';
import { ref } from '../gateway/fixtures.js';
import { BASE_REQUEST, useFakeProviders } from '../gateway/harness.js';

interface Emf {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

/** The EMF lines written to stdout while `act` runs. */
async function emfOf(act: () => unknown): Promise<Emf[]> {
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    await act();
  } finally {
    write.mockRestore();
  }
  return lines.flatMap((l) => l.split('\n')).filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l) as Emf);
}
const dimensionsOf = (line: Emf) => line._aws.CloudWatchMetrics[0]!.Dimensions;
const namesOf = (line: Emf) => line._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name).sort();
const unitOf = (line: Emf, name: string) => line._aws.CloudWatchMetrics[0]!.Metrics.find((m) => m.Name === name)?.Unit;

const h = useFakeProviders();
afterEach(() => vi.restoreAllMocks());

describe('published metrics', () => {
  it("counts an ended run for its release (the rollback alarms') and for its workflow (the stage's), with a failed delivery", async () => {
    const [release, workflow] = await emfOf(() => publishRunEnded('support-reply', 'rel-0123456789abcdef', countsOf({ status: 'delivery_failed', decision: 'approved' }), true));
    expect(release!._aws.CloudWatchMetrics[0]!.Namespace).toBe(METRICS_NAMESPACE);
    expect(dimensionsOf(release!)).toEqual([['service', 'Workflow', 'Release']]);
    expect(namesOf(release!)).toEqual(Object.values(RELEASE_COUNTS).sort());
    expect(release).toMatchObject({ Workflow: 'support-reply', Release: 'rel-0123456789abcdef', RunsEnded: 1, Approved: 1, Errors: 1 });
    expect(dimensionsOf(workflow!)).toEqual([['service', 'Workflow']]);
    expect(workflow).toMatchObject({ Workflow: 'support-reply', RunsEnded: 1, [WORKFLOW_METRICS.deliveryFailed]: 1 });
    expect(workflow).not.toHaveProperty('Release');
  });

  it('counts a run that no release served (a workflow without one) for its workflow only', async () => {
    const lines = await emfOf(() => publishRunEnded('support-reply', undefined, countsOf({ status: 'needs_human' }), false));
    expect(lines.map(dimensionsOf)).toEqual([[['service', 'Workflow']]]);
    expect(lines[0]).toMatchObject({ NeedsHuman: 1, DeliveryFailed: 0 });
  });

  it('counts approvals past their time per workflow', async () => {
    const lines = await emfOf(() => publishApprovalsPastSla(new Map([['support-reply', 3], ['rfp', 1]])));
    expect(lines.map((l) => [l.Workflow, l[WORKFLOW_METRICS.approvalsPastSla]])).toEqual([['support-reply', 3], ['rfp', 1]]);
  });

  it("publishes a gateway walk per provider: calls, failures, the fallback from a failing one", async () => {
    h.bedrock.script(bedrockError(503, 'ServiceUnavailableException'), bedrockError(503, 'ServiceUnavailableException'));
    const lines = await emfOf(() => generate({ ...BASE_REQUEST, chain: [ref('bedrock', 'm-1'), ref('openai', 'gpt-4o-mini')] }, { sleep: h.sleep }));
    const byProvider = Object.fromEntries(lines.map((l) => [l.Provider, l]));
    expect(lines.map(dimensionsOf).flat()).toEqual([['service', 'Provider'], ['service', 'Provider']]);
    expect(byProvider.bedrock).toMatchObject({ [PROVIDER_METRICS.calls]: 2, [PROVIDER_METRICS.failures]: 2, [PROVIDER_METRICS.fallbacks]: 1, [PROVIDER_METRICS.cooldownSkips]: 0 });
    expect(byProvider.openai).toMatchObject({ [PROVIDER_METRICS.calls]: 1, [PROVIDER_METRICS.failures]: 0, [PROVIDER_METRICS.fallbacks]: 0 });
  });

  it('publishes an exhausted chain too', async () => {
    h.bedrock.script(bedrockError(400, 'ValidationException'));
    const lines = await emfOf(() => generate({ ...BASE_REQUEST, chain: [ref('bedrock', 'm-1', { fallbackOn: ['timeout'] })] }, { sleep: h.sleep }).catch(() => undefined));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ Provider: 'bedrock', [PROVIDER_METRICS.calls]: 1, [PROVIDER_METRICS.failures]: 1 });
  });

  it('counts a started run for its workflow', async () => {
    const [line] = await emfOf(() => publishRunStarted('support-reply'));
    expect(dimensionsOf(line!)).toEqual([['service', 'Workflow']]);
    expect(line).toMatchObject({ Workflow: 'support-reply', [WORKFLOW_METRICS.runsStarted]: 1 });
  });

  it('publishes a decision per workflow, action, reason code and route path: the time it took and what an edit changed', async () => {
    const lines = await emfOf(() => publishDecision({ workflowId: 'support-reply', action: 'edit', reasonCode: 'tone', routeKey: 'support-reply/route/billing', timeToDecisionMs: timeToDecisionMs('2026-12-01T10:00:00.000Z', '2026-12-01T10:02:30.500Z'), editDistance: 42 }));
    expect(lines.map(dimensionsOf)).toEqual([[['service', 'Workflow']], [['service', 'Workflow', 'Action']], [['service', 'Workflow', 'Action', 'ReasonCode']], [['service', 'Workflow', 'RoutePath']]]);
    for (const line of lines) {
      expect(line).toMatchObject({ Workflow: 'support-reply', [DECISION_METRICS.decisions]: 1, [DECISION_METRICS.timeToDecision]: 150_500, [DECISION_METRICS.editDistance]: 42 });
      expect(unitOf(line, DECISION_METRICS.timeToDecision)).toBe('Milliseconds');
    }
    expect(lines[2]).toMatchObject({ Action: 'edit', ReasonCode: 'tone' });
    expect(lines[3]).toMatchObject({ RoutePath: 'support-reply/route/billing' });
  });

  it('publishes an approval without reason code, route path or edit under workflow and action only', async () => {
    const lines = await emfOf(() => publishDecision({ workflowId: 'support-reply', action: 'approve', timeToDecisionMs: timeToDecisionMs('2026-12-01T10:00:00.000Z', '2026-12-01T10:00:05.000Z') }));
    expect(lines.map(dimensionsOf)).toEqual([[['service', 'Workflow']], [['service', 'Workflow', 'Action']]]);
    const line = lines[1];
    expect(namesOf(line!)).toEqual([DECISION_METRICS.decisions, DECISION_METRICS.timeToDecision].sort());
    expect(line).toMatchObject({ [DECISION_METRICS.timeToDecision]: 5000 });
  });

  it('counts failed quality gates per gate', async () => {
    const lines = await emfOf(() => publishGateFailures('support-reply', 'draft', ['length', 'personal_data', 'personal_data']));
    expect(lines.map((l) => [dimensionsOf(l).flat().join(' '), l.Gate, l[GATE_METRICS.failures]])).toEqual([
      ['service Workflow', undefined, 1],
      ['service Workflow Step Gate', 'length', 1],
      ['service Workflow', undefined, 2],
      ['service Workflow Step Gate', 'personal_data', 2],
    ]);
  });

  it('publishes tokens and cost per workflow, step and model; an unpriced model publishes tokens only', async () => {
    const lines = await emfOf(() => {
      publishUsage('support-reply', 'draft', 'openai/gpt-4o-mini', { inputTokens: 1200, outputTokens: 300 }, 0.00036);
      publishUsage('support-reply', 'draft', 'bedrock/unknown', { inputTokens: 10, outputTokens: 5 }, null);
    });
    expect(lines.slice(0, 3).map(dimensionsOf)).toEqual([[['service', 'Workflow']], [['service', 'Workflow', 'Step']], [['service', 'Workflow', 'Model']]]);
    expect(lines[1]).toMatchObject({ Step: 'draft' });
    const [priced, unpriced] = [lines[2], lines[5]];
    expect(priced).toMatchObject({ Model: 'openai/gpt-4o-mini', [USAGE_METRICS.inputTokens]: 1200, [USAGE_METRICS.outputTokens]: 300, [USAGE_METRICS.costUsd]: 0.00036 });
    expect(unpriced).not.toHaveProperty(USAGE_METRICS.costUsd);
    expect(unpriced).toMatchObject({ Model: 'bedrock/unknown', [USAGE_METRICS.inputTokens]: 10 });
  });
});
