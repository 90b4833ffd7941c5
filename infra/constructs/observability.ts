/**
 * What the operator of a stage watches: one CloudWatch dashboard (`Handrail-<stage>`) with a section
 * per workflow and one for the model providers, and the alarms that say something needs a person —
 * per workflow, too many runs in the human queue, a delivery that failed, approvals past their
 * reviewers' time; per provider, too many failed calls — all to one SNS topic the operator subscribes
 * to (encrypted with its own key, which CloudWatch may use to publish). A workflow's section shows its
 * runs and decisions, time to decision and edit distance, gate failures, tokens and cost. Everything
 * reads the metrics the handlers publish (functions/shared/metric-names.ts).
 */
import { CfnOutput, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DECISION_METRICS, GATE_METRICS, METRICS_NAMESPACE, PROVIDER_METRICS, providerDimensions, USAGE_METRICS, WORKFLOW_METRICS, workflowDimensions } from '../../functions/shared/metric-names.js';
import type { LoadedWorkflow } from '../../state-machines/load-workflow.js';

/** The share of ended runs in the human queue past which a workflow's alarm fires, unless its rollbackWhen names one. */
export const DEFAULT_NEEDS_HUMAN_RATE = 0.1;
/** The share of a provider's calls that may fail, once it made MIN_PROVIDER_CALLS in the period. */
export const PROVIDER_FAILURE_RATE = 0.2;
const MIN_RUNS = 5;
const MIN_PROVIDER_CALLS = 10;
const PERIOD = Duration.minutes(15);

export interface ObservabilityProps {
  readonly stage: string;
  readonly workflows: readonly LoadedWorkflow[];
  /** The model providers the stage may call (stages.yaml `providers`). */
  readonly providers: readonly string[];
}

