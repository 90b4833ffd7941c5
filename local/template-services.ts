/**
 * The services a synthesized template asks of Step Functions and EventBridge, locally: the engine
 * running every state machine's ASL with Task states invoking a Lambda host, the template's event
 * rules receiving the executions that end outside their state machine, and its schedules. Shared by
 * the in-process runtime (runtime.ts) and the bundled one (bundled-runtime.ts), which differ only in
 * how a function runs (a module in this process, or its shipped bundle in a process of its own).
 */
import { executionStatusEvent, LocalEventBus } from './event-bus.js';
import type { LambdaInvoker } from './lambda-host.js';
import type { LocalDeployments } from './deployments.js';
import { RolloutMonitor } from './rollout-monitor.js';
import { LocalScheduler } from './scheduler.js';
import { LocalStepFunctions } from './stepfunctions/engine.js';
import { LOCAL_ACCOUNT, LOCAL_REGION, type TemplateReader } from './template-reader.js';

/**
 * The local Step Functions service with the template's state machines registered.
 * `persistenceDir`: where executions are journaled (none: in memory only).
 *
 * @example
 * const engine = createTemplateEngine(reader, lambdas, join(dataDir, 'stepfunctions'));
 */
export function createTemplateEngine(reader: TemplateReader, lambdas: LambdaInvoker, persistenceDir?: string): LocalStepFunctions {
  const engine = new LocalStepFunctions({
    invokeLambda: (arn, payload) => lambdas.invoke(arn, payload),
    region: LOCAL_REGION,
    accountId: LOCAL_ACCOUNT,
    persistenceDir,
  });
  for (const sm of reader.stateMachines()) engine.registerStateMachine({ name: sm.name, definition: JSON.parse(sm.definition) });
  // The template's event rules, as EventBridge delivers them: e.g. an execution that failed in a way
  // its state machine could not record ends its run.
  const bus = new LocalEventBus(reader.eventRules(), lambdas, (err, rule) => console.error(`handrail: event rule ${rule.ruleId} failed: ${(err as Error).message}`));
  engine.on('executionClosed', (closed) => {
    if (closed.status !== 'SUCCEEDED') void bus.publish(executionStatusEvent(closed));
  });
  return engine;
}

/**
 * Watches the deployments in progress (rollout-monitor.ts): each release's rule from its manifest,
 * its counts from the records, every rollback and completed deployment audited and printed.
 * Call once the handlers' environment is set (it reads the tables they write).
 */
export async function startRolloutMonitor(engine: LocalStepFunctions, deployments: LocalDeployments, reader: TemplateReader, everyMs: number): Promise<RolloutMonitor> {
  const { releaseCounts } = await import('../functions/releases/release-counts.js');
  const { recordAudit } = await import('../functions/records/audit.js');
  const releases = new Map(reader.releases().map((r) => [r.releaseId, r]));
  const monitor = new RolloutMonitor({
    deployments,
    engine,
    ruleFor: (releaseId) => releases.get(releaseId)?.manifest.definition.release?.rollbackWhen,
    countsFor: releaseCounts,
    onEvent: async ({ type, deployment, details }) => {
      const workflowId = deployment.toReleaseId ? releases.get(deployment.toReleaseId)?.manifest.workflowId : undefined;
      const subject = workflowId ? `workflow#${workflowId}` : deployment.aliasArn;
      const { toReleaseId, fromReleaseId, reason } = deployment;
      await recordAudit({ subject, type, actor: 'handrail', details: { workflowId, releaseId: toReleaseId, previousReleaseId: fromReleaseId, reason, ...details } });
      console.log(type === 'release.rolled_back'
        ? `handrail: ${workflowId} release ${toReleaseId} rolled back to ${fromReleaseId} (${reason}); runs already on it finish there`
        : `handrail: ${workflowId} release ${toReleaseId} now takes all new runs`);
    },
  });
  monitor.start(everyMs);
  return monitor;
}

/** The template's schedules (e.g. approval reminders), started as EventBridge would fire them. */
export function startTemplateSchedules(reader: TemplateReader, lambdas: LambdaInvoker): LocalScheduler {
  const scheduler = new LocalScheduler(reader.schedules(), lambdas, (err, s) => console.error(`handrail: scheduled ${s.ruleId} failed: ${(err as Error).message}`));
  scheduler.start();
  return scheduler;
}
