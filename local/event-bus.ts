/**
 * The template's event rules, locally: events the local services emit (today: Step Functions
 * execution status changes, from the engine) are matched against each rule's EventPattern and
 * delivered to its target functions, as EventBridge delivers them on AWS.
 */
import { randomUUID } from 'node:crypto';
import type { LambdaInvoker } from './lambda-host.js';
import type { ExecutionClosedEvent } from './stepfunctions/types.js';
import { LOCAL_ACCOUNT, LOCAL_REGION, type LocalEventRule } from './template-reader.js';

export interface BusEvent {
  readonly source: string;
  readonly 'detail-type': string;
  readonly detail: Record<string, unknown>;
}

/**
 * EventBridge matching for the patterns a template uses: every key of the pattern must match; a
 * list matches a value in it (or, for a list value, any shared element); an object matches nested.
 */
export function matchesPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = event[key];
    if (Array.isArray(expected)) return (Array.isArray(actual) ? actual : [actual]).some((v) => expected.includes(v));
    if (expected && typeof expected === 'object') return !!actual && typeof actual === 'object' && matchesPattern(expected as Record<string, unknown>, actual as Record<string, unknown>);
    return actual === expected;
  });
}

/** The "Step Functions Execution Status Change" event AWS emits when an execution closes. */
export function executionStatusEvent(closed: ExecutionClosedEvent): BusEvent {
  const [, , , , , , machine, name] = closed.executionArn.split(':');
  return {
    source: 'aws.states',
    'detail-type': 'Step Functions Execution Status Change',
    detail: {
      executionArn: closed.executionArn,
      stateMachineArn: `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${machine}`,
      name,
      status: closed.status,
      stopDate: Date.now(),
      output: closed.output ?? null,
      error: closed.error ?? null,
      cause: closed.cause ?? null,
    },
  };
}

export class LocalEventBus {
  constructor(
    private readonly rules: LocalEventRule[],
    private readonly lambdas: LambdaInvoker,
    private readonly onError: (err: unknown, rule: LocalEventRule) => void,
  ) {}

  /** Delivers `event` to every matching rule's targets; resolves once they have run. */
  async publish(event: BusEvent): Promise<void> {
    const envelope = { version: '0', id: randomUUID(), account: LOCAL_ACCOUNT, region: LOCAL_REGION, time: new Date().toISOString(), resources: [], ...event };
    const deliveries = this.rules
      .filter((rule) => matchesPattern(rule.pattern, envelope))
      .flatMap((rule) => rule.functionArns.map((arn) => this.lambdas.invoke(arn, envelope).catch((err: unknown) => this.onError(err, rule))));
    await Promise.all(deliveries);
  }
}
