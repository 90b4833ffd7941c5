/**
 * The local Step Functions service: runs the very ASL deployed to AWS with aws-local-stepfunctions,
 * serving Task states with an injected `invokeLambda` and adding what the interpreter lacks
 * (task tokens, executions by ARN, history, idempotent starts).
 *
 * Everything lives in memory: durability across restarts is a later issue, so a restart loses
 * executions and open task tokens. `maxClosedExecutions` bounds what is kept.
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
import { parseDefinition } from './definition.js';
import { ExecutionClosedError, SfnServiceError } from './errors.js';
import { ExecutionStore } from './execution-store.js';
import { buildHistory, type HistoryOptions } from './history.js';
import { launchExecution, type Outcome } from './runner.js';
import type { DispatchDeps } from './task-dispatch.js';
import { TaskTokenRegistry } from './tokens.js';
import type {
  ExecutionClosedEvent,
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
  private readonly tokens = new TaskTokenRegistry();
  private readonly executions: ExecutionStore;
  private readonly deps: DispatchDeps;

  constructor({ invokeLambda, region = 'us-east-1', accountId = '000000000000', maxClosedExecutions = 10_000 }: LocalStepFunctionsOptions) {
    super();
    this.region = region;
    this.accountId = accountId;
    this.executions = new ExecutionStore(maxClosedExecutions, (exec) => this.tokens.forgetExecution(exec.executionArn));
    this.deps = {
      invokeLambda,
      tokens: this.tokens,
      region,
      accountId,
      onTokenIssued: (exec, stateName, token) => this.safeEmit('taskTokenIssued', { executionArn: exec.executionArn, stateName, token }),
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
