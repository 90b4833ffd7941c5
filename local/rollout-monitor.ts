/**
 * Moves the deployments in progress on, locally, as Step Functions and CloudWatch do on AWS: every
 * `everyMs`, a deployment whose release breaks its quality rule (the workflow's
 * `release.rollbackWhen`, which its alarms compile to on AWS) is rolled back: all new runs go back
 * to the version it started from, while runs already on the new one finish there. Otherwise the new
 * version gets the weight its DeploymentPreference gives it by now, until it has all new runs. A
 * deployment whose alias was moved by someone else (npx handrail rollback) is over.
 */
import { breachedRules, newVersionWeight, type ReleaseCounts, type RollbackWhen } from '../state-machines/rollout.js';
import type { Deployment, LocalDeployments } from './deployments.js';
import type { LocalStepFunctions } from './stepfunctions/engine.js';

export interface RolloutEvent {
  readonly type: 'release.deployed' | 'release.rolled_back';
  readonly deployment: Deployment;
  readonly details: Record<string, unknown>;
}

export interface RolloutMonitorOptions {
  readonly deployments: LocalDeployments;
  readonly engine: LocalStepFunctions;
  /** The rollback rule of a release (from its manifest), if it has one. */
  readonly ruleFor: (releaseId: string) => RollbackWhen | undefined;
  readonly countsFor: (releaseId: string) => Promise<ReleaseCounts>;
  readonly onEvent: (event: RolloutEvent) => Promise<void>;
  readonly now?: () => number;
}

export class RolloutMonitor {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly options: RolloutMonitorOptions) {}

  start(everyMs: number): void {
    this.timer = setInterval(() => {
      this.running ??= this.check()
        .catch((err: unknown) => console.error(`handrail: rollout check failed: ${(err as Error).message}`))
        .finally(() => (this.running = undefined));
    }, everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass over the deployments in progress. */
  async check(): Promise<void> {
    const { deployments, engine, ruleFor, countsFor, onEvent, now = Date.now } = this.options;
    for (const deployment of deployments.inProgress()) {
      const { routingConfiguration } = await engine.describeStateMachineAlias(deployment.aliasArn);
      if (!routingConfiguration.some((r) => r.stateMachineVersionArn === deployment.toVersionArn)) {
        await deployments.end(deployment, 'rolled_back', 'the alias was moved outside the deployment (npx handrail rollback)');
        continue;
      }
      const rule = deployment.watched && deployment.toReleaseId ? ruleFor(deployment.toReleaseId) : undefined;
      if (rule) {
        const counts = await countsFor(deployment.toReleaseId!);
        const breached = breachedRules(counts, rule);
        if (breached.length) {
          const reason = breached.map((b) => `${b.rule} ${b.threshold}: ${b.rate.toFixed(2)}`).join('; ');
          await deployments.rollBack(deployment, reason);
          await onEvent({ type: 'release.rolled_back', deployment, details: { breached, counts } });
          continue;
        }
      }
      const weight = newVersionWeight(deployment.preference, (now() - Date.parse(deployment.startedAt)) / 60_000);
      if (weight === deployment.weight) continue;
      await deployments.shift(deployment, weight);
      if (weight === 100) await onEvent({ type: 'release.deployed', deployment, details: {} });
    }
  }
}
