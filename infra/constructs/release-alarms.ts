/**
 * The quality alarms of one release: one CloudWatch alarm per rule of the workflow's
 * `release.rollbackWhen`, on the per-release counts the finish function publishes (EMF, namespace
 * Handrail, dimensions Workflow and Release). The alias's DeploymentPreference watches them, so a
 * release whose drafts reviewers reject is rolled back while it bakes.
 *
 * Each alarm judges one period as long as a bake step (capped at a day, CloudWatch's limit), and
 * only once the period has `minDecisions` decisions (or ended runs): `IF(d >= min, part / d, ok)`.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { bakeMinutes, METRICS_NAMESPACE, RELEASE_COUNTS, releaseDimensions, ROLLBACK_RULES, type RollbackRuleName, type Rollout } from '../../state-machines/rollout.js';

export interface ReleaseAlarmsProps {
  readonly workflowId: string;
  readonly releaseId: string;
  readonly rollout?: Rollout;
}

export class ReleaseAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, { workflowId, releaseId, rollout }: ReleaseAlarmsProps) {
    super(scope, id);
    const when = rollout?.rollbackWhen;
    if (!when) return;
    const period = Duration.minutes(Math.min(rollout?.bake ? bakeMinutes(rollout.bake) : 60, 24 * 60));
    const metric = (count: keyof typeof RELEASE_COUNTS) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: RELEASE_COUNTS[count], dimensionsMap: releaseDimensions(workflowId, releaseId), statistic: 'Sum', period });
    for (const [rule, { of, over, breach }] of Object.entries(ROLLBACK_RULES) as [RollbackRuleName, (typeof ROLLBACK_RULES)[RollbackRuleName]][]) {
      const threshold = when[rule];
      if (threshold === undefined) continue;
      // Below the minimum the expression reads as healthy: 1 for a floor, 0 for a ceiling.
      const healthy = breach === 'below' ? 1 : 0;
      const expression = new cloudwatch.MathExpression({
        expression: `IF(d >= ${when.minDecisions}, n / d, ${healthy})`,
        usingMetrics: { n: metric(of), d: metric(over) },
        period,
        label: `${rule} of ${releaseId}`,
      });
      this.alarms.push(
        expression.createAlarm(this, rule, {
          alarmDescription: `Handrail ${workflowId} release ${releaseId}: ${rule} ${threshold} (after ${when.minDecisions} ${over}); the alias rolls back while it is in ALARM`,
          threshold,
          comparisonOperator: breach === 'below' ? cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD : cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
  }
}