export class Observability extends Construct {
  readonly topic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, { stage, workflows, providers }: ObservabilityProps) {
    super(scope, id);
    const key = new kms.Key(this, 'AlarmTopicKey', { description: `Handrail ${stage}: encrypts the alarm topic`, enableKeyRotation: true });
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }));
    this.topic = new sns.Topic(this, 'AlarmTopic', { displayName: `Handrail ${stage} alarms`, masterKey: key, enforceSSL: true });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.topic.topicArn, description: 'Subscribe the people who watch this stage (aws sns subscribe --protocol email …)' });
    const notify = new actions.SnsAction(this.topic);

    const workflowMetric = (workflowId: string, name: string, statistic = 'Sum', label = name) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: workflowDimensions(workflowId), statistic, period: PERIOD, label });
    const providerMetric = (provider: string, name: string) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: providerDimensions(provider), statistic: 'Sum', period: PERIOD, label: `${provider} ${name}` });
    const alarm = (alarmId: string, metric: cloudwatch.Metric | cloudwatch.MathExpression, threshold: number, description: string) => {
      const created = metric.createAlarm(this, alarmId, {
        alarmDescription: `Handrail ${stage}: ${description}`,
        threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(notify);
      this.alarms.push(created);
      return created;
    };

    const widgets: cloudwatch.IWidget[][] = [];
    for (const { definition } of workflows) {
      const w = definition.id;
      const part = w.replace(/[^A-Za-z0-9]/g, '');
      const needsHumanRate = definition.release?.rollbackWhen?.needsHumanRateAbove ?? DEFAULT_NEEDS_HUMAN_RATE;
      const rate = new cloudwatch.MathExpression({
        expression: `IF(runs >= ${MIN_RUNS}, queued / runs, 0)`,
        usingMetrics: { queued: workflowMetric(w, WORKFLOW_METRICS.needsHuman), runs: workflowMetric(w, WORKFLOW_METRICS.runs) },
        period: PERIOD,
        label: 'needs-human rate',
      });
      const alarms = [
        alarm(`${part}NeedsHumanRate`, rate, needsHumanRate, `${w}: more than ${needsHumanRate * 100}% of ended runs went to the human queue in 15 min (after ${MIN_RUNS} runs)`),
        alarm(`${part}DeliveryFailed`, workflowMetric(w, WORKFLOW_METRICS.deliveryFailed), 1, `${w}: an approved run could not be delivered (npx handrail runs list --workflow ${w} --status delivery_failed)`),
        alarm(`${part}ApprovalsPastSla`, workflowMetric(w, WORKFLOW_METRICS.approvalsPastSla, 'Maximum'), 1, `${w}: approvals are waiting past their reviewers' time (npx handrail approvals list)`),
        ...(definition.owner
          ? [alarm(`${part}HumanQueuePastSla`, workflowMetric(w, WORKFLOW_METRICS.queuePastSla, 'Maximum'), 1, `${w}: runs wait in the human queue past the owner's ${definition.owner.sla} (npx handrail runs list --workflow ${w} --status needs_human, then runs redrive <runId>)`)]
          : []),
      ];
      widgets.push(
        [new cloudwatch.TextWidget({ markdown: `## ${w}\n${definition.name}`, width: 24, height: 1 })],
        [
          new cloudwatch.GraphWidget({ title: `${w}: runs ended`, width: 8, left: [WORKFLOW_METRICS.runs, WORKFLOW_METRICS.needsHuman, WORKFLOW_METRICS.errors, WORKFLOW_METRICS.deliveryFailed].map((n) => workflowMetric(w, n)) }),
          new cloudwatch.GraphWidget({ title: `${w}: decisions`, width: 8, left: [WORKFLOW_METRICS.approved, WORKFLOW_METRICS.edited, WORKFLOW_METRICS.rejected].map((n) => workflowMetric(w, n)) }),
          new cloudwatch.AlarmStatusWidget({ title: `${w}: alarms`, width: 8, alarms }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: `${w}: time to decision (ms) and edits`,
            width: 8,
            left: [workflowMetric(w, DECISION_METRICS.timeToDecision, 'p50', 'time to decision p50'), workflowMetric(w, DECISION_METRICS.timeToDecision, 'p90', 'time to decision p90')],
            right: [workflowMetric(w, DECISION_METRICS.editDistance, 'Average', 'edit distance (avg characters)')],
          }),
          new cloudwatch.GraphWidget({ title: `${w}: started, decided, gate failures`, width: 8, left: [workflowMetric(w, WORKFLOW_METRICS.runsStarted), workflowMetric(w, DECISION_METRICS.decisions), workflowMetric(w, GATE_METRICS.failures)] }),
          new cloudwatch.GraphWidget({
            title: `${w}: tokens and cost (USD)`,
            width: 8,
            left: [workflowMetric(w, USAGE_METRICS.inputTokens), workflowMetric(w, USAGE_METRICS.outputTokens)],
            right: [workflowMetric(w, USAGE_METRICS.costUsd)],
          }),
        ],
      );
    }
    const called = providers.filter((p) => p !== 'offline');
    for (const provider of called) {
      const failureRate = new cloudwatch.MathExpression({
        expression: `IF(calls >= ${MIN_PROVIDER_CALLS}, failures / calls, 0)`,
        usingMetrics: { failures: providerMetric(provider, PROVIDER_METRICS.failures), calls: providerMetric(provider, PROVIDER_METRICS.calls) },
        period: PERIOD,
        label: `${provider} failure rate`,
      });
      alarm(`${provider}FailureRate`, failureRate, PROVIDER_FAILURE_RATE, `${provider}: more than ${PROVIDER_FAILURE_RATE * 100}% of model calls failed in 15 min (after ${MIN_PROVIDER_CALLS} calls); the gateway falls back and cools it down`);
    }
    if (called.length) {
      widgets.push(
        [new cloudwatch.TextWidget({ markdown: '## Model providers', width: 24, height: 1 })],
        [
          new cloudwatch.GraphWidget({ title: 'calls and failures', width: 12, left: called.flatMap((p) => [providerMetric(p, PROVIDER_METRICS.calls), providerMetric(p, PROVIDER_METRICS.failures)]) }),
          new cloudwatch.GraphWidget({ title: 'fallbacks and cooldown skips', width: 12, left: called.flatMap((p) => [providerMetric(p, PROVIDER_METRICS.fallbacks), providerMetric(p, PROVIDER_METRICS.cooldownSkips)]) }),
        ],
      );
    }
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: `Handrail-${stage}`, widgets });
  }
}
