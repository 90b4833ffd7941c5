/** Shared shapes of the local Step Functions service (engine, dispatch, history, endpoint). */
import type { ExecutionStatus } from '@aws-sdk/client-sfn';
import type { StateMachine, StateMachineDefinition } from 'aws-local-stepfunctions';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The interpreter does not export its event type; derive it from `run()`. */
export type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/**
 * Invokes a Lambda function: resolves with its return value, or rejects with an Error whose
 * `name` is the Lambda errorType (what Retry/Catch match) and whose `message` is the cause.
 */
export type InvokeLambda = (functionArn: string, payload: unknown) => Promise<unknown>;

/** How a Task state's `Resource` is served locally. */
export type TaskDispatch =
  | { readonly kind: 'lambda'; readonly functionArn: string }
  | { readonly kind: 'invoke' }
  | { readonly kind: 'waitForTaskToken' };

export interface TaskStateInfo {
  readonly name: string;
  readonly resource: string;
  readonly dispatch: TaskDispatch;
  readonly timeoutSeconds?: number;
  readonly timeoutSecondsPath?: string;
}

export interface StateMachineRecord {
  readonly stateMachineArn: string;
  readonly name: string;
  readonly definition: StateMachineDefinition;
  readonly definitionText: string;
  readonly roleArn: string;
  readonly creationDate: Date;
  readonly machine: StateMachine;
  /** Task states by name, across nested Parallel branches and Map processors. */
  readonly tasks: ReadonlyMap<string, TaskStateInfo>;
}

export interface ExecutionRecord {
  readonly executionArn: string;
  readonly name: string;
  readonly stateMachine: StateMachineRecord;
  /** The version it runs, when started on a version or through an alias (versions.ts). */
  readonly stateMachineVersionArn?: string;
  /** The alias it was started through, if any. */
  readonly stateMachineAliasArn?: string;
  /** The input as canonical JSON text (what DescribeExecution returns and idempotency compares). */
  readonly input: string;
  readonly startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  /** The interpreter's event log, drained as it runs; mapped to HistoryEvents on request. */
  readonly events: EventLog[];
  /** Token minted while a state's Parameters are evaluated, until that state's handler claims it. */
  pendingToken?: string;
  /** Set on an execution continued after a restart at a waiting state, until that state picks the wait up again. */
  resume?: ResumedWait;
  /**
   * The last top-level state it entered, with that state's raw input as JSON text: where a redrive
   * continues (redrive.ts). Dropped once it succeeds.
   */
  lastState?: LastState;
  /**
   * The state machine record it started on, when `stateMachine` is one continued at a state (after
   * a restart or a redrive, see resumeDefinition): what a later redrive continues from.
   */
  readonly origin?: StateMachineRecord;
  /** How many times it was redriven (RedriveExecution), and when last. */
  readonly redriveCount?: number;
  readonly redriveDate?: Date;
  /** Where each redriven attempt starts in `events`, for its ExecutionRedriven history event. */
  readonly redrives?: readonly RedriveMark[];
  /** The client tokens of its latest redrives, answered idempotently (redrive.ts). */
  readonly redriveTokens?: readonly RedriveToken[];
  /** The last top-level state the journal saw it enter (the event log lags the interpreter a little). */
  journaledState?: string;
  /** A wait whose `taskTokenIssued` is held until the journal has its state's entry. */
  heldIssue?: { readonly stateName: string; readonly issue: () => void };
  abort: () => void;
  /** Settles once the execution has closed and its event log is complete. */
  done: Promise<void>;
}

export interface LastState {
  readonly name: string;
  /** The state's raw input, as the JSON text the payload check made of it. */
  readonly input: string;
}

export interface RedriveMark {
  /** The index in `events` of the redriven attempt's first event. */
  readonly index: number;
  readonly timestamp: number;
  readonly redriveCount: number;
  /** How the attempt before it closed (its ExecutionAborted/TimedOut events show these). */
  readonly closed: { readonly error?: string; readonly cause?: string };
}

export interface RedriveToken {
  readonly clientToken: string;
  readonly redriveDate: Date;
}

/** A wait restored from the journal: its saved token, already open again in the registry. */
export interface ResumedWait {
  readonly stateName: string;
  readonly token: string;
  /** The state's function had not returned before the restart: invoke it again (same token). */
  readonly reinvoke: boolean;
  /** What the registry resolves or rejects when the token is closed. */
  readonly waiting: Promise<unknown>;
}

export interface TaskTokenIssuedEvent {
  readonly executionArn: string;
  readonly stateName: string;
  readonly token: string;
}

export interface ExecutionClosedEvent {
  readonly executionArn: string;
  readonly status: ExecutionStatus;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
}
