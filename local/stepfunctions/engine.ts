/**
 * The local Step Functions service: runs the very ASL deployed to AWS with aws-local-stepfunctions,
 * serving Task states with an injected `invokeLambda` and adding what the interpreter lacks
 * (task tokens, executions by ARN, history, idempotent starts).
 *
 * Executions live in memory; `maxClosedExecutions` bounds what is kept. With `persistenceDir`,
 * waits survive a restart (see journal.ts): every top-level `.waitForTaskToken` state that has
 * invoked its function is journaled, and `resumeWaiting()` on the next start re-creates those
 * executions (same ARN, name, input, start date; RUNNING) waiting on the same tokens, so stored
 * approvals still resume them. What is not resumed: executions that were in any other state at
 * the restart (e.g. mid-way through a Lambda task; they are simply absent afterwards), waits
 * inside Parallel branches or Map iterations, and closed executions (their history is gone).
 */
import './polyfill.js';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type {
  DescribeExecutionOutput,
  DescribeStateMachineOutput,
  ExecutionListItem,
  ExecutionStatus,
  HistoryEvent,
  StateMachineListItem,
} from '@aws-sdk/client-sfn';
import { parseDefinition, resumeDefinition, type ParsedDefinition } from './definition.js';
import { ExecutionClosedError, SfnServiceError } from './errors.js';
import { ExecutionStore } from './execution-store.js';
import { buildHistory, type HistoryOptions } from './history.js';
import { WaitJournal, type WaitEntry } from './journal.js';
import { launchExecution, type Outcome } from './runner.js';
import type { DispatchDeps } from './task-dispatch.js';
import { TaskTokenRegistry } from './tokens.js';
import type {
  ExecutionClosedEvent,
  EventLog,
  ExecutionRecord,
  InvokeLambda,
  Json,
  StateMachineRecord,
  TaskTokenIssuedEvent,
} from './types.js';

export interface LocalStepFunctionsOptions {
  readonly invokeLambda: InvokeLambda;
  readonly region?: string;
  readonly accountId?: string;
  /** Closed executions kept for Describe/GetExecutionHistory; the oldest are evicted first. */
  readonly maxClosedExecutions?: number;
  /** Where waits are journaled so `resumeWaiting()` can resume them after a restart; none: memory only. */
  readonly persistenceDir?: string;
}

export interface StartExecutionParams {
  readonly stateMachineArn: string;
  /** Defaults to a UUID. Reusing a name is idempotent while the execution runs with the same input. */
  readonly name?: string;
  /** JSON text; defaults to `{}`. */
  readonly input?: string;
}

export interface LocalStepFunctionsEvents {
  taskTokenIssued: [TaskTokenIssuedEvent];
  executionClosed: [ExecutionClosedEvent];
}

// Names may not contain whitespace, brackets, wildcards, these specials or control characters.
const VALID_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;
const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[^:]*:[^:]*:stateMachine:[^:]+$/;
const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[^:]*:[^:]*:execution:[^:]+:[^:]+$/;

export class LocalStepFunctions extends EventEmitter<LocalStepFunctionsEvents> {
  readonly region: string;
  readonly accountId: string;
  private readonly machines = new Map<string, StateMachineRecord>();
  private readonly tokens: TaskTokenRegistry;
  private readonly executions: ExecutionStore;
  private readonly deps: DispatchDeps;
  private readonly journal?: WaitJournal;

  constructor({ invokeLambda, region = 'us-east-1', accountId = '000000000000', maxClosedExecutions = 10_000, persistenceDir }: LocalStepFunctionsOptions) {
    super();
    this.region = region;
    this.accountId = accountId;
    const journal = persistenceDir === undefined ? undefined : new WaitJournal(persistenceDir);
    this.journal = journal;
    this.tokens = new TaskTokenRegistry(journal && ((token) => journal.closed(token)));
    this.executions = new ExecutionStore(maxClosedExecutions, (exec) => this.tokens.forgetExecution(exec.executionArn));
    this.deps = {
      invokeLambda,
      tokens: this.tokens,
      region,
      accountId,
      onTokenIssued: (exec, stateName, token, deadline) => {
        const issued = () => this.safeEmit('taskTokenIssued', { executionArn: exec.executionArn, stateName, token });
        if (journal) this.journalWait(journal, exec, stateName, token, deadline, issued);
        else issued();
      },
    };
  }

