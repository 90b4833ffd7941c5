/** Runs one execution on the interpreter and turns how it ended into an execution outcome. */
import './polyfill.js';
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError } from 'aws-local-stepfunctions';
import { createContext, createTaskHandlers, type DispatchDeps } from './task-dispatch.js';
import type { EventLog, ExecutionRecord, Json } from './types.js';

export type Outcome = Pick<ExecutionRecord, 'status' | 'output' | 'error' | 'cause'>;

function outcomeOf(err: unknown): Outcome {
  if (err instanceof ExecutionAbortedError) return { status: 'ABORTED' };
  if (err instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT', error: 'States.Timeout' };
  // ExecutionError wraps the state's error, whose name/message are the ASL Error/Cause.
  const cause = err instanceof ExecutionError && err.cause instanceof Error ? err.cause : err;
  if (cause instanceof Error) return { status: 'FAILED', error: cause.name, cause: cause.message };
  return { status: 'FAILED', error: 'States.Runtime', cause: String(cause) };
}

async function drain(events: AsyncGenerator<EventLog>, into: EventLog[], onEvent?: (event: EventLog) => void): Promise<void> {
  for await (const event of events) {
    into.push(event);
    onEvent?.(event);
  }
}

/**
 * Starts `exec` and sets `exec.abort` and `exec.done`. `onClose` runs once the interpreter has
 * settled and its event log is drained, so history is complete whenever the status says closed.
 * `onEvent` hears each event as it is drained (the engine journals state transitions from it).
 */
export function launchExecution(
  exec: ExecutionRecord,
  inputValue: Json,
  deps: DispatchDeps,
  onClose: (outcome: Outcome) => void,
  onEvent?: (event: EventLog) => void,
): void {
  const context = createContext(exec, inputValue);
  // As on AWS, `$$.Execution.RedriveCount` is always there; `RedriveTime` once it was redriven.
  const execution = context.Execution as Record<string, unknown>;
  execution.RedriveCount = exec.redriveCount ?? 0;
  if (exec.redriveDate) execution.RedriveTime = exec.redriveDate.toISOString();
  const run = exec.stateMachine.machine.run(inputValue, {
    overrides: { taskResourceLocalHandlers: createTaskHandlers(exec, deps) },
    context,
  });
  exec.abort = run.abort;
  exec.done = Promise.all([
    run.result.then((output): Outcome => ({ status: 'SUCCEEDED', output: JSON.stringify(output ?? null) }), outcomeOf),
    drain(run.eventLogs, exec.events, onEvent),
  ]).then(([outcome]) => onClose(outcome));
}
