/**
 * What CloudFormation does with the template's state machine versions and aliases, locally: each
 * start of the runtime is a deploy. Every version resource publishes its state machine (the latest
 * version again when nothing changed); every alias is created on its version, or, when its version
 * changed since the last deploy, shifted to it as its DeploymentPreference says: at once, or a
 * canary/linear share first, with the rest staying on the version it pointed to. An alias whose
 * version did not change is left alone (CloudFormation does not touch an unchanged resource), so a
 * rollback stays rolled back until the next change is deployed.
 *
 * Deployments are kept in `deployments.json` (the persistence directory), so one in progress when
 * the runtime stopped goes on after it starts again. The rollout monitor (rollout-monitor.ts) moves
 * them on: more traffic as intervals pass, or back when the release's quality rule breaks.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeploymentPreference } from '../state-machines/rollout.js';
import type { LocalStepFunctions } from './stepfunctions/engine.js';
import type { TemplateReader } from './template-reader.js';

/** `awaiting_promotion`: a stage after the first published the release but takes it only when it is promoted (functions/releases/promote.ts). */
export type DeploymentStatus = 'in_progress' | 'succeeded' | 'rolled_back' | 'awaiting_promotion';

export interface Deployment {
  readonly aliasArn: string;
  /** The version the alias pointed to before (absent: the alias's first deploy). */
  readonly fromVersionArn?: string;
  readonly toVersionArn: string;
  /** The releases those versions were built from (their descriptions). */
  readonly fromReleaseId?: string;
  readonly toReleaseId?: string;
  readonly preference: DeploymentPreference;
  /** Whether alarms watch it (the template's DeploymentPreference.Alarms). */
  readonly watched: boolean;
  readonly startedAt: string;
  status: DeploymentStatus;
  /** The new version's current weight. */
  weight: number;
  endedAt?: string;
  reason?: string;
}

const FILE = 'deployments.json';

export class LocalDeployments {
  private readonly byAlias = new Map<string, Deployment>();
  private readonly file?: string;

  constructor(
    private readonly engine: LocalStepFunctions,
    persistenceDir?: string,
  ) {
    if (persistenceDir === undefined) return;
    this.file = join(persistenceDir, FILE);
    if (existsSync(this.file)) for (const d of JSON.parse(readFileSync(this.file, 'utf8')) as Deployment[]) this.byAlias.set(d.aliasArn, d);
  }

  /**
   * Deploys the template's versions and aliases; returns every alias's latest deployment. A release
   * `held` (not promoted to this stage) is published, but its alias stays where it is (or is not
   * created): new runs do not reach it until a promotion moves the alias.
   */
  async apply(reader: TemplateReader, held: (releaseId: string | undefined) => boolean = () => false): Promise<Deployment[]> {
    const versions = new Map<string, { arn: string; releaseId?: string }>();
    for (const v of reader.stateMachineVersions()) {
      const { stateMachineVersionArn } = await this.engine.publishStateMachineVersion(v.stateMachineArn, v.description);
      versions.set(v.logicalId, { arn: stateMachineVersionArn, releaseId: v.description });
    }
    for (const alias of reader.stateMachineAliases()) {
      const target = versions.get(alias.versionLogicalId)!;
      const machineArn = target.arn.slice(0, target.arn.lastIndexOf(':'));
      const aliasArn = `${machineArn}:${alias.name}`;
      const last = this.byAlias.get(aliasArn);
      if (last?.toVersionArn === target.arn && last.status !== 'awaiting_promotion') continue; // unchanged since the last deploy
      const preference: DeploymentPreference = { type: alias.type, percentage: alias.percentage, interval: alias.intervalMinutes };
      const current = await this.currentVersion(aliasArn);
      const base = { aliasArn, toVersionArn: target.arn, toReleaseId: target.releaseId, preference, watched: alias.alarms.length > 0, startedAt: new Date().toISOString() };
      if (current !== target.arn && held(target.releaseId)) {
        this.record({ ...base, ...(current ? { fromVersionArn: current } : {}), status: 'awaiting_promotion', weight: 0 });
        continue;
      }
      if (!current) {
        await this.engine.createStateMachineAlias(alias.name, [{ stateMachineVersionArn: target.arn, weight: 100 }], alias.description);
        this.record({ ...base, status: 'succeeded', weight: 100, endedAt: base.startedAt });
        continue;
      }
      const from = { fromVersionArn: current, fromReleaseId: (await this.engine.describeStateMachine(current)).description };
      if (alias.type === 'ALL_AT_ONCE' || current === target.arn) {
        await this.route(aliasArn, target.arn, 100);
        this.record({ ...base, ...from, status: 'succeeded', weight: 100, endedAt: base.startedAt });
        continue;
      }
      const weight = alias.percentage ?? 100;
      await this.route(aliasArn, target.arn, weight, current);
      this.record({ ...base, ...from, status: 'in_progress', weight });
    }
    return this.all();
  }

  /** Each alias's latest deployment. */
  all(): Deployment[] {
    return [...this.byAlias.values()];
  }

  inProgress(): Deployment[] {
    return [...this.byAlias.values()].filter((d) => d.status === 'in_progress');
  }

  /** Gives the new version `weight` percent of new executions (100: the deployment succeeded). */
  async shift(deployment: Deployment, weight: number): Promise<void> {
    await this.route(deployment.aliasArn, deployment.toVersionArn, weight, deployment.fromVersionArn);
    deployment.weight = weight;
    if (weight === 100) Object.assign(deployment, { status: 'succeeded', endedAt: new Date().toISOString() });
    this.save();
  }

  /** Sends every new execution back to the version the deployment started from. */
  async rollBack(deployment: Deployment, reason: string): Promise<void> {
    await this.route(deployment.aliasArn, deployment.fromVersionArn!, 100);
    await this.end(deployment, 'rolled_back', reason);
  }

  /** Records that the deployment is over (the alias already routes as it should). */
  async end(deployment: Deployment, status: Exclude<DeploymentStatus, 'in_progress'>, reason: string): Promise<void> {
    Object.assign(deployment, { status, weight: status === 'succeeded' ? 100 : 0, endedAt: new Date().toISOString(), reason });
    this.save();
  }

  /** The version that takes most of the alias's executions now, if the alias exists. */
  private async currentVersion(aliasArn: string): Promise<string | undefined> {
    try {
      const { routingConfiguration } = await this.engine.describeStateMachineAlias(aliasArn);
      return [...routingConfiguration].sort((a, b) => b.weight - a.weight)[0]!.stateMachineVersionArn;
    } catch (err) {
      if ((err as Error).name === 'ResourceNotFound') return undefined;
      throw err;
    }
  }

  private async route(aliasArn: string, versionArn: string, weight: number, otherVersionArn?: string): Promise<void> {
    const routingConfiguration = weight === 100 || !otherVersionArn ? [{ stateMachineVersionArn: versionArn, weight: 100 }] : [
      { stateMachineVersionArn: otherVersionArn, weight: 100 - weight },
      { stateMachineVersionArn: versionArn, weight },
    ];
    await this.engine.updateStateMachineAlias(aliasArn, { routingConfiguration });
  }

  private record(deployment: Deployment): void {
    this.byAlias.set(deployment.aliasArn, deployment);
    this.save();
  }

  private save(): void {
    if (!this.file) return;
    writeFileSync(`${this.file}.tmp`, JSON.stringify([...this.byAlias.values()], null, 2));
    renameSync(`${this.file}.tmp`, this.file);
  }
}