  /** Registers (or replaces) a state machine; running executions keep the definition they started with. */
  registerStateMachine({ name, definition, roleArn }: { name: string; definition: string | object; roleArn?: string }): string {
    if (!VALID_NAME.test(name)) throw new SfnServiceError('InvalidName', `Invalid Name: '${name}'`);
    const stateMachineArn = `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${name}`;
    this.machines.set(stateMachineArn, {
      ...parseDefinition(definition),
      stateMachineArn,
      name,
      roleArn: roleArn ?? `arn:aws:iam::${this.accountId}:role/${name}-role`,
      creationDate: new Date(),
    });
    return stateMachineArn;
  }

  async startExecution({ stateMachineArn, name = randomUUID(), input = '{}' }: StartExecutionParams): Promise<{ executionArn: string; startDate: Date }> {
    const machine = this.machine(stateMachineArn);
    if (!VALID_NAME.test(name)) throw new SfnServiceError('InvalidName', `Invalid Name: '${name}'`);
    let inputValue: Json;
    try {
      inputValue = JSON.parse(input) as Json;
    } catch (err) {
      throw new SfnServiceError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${(err as Error).message}'`);
    }
    const canonicalInput = JSON.stringify(inputValue);
    const executionArn = `arn:aws:states:${this.region}:${this.accountId}:execution:${machine.name}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      // Standard workflows: a retried start of the same running execution returns it.
      if (existing.status === 'RUNNING' && existing.input === canonicalInput) return { executionArn, startDate: existing.startDate };
      throw new SfnServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const exec: ExecutionRecord = {
      executionArn, name, stateMachine: machine, input: canonicalInput, startDate: new Date(),
      status: 'RUNNING', events: [], abort: () => undefined, done: Promise.resolve(),
    };
    this.executions.add(exec);
    launchExecution(exec, inputValue, this.deps, (outcome) => this.finish(exec, outcome));
    return { executionArn, startDate: exec.startDate };
  }

  /**
   * Resumes the waits journaled before a restart; call once, after registering the state
   * machines. Synchronous: when it returns, every resumed token is open again (decisions sent
   * from then on resume the run). Each execution restarts at its waiting state with the saved raw
   * input and token, under the definition it started with; the function of that state is not
   * invoked again (it ran before the restart). A wait whose deadline passed while the engine was
   * down closes at once and its state times out within a second, so the state machine's own
   * Catch on States.Timeout runs. Waits that cannot be resumed (e.g. their state machine is no
   * longer registered) are dropped with a warning. Returns the resumed waits.
   */
  resumeWaiting(): TaskTokenIssuedEvent[] {
    const journal = this.journal;
    if (!journal) return [];
    const resumed: TaskTokenIssuedEvent[] = [];
    const definitions = new Map<string, ParsedDefinition | undefined>();
    for (const entry of journal.takeRecovered()) {
      try {
        this.resumeWait(entry, journal, definitions);
        resumed.push({ executionArn: entry.executionArn, stateName: entry.stateName, token: entry.token });
      } catch (err) {
        console.warn(`handrail: could not resume execution ${entry.executionArn} at ${entry.stateName}: ${(err as Error).message}; dropping it`);
        journal.closed(entry.token);
      }
    }
    return resumed;
  }

  private resumeWait(entry: WaitEntry, journal: WaitJournal, definitions: Map<string, ParsedDefinition | undefined>): void {
    const current = this.machine(entry.stateMachineArn);
    if (this.executions.get(entry.executionArn)) throw new SfnServiceError('ExecutionAlreadyExists', 'the execution already exists');
    if (!definitions.has(entry.definition)) {
      const text = journal.definition(entry.definition);
      definitions.set(entry.definition, text === undefined ? undefined : parseDefinition(text));
    }
    const base = definitions.get(entry.definition) ?? current; // its own definition when stored
    const startDate = new Date(entry.startDate);
    const now = Date.now();
    const remainingMs = entry.deadline === null ? undefined : entry.deadline - now;
    const parsed = resumeDefinition(base, entry.stateName, entry.stateInput, remainingMs, now - startDate.getTime());
    const inputValue = JSON.parse(entry.executionInput) as Json;
    const exec: ExecutionRecord = {
      executionArn: entry.executionArn, name: entry.name, stateMachine: { ...current, ...parsed }, input: entry.executionInput, startDate,
      status: 'RUNNING', events: [], abort: () => undefined, done: Promise.resolve(),
    };
    const timeoutMs = remainingMs === undefined ? undefined : Math.max(0, remainingMs);
    const waiting = this.tokens.open(entry.token, entry.executionArn, entry.stateName, timeoutMs);
    if (timeoutMs === 0) this.tokens.close(entry.token); // past its deadline: decisions get TaskTimedOut now
    exec.resume = { stateName: entry.stateName, token: entry.token, waiting };
    this.executions.add(exec);
    launchExecution(exec, inputValue, this.deps, (outcome) => this.finish(exec, outcome));
  }

  /**
   * Journals an open top-level wait with its raw state input (from the interpreter's event log),
   * then calls `issued`: whoever hears taskTokenIssued may rely on the wait being durable.
   */
  private journalWait(
    journal: WaitJournal, exec: ExecutionRecord, stateName: string, token: string, deadline: number | undefined, issued: () => void, retried = false,
  ): void {
    // Only top-level states can be resumed (see resumeDefinition); names are unique across branches.
    if (this.tokens.isOpen(token) && exec.status === 'RUNNING' && Object.hasOwn(exec.stateMachine.definition.States, stateName)) {
      const entered = lastEntered(exec.events, stateName);
      if (!entered && !retried) {
        // The log is drained a few microtasks behind the interpreter; it has caught up by then.
        setImmediate(() => this.journalWait(journal, exec, stateName, token, deadline, issued, true));
        return;
      }
      if (entered) journal.opened(exec, stateName, entered.state.input as Json, token, deadline);
    }
    issued();
  }

  async describeExecution(executionArn: string): Promise<DescribeExecutionOutput> {
    return this.describe(this.execution(executionArn));
  }

  /** Resolves once the execution has closed (not part of the AWS API; handy for tests and tools). */
  async waitForExecution(executionArn: string): Promise<DescribeExecutionOutput> {
    const exec = this.execution(executionArn);
    await exec.done;
    return this.describe(exec); // from the record: it may have been evicted meanwhile
  }

  private describe(exec: ExecutionRecord): DescribeExecutionOutput {
    const { executionArn } = exec;
    return {
      executionArn, stateMachineArn: exec.stateMachine.stateMachineArn, name: exec.name, status: exec.status,
      startDate: exec.startDate, stopDate: exec.stopDate, input: exec.input, inputDetails: { included: true },
      output: exec.output, outputDetails: exec.output === undefined ? undefined : { included: true },
      error: exec.error, cause: exec.cause, redriveCount: 0, redriveStatus: 'NOT_REDRIVABLE',
    };
  }

  async getExecutionHistory(executionArn: string, options?: HistoryOptions): Promise<HistoryEvent[]> {
    return buildHistory(this.execution(executionArn), this.region, options);
  }

  async stopExecution(executionArn: string, error?: string, cause?: string): Promise<{ stopDate: Date }> {
    const exec = this.execution(executionArn);
    if (exec.status === 'RUNNING') {
      this.finish(exec, { status: 'ABORTED', error, cause });
      exec.abort();
      await exec.done;
    }
    return { stopDate: exec.stopDate ?? new Date() };
  }

  async listExecutions(stateMachineArn: string, statusFilter?: ExecutionStatus): Promise<ExecutionListItem[]> {
    this.machine(stateMachineArn);
    return this.executions.list(stateMachineArn, statusFilter).map((exec) => ({
      executionArn: exec.executionArn, stateMachineArn, name: exec.name, status: exec.status,
      startDate: exec.startDate, stopDate: exec.stopDate, redriveCount: 0,
    }));
  }

  async listStateMachines(): Promise<StateMachineListItem[]> {
    return [...this.machines.values()].map(({ stateMachineArn, name, creationDate }) => ({ stateMachineArn, name, type: 'STANDARD', creationDate }));
  }

  async describeStateMachine(stateMachineArn: string): Promise<DescribeStateMachineOutput> {
    const m = this.machine(stateMachineArn);
    return {
      stateMachineArn, name: m.name, status: 'ACTIVE', definition: m.definitionText, roleArn: m.roleArn, type: 'STANDARD',
      creationDate: m.creationDate, loggingConfiguration: { level: 'OFF', includeExecutionData: false }, tracingConfiguration: { enabled: false },
    };
  }

  async sendTaskSuccess(taskToken: string, output: string): Promise<void> {
    this.tokens.heartbeat(taskToken); // token errors take precedence over output errors
    let value: unknown;
    try {
      value = JSON.parse(output);
    } catch (err) {
      throw new SfnServiceError('InvalidOutput', `Invalid Output: '${(err as Error).message}'`);
    }
    this.tokens.succeed(taskToken, value);
  }

  async sendTaskFailure(taskToken: string, error = '', cause = ''): Promise<void> {
    this.tokens.fail(taskToken, error, cause);
  }

  async sendTaskHeartbeat(taskToken: string): Promise<void> {
    this.tokens.heartbeat(taskToken);
  }

  private finish(exec: ExecutionRecord, outcome: Outcome): void {
    if (exec.status !== 'RUNNING') return; // already stopped
    Object.assign(exec, outcome, { stopDate: new Date() });
    // Waiting states of a closed execution fail uncatchably; their tokens answer TaskTimedOut.
    this.tokens.closeExecution(exec.executionArn, new ExecutionClosedError());
    this.executions.markClosed(exec);
    const { executionArn, status, output, error, cause } = exec;
    this.safeEmit('executionClosed', { executionArn, status, output, error, cause });
  }

  /** A throwing listener must not leave an execution half-closed; rethrow it outside our bookkeeping. */
  private safeEmit<K extends keyof LocalStepFunctionsEvents>(event: K, ...args: LocalStepFunctionsEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: LocalStepFunctionsEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      process.nextTick(() => {
        throw err;
      });
    }
  }

  /** Closes the wait journal (tests that simulate a restart in one process). Not part of the AWS API. */
  closeJournal(): void {
    this.journal?.close();
  }

  private machine(stateMachineArn: string): StateMachineRecord {
    if (!STATE_MACHINE_ARN.test(stateMachineArn)) throw new SfnServiceError('InvalidArn', `Invalid Arn: '${stateMachineArn}'`);
    const machine = this.machines.get(stateMachineArn);
    if (!machine) throw new SfnServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    return machine;
  }

  private execution(executionArn: string): ExecutionRecord {
    if (!EXECUTION_ARN.test(executionArn)) throw new SfnServiceError('InvalidArn', `Invalid Arn: '${executionArn}'`);
    const exec = this.executions.get(executionArn);
    if (!exec) throw new SfnServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return exec;
  }
}

function lastEntered(events: readonly EventLog[], stateName: string): Extract<EventLog, { type: 'StateEntered' }> | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.type === 'StateEntered' && event.state.name === stateName) return event;
  }
  return undefined;
}
