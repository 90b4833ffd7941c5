/**
 * The stage's dashboard and alarms (infra/constructs/observability.ts): a section per workflow and one
 * for the model providers, alarms on the human queue, failed deliveries, approvals past their time and
 * provider failures, all to one encrypted, TLS-only topic CloudWatch may publish to.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app-factory.js';
import { DECISION_METRICS, GATE_METRICS, PROVIDER_METRICS, USAGE_METRICS, WORKFLOW_METRICS } from '../../functions/shared/metric-names.js';

const template = Template.fromStack(buildApp({ stage: 'dev', bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) }).stack);
const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a) => /^Handrail dev: /.test(a.Properties.AlarmDescription));
const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
const metricsOf = (alarm: any): { name: string; dims: Record<string, string> }[] =>
  alarm.Properties.MetricName
    ? [{ name: alarm.Properties.MetricName, dims: Object.fromEntries(alarm.Properties.Dimensions.map((d: any) => [d.Name, d.Value])) }]
    : alarm.Properties.Metrics.filter((m: any) => m.MetricStat).map((m: any) => ({ name: m.MetricStat.Metric.MetricName, dims: Object.fromEntries(m.MetricStat.Metric.Dimensions.map((d: any) => [d.Name, d.Value])) }));

describe('the stage dashboard and alarms', () => {
  it('has a dashboard section per workflow and one for the providers the stage calls', () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboard!.Properties.DashboardName).toBe('Handrail-dev');
    const body = JSON.stringify(dashboard!.Properties.DashboardBody);
    expect(body).toContain('## support-reply');
    expect(body).toContain('## sales-outreach');
    expect(body).toContain('## meeting-notes');
    expect(body).toContain('## Model providers');
    for (const name of [WORKFLOW_METRICS.runs, WORKFLOW_METRICS.runsStarted, WORKFLOW_METRICS.needsHuman, WORKFLOW_METRICS.deliveryFailed, WORKFLOW_METRICS.approved, WORKFLOW_METRICS.rejected, PROVIDER_METRICS.calls, PROVIDER_METRICS.fallbacks]) expect(body).toContain(name);
    for (const name of [...Object.values(DECISION_METRICS), ...Object.values(GATE_METRICS), ...Object.values(USAGE_METRICS)]) expect(body).toContain(name);
    expect(body).toContain('p90');
    expect(body).toContain('bedrock');
    expect(body).toContain('openai');
  });

  it('alarms per workflow on the human queue rate, failed deliveries and approvals past their time, on the workflow metrics', () => {
    const onWorkflow = alarms.filter((a) => metricsOf(a).every((m) => m.dims.Workflow === 'support-reply'));
    expect(onWorkflow.map((a) => metricsOf(a).map((m) => m.name).sort().join('+')).sort()).toEqual(
      [[WORKFLOW_METRICS.needsHuman, WORKFLOW_METRICS.runs].sort().join('+'), WORKFLOW_METRICS.deliveryFailed, WORKFLOW_METRICS.approvalsPastSla].sort(),
    );
    // Per workflow, not per release: the dimensions are exactly service and Workflow.
    for (const a of onWorkflow) for (const m of metricsOf(a)) expect(Object.keys(m.dims).sort()).toEqual(['Workflow', 'service']);
  });

  it('alarms per provider on the share of failed calls (dev calls bedrock and openai; offline never alarms)', () => {
    const onProviders = alarms.filter((a) => metricsOf(a).some((m) => m.dims.Provider));
    expect(onProviders.map((a) => metricsOf(a)[0]!.dims.Provider).sort()).toEqual(['bedrock', 'openai']);
    for (const a of onProviders) expect(metricsOf(a).map((m) => m.name).sort()).toEqual([PROVIDER_METRICS.calls, PROVIDER_METRICS.failures].sort());
  });

  it('sends every alarm to one topic, encrypted with a key CloudWatch may use, TLS only', () => {
    // Three per shipped workflow (support-reply, sales-outreach, rfp-response, kb-update, meeting-notes), two per provider.
    expect(alarms.length).toBe(3 * 5 + 2);
    for (const a of alarms) expect(a.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] })]) },
    });
    expect(Object.keys(template.findOutputs('*')).some((o) => o.includes('AlarmTopicArn'))).toBe(true);
  });
});
