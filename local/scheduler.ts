/**
 * Runs the template's EventBridge schedules locally: each rule invokes its target function with a
 * Scheduled Event (or the target's constant input), on the rule's rate. `runNow(time)` fires every rule at once with any event time
 * (what tests use as fake time).
 */
import { randomUUID } from 'node:crypto';
import type { LambdaInvoker } from './lambda-host.js';
import { LOCAL_ACCOUNT, LOCAL_REGION, type LocalSchedule } from './template-reader.js';

export class LocalScheduler {
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly schedules: LocalSchedule[],
    private readonly lambdas: LambdaInvoker,
    private readonly onError: (err: unknown, schedule: LocalSchedule) => void,
  ) {}

  start(): void {
    for (const schedule of this.schedules) {
      const timer = setInterval(() => void this.fire(schedule, new Date()).catch((err) => this.onError(err, schedule)), schedule.everyMs);
      timer.unref();
      this.timers.push(timer);
    }
  }

  /** Fires every schedule now, as if EventBridge delivered an event at `time`. */
  async runNow(time: Date = new Date()): Promise<unknown[]> {
    return Promise.all(this.schedules.map((s) => this.fire(s, time)));
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.length = 0;
  }

  private fire(schedule: LocalSchedule, time: Date): Promise<unknown> {
    // A target with a constant input gets that input, not the event (as EventBridge sends it).
    if (schedule.input !== undefined) return this.lambdas.invoke(schedule.functionArn, schedule.input);
    return this.lambdas.invoke(schedule.functionArn, {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: LOCAL_ACCOUNT,
      time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: LOCAL_REGION,
      resources: [`arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/${schedule.ruleId}`],
      detail: {},
    });
  }
}
