/**
 * The local Step Functions service: runs the very ASL deployed to AWS with aws-local-stepfunctions,
 * serving Task states with an injected `invokeLambda` and adding what the interpreter lacks
 * (task tokens, executions by ARN, history, idempotent starts).
 *
 * Durable like Standard workflows when given a `persistenceDir` (see journal.ts): every start,
 * every top-level state entered (with its input), every task token and every close is journaled,
 * and `recover()` on the next start continues each execution that was open, even after SIGKILL:
 * same ARN, name, input and start date, at the last state it entered (states before it are not
 * run again; a Task state that was running is invoked again, so functions must be idempotent), a
 * waiting state on its saved token. Executions that cannot be continued (their state machine is
 * gone, their definition is unreadable) are reported, so the caller can put their runs in front
 * of a human. Not continued: states inside Parallel branches or Map iterations (their enclosing
 * state runs again), and history from before the restart.
 *
 * Closed executions are kept in memory for Describe/GetExecutionHistory up to
 * `maxClosedExecutions`, oldest evicted first, so memory stays flat however many runs complete.
 *
 * RedriveExecution (`redriveExecution`) runs an execution that closed FAILED, ABORTED or TIMED_OUT
 * in the last 14 days again, as on AWS: same ARN, name, input, start date, and the definition (and
 * version or alias) it started with, continuing at the last top-level state it entered, with that
 * state's raw input, so the states before it are not run again. A state that failed inside a
 * Parallel branch or a Map iteration reruns its whole enclosing top-level state (AWS reruns only
 * the branches and iterations that did not succeed). A `.waitForTaskToken` state runs afresh: new
 * token, its function invoked again. The execution-level TimeoutSeconds starts over, as on AWS.
 * Every execution tracks its last top-level state for this, journal or not; with a
 * `persistenceDir`, redrivable executions stay redrivable after a restart and after being evicted
 * from memory (journal.ts). A redriven execution closes again with `executionClosed` like any other.
 */
import './polyfill.js';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type {
  DescribeExecutionOutput,
  DescribeStateMachineOutput,
  ExecutionListItem,
  ExecutionRedriveFilter,
  ExecutionStatus,
  HistoryEvent,
  StateMachineListItem,
} from '@aws-sdk/client-sfn';
import { parseDefinition, RESUME_STATE, resumeDefinition, type ParsedDefinition } from './definition.js';
import { DataLimitExceededError, ExecutionClosedError, overPayloadLimit, SfnServiceError } from './errors.js';
import { ExecutionStore } from './execution-store.js';
import { buildHistory, type HistoryOptions } from './history.js';
import { ExecutionJournal, type RecoveredExecution, type RedrivableExecution } from './journal.js';
import { notRedrivableReason, redriveStatusOf, rememberToken, repeatedRedrive } from './redrive.js';
import { launchExecution, type Outcome } from './runner.js';
import type { DispatchDeps } from './task-dispatch.js';
import { TaskTokenRegistry } from './tokens.js';
import { VersionRegistry, type AliasRecord, type RoutingEntry, type VersionRecord } from './versions.js';
import type {
  ExecutionClosedEvent,
  EventLog,
  ExecutionRecord,
  InvokeLambda,
  Json,
  RedriveMark,
  StateMachineRecord,
  TaskTokenIssuedEvent,
} from './types.js';

export interface LocalStepFunctionsOptions {
  readonly invokeLambda: InvokeLambda;
  readonly region?: string;
  readonly accountId?: string;
  /** Closed executions kept for Describe/GetExecutionHistory; the oldest are evicted first. @default 200 */
  readonly maxClosedExecutions?: number;
  /** Where executions are journaled so `recover()` can continue them after a restart; none: memory only. */
  readonly persistenceDir?: string;
}

export interface StartExecutionParams {
  readonly stateMachineArn: string;
  /** Defaults to a UUID. Reusing a name is idempotent while the execution runs with the same input. */
  readonly name?: string;
  /** JSON text; defaults to `{}`. */
  readonly input?: string;
}

/** An execution the journal knew of that could not be continued after a restart. */
export interface LostExecution {
  readonly executionArn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly reason: string;
}

export interface LocalStepFunctionsEvents {
  taskTokenIssued: [TaskTokenIssuedEvent];
  executionClosed: [ExecutionClosedEvent];
}

// Names may not contain whitespace, brackets, wildcards, these specials or control characters.
const VALID_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;
const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[^:]*:[^:]*:stateMachine:[^:]+$/;
/** A version (`…:stateMachine:name:3`) or an alias (`…:stateMachine:name:live`). */
const QUALIFIED_ARN = /^(arn:aws[a-z-]*:states:[^:]*:[^:]*:stateMachine:[^:]+):([^:]+)$/;
const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[^:]*:[^:]*:execution:[^:]+:[^:]+$/;

/** What a record restored from the journal knows of its latest redrive. */
function redriveFields(redrive: NonNullable<RecoveredExecution['redrive']>): Pick<ExecutionRecord, 'redriveCount' | 'redriveDate' | 'redriveTokens'> {
  const redriveDate = new Date(redrive.date);
  return { redriveCount: redrive.count, redriveDate, redriveTokens: rememberToken(undefined, redrive.clientToken, redriveDate) };
}

export class LocalStepFunctions extends EventEmitter<LocalStepFunctionsEvents> {
  readonly region: string;
  readonly accountId: string;
  private readonly machines = new Map<string, StateMachineRecord>();
  private readonly tokens: TaskTokenRegistry;
  private readonly executions: ExecutionStore;
  private readonly deps: DispatchDeps;
  private readonly journal?: ExecutionJournal;
  private readonly versions: VersionRegistry;
  /** One record per version, so the journal hashes each version's definition once. */
  private readonly versionMachines = new WeakMap<VersionRecord, StateMachineRecord>();
  /** Continued executions not yet running (see `recover`), with the deadline of the token they wait on. */
  private held: { exec: ExecutionRecord; inputValue: Json; wait?: { token: string; deadline: number | null } }[] = [];

  constructor({ invokeLambda, region = 'us-east-1', accountId = '000000000000', maxClosedExecutions = 200, persistenceDir }: LocalStepFunctionsOptions) {
    super();
    this.region = region;
    this.accountId = accountId;
    const journal = persistenceDir === undefined ? undefined : new ExecutionJournal(persistenceDir);
    this.journal = journal;
    this.versions = new VersionRegistry(persistenceDir);
    this.tokens = new TaskTokenRegistry(journal && ((token) => journal.closed(token)));
    this.executions = new ExecutionStore(maxClosedExecutions, (exec) => this.tokens.forgetExecution(exec.executionArn));
    this.deps = {
      invokeLambda,
      tokens: this.tokens,
      region,
      accountId,
      onTokenMinted: (exec, stateName, token, deadline) => journal?.tokenMinted(exec.executionArn, stateName, token, deadline),
      onTokenIssued: (exec, stateName, token) => {
        // Whoever hears taskTokenIssued may rely on the wait being durable, so it waits until the
        // journal has the state's entry, which comes from the event log a few microtasks behind.
        const issue = () => {
          journal?.issued(token);
          this.safeEmit('taskTokenIssued', { executionArn: exec.executionArn, stateName, token });
        };
        if (!journal || exec.journaledState === stateName || !Object.hasOwn(exec.stateMachine.definition.States, stateName)) issue();
        else exec.heldIssue = { stateName, issue };
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
    const { machine, versionArn, aliasArn } = this.target(stateMachineArn);
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
      ...(versionArn ? { stateMachineVersionArn: versionArn } : {}),
      ...(aliasArn ? { stateMachineAliasArn: aliasArn } : {}),
    };
    this.executions.add(exec);
    this.journal?.started(exec);
    this.launch(exec, inputValue);
    return { executionArn, startDate: exec.startDate };
  }

  private launch(exec: ExecutionRecord, inputValue: Json): void {
    const journal = this.journal;
    const onEvent = (event: EventLog) => {
      if (event.type !== 'StateEntered' || event.state.name === RESUME_STATE) return;
      // A stopped execution's log may still hold states it entered before the stop (the log lags
      // the interpreter a little): they still say where a redrive continues.
      const running = exec.status === 'RUNNING';
      if (!running && exec.status !== 'ABORTED') return;
      const { name } = event.state;
      const text = JSON.stringify(event.state.input ?? null);
      // A state's input over the payload limit ends the execution, as on AWS (tasks check their own).
      if (overPayloadLimit(text)) {
        if (running) this.failExecution(exec, new DataLimitExceededError(name));
        return;
      }
      // Only top-level states can be continued at (see resumeDefinition).
      if (!Object.hasOwn(exec.stateMachine.definition.States, name)) return;
      exec.lastState = { name, input: text };
      if (!journal) return;
      journal.entered(exec.executionArn, name, event.state.input as Json, text);
      if (!running) return;
      exec.journaledState = name;
      const held = exec.heldIssue;
      if (held?.stateName === name) {
        exec.heldIssue = undefined;
        held.issue();
      }
    };
    launchExecution(exec, inputValue, this.deps, (outcome) => this.finish(exec, outcome), onEvent);
  }

  /** Ends a running execution with an error no Catch handles (e.g. States.DataLimitExceeded). */
  private failExecution(exec: ExecutionRecord, error: Error): void {
    this.finish(exec, { status: 'FAILED', error: error.name, cause: error.message });
    exec.abort();
  }

  /**
   * Continues the executions that were open when the engine last stopped (even by SIGKILL); call
   * once, after registering the state machines. Synchronous: when it returns, every continued
   * waiting state's token is open again (decisions sent from then on resume the run). Each
   * execution continues at the last top-level state it entered, with that state's saved raw input,
   * under the definition it started with. A waiting state whose function returned before the
   * restart is not invoked again.
   *
   * A wait whose deadline passed while the engine was down times out at once. With `hold`, no
   * continued execution runs, and no wait's clock runs, until `releaseRecovered()`, so a caller can
   * first set up what the functions need and deliver decisions that were recorded in time.
   * Executions that cannot be continued are ended in the journal (never continued again) and
   * returned in `lost` with the reason.
   */
  recover(options: { hold?: boolean } = {}): { continued: RecoveredExecution[]; lost: LostExecution[] } {
    const journal = this.journal;
    const result = { continued: [] as RecoveredExecution[], lost: [] as LostExecution[] };
    if (!journal) return result;
    const definitions = new Map<string, ParsedDefinition | undefined>();
    for (const entry of journal.takeRecovered()) {
      try {
        this.continueExecution(entry, journal, definitions);
        result.continued.push(entry);
      } catch (err) {
        const reason = `the local runtime stopped while it ran${entry.state ? ` state ${entry.state.name}` : ''}, and it could not be continued: ${(err as Error).message}`;
        result.lost.push({ executionArn: entry.executionArn, name: entry.name, stateMachineArn: entry.stateMachineArn, reason });
        journal.ended(entry.executionArn);
      }
    }
    if (!options.hold) this.releaseRecovered();
    return result;
  }

  /** Runs the executions `recover({ hold: true })` continued and starts their waits' clocks; expired waits time out now unless a decision came meanwhile. */
  releaseRecovered(): void {
    const now = Date.now();
    for (const { exec, inputValue, wait } of this.held.splice(0)) {
      if (exec.status !== 'RUNNING') continue; // stopped while held
      if (wait?.deadline != null) this.tokens.closeAfter(wait.token, wait.deadline - now); // no-op if a decision already resolved it
      this.launch(exec, inputValue);
    }
  }

  private continueExecution(entry: RecoveredExecution, journal: ExecutionJournal, definitions: Map<string, ParsedDefinition | undefined>): void {
    const current = this.machine(entry.stateMachineArn);
    if (this.executions.get(entry.executionArn)) throw new SfnServiceError('ExecutionAlreadyExists', 'the execution already exists');
    if (!definitions.has(entry.definition)) {
      const text = journal.definition(entry.definition);
      definitions.set(entry.definition, text === undefined ? undefined : parseDefinition(text));
    }
    const stored = definitions.get(entry.definition); // its own definition when stored
    const origin = stored ? { ...current, ...stored } : current;
    const startDate = new Date(entry.startDate);
    const now = Date.now();
    const { wait, state, redrive } = entry;
    const remainingMs = wait?.deadline == null ? undefined : wait.deadline - now;
    // A redrive restarted the execution-level timeout.
    const runningSince = redrive ? Date.parse(redrive.date) : startDate.getTime();
    const parsed = state ? resumeDefinition(origin, state.name, state.input, remainingMs, now - runningSince) : origin;
    const inputValue = JSON.parse(entry.input) as Json;
    const exec: ExecutionRecord = {
      executionArn: entry.executionArn, name: entry.name, stateMachine: { ...origin, ...parsed }, origin, input: entry.input, startDate,
      status: 'RUNNING', events: [], abort: () => undefined, done: Promise.resolve(),
      ...(entry.versionArn ? { stateMachineVersionArn: entry.versionArn } : {}),
      ...(entry.aliasArn ? { stateMachineAliasArn: entry.aliasArn } : {}),
      ...(state ? { lastState: { name: state.name, input: JSON.stringify(state.input) } } : {}),
      // Its history starts at the state it continues at, after an ExecutionRedriven event.
      ...(redrive ? { ...redriveFields(redrive), redrives: [{ index: 0, timestamp: Date.parse(redrive.date), redriveCount: redrive.count, closed: {} }] } : {}),
    };
    this.executions.add(exec);
    if (wait && state) {
      // Open now, so decisions find it; its clock starts when the execution runs (releaseRecovered).
      const waiting = this.tokens.open(wait.token, entry.executionArn, state.name, undefined);
      exec.resume = { stateName: state.name, token: wait.token, waiting, reinvoke: !wait.issued };
    }
    this.held.push({ exec, inputValue, wait: wait && state ? { token: wait.token, deadline: wait.deadline } : undefined });
  }

  /**
   * RedriveExecution: runs a FAILED, ABORTED or TIMED_OUT execution of the last 14 days again,
   * continuing at the last top-level state it entered (see the module comment). A request repeating
   * the `clientToken` of one of the execution's last 10 redrives, within 15 minutes, answers that
   * redrive's date again instead of redriving (or failing because it runs). With a
   * `persistenceDir`, an execution evicted from memory or closed before a restart can be redriven.
   */
  async redriveExecution(executionArn: string, clientToken?: string): Promise<{ redriveDate: Date }> {
    if (!EXECUTION_ARN.test(executionArn)) throw new SfnServiceError('InvalidArn', `Invalid Arn: '${executionArn}'`);
    const closed = this.executions.get(executionArn);
    // The next attempt's events follow the closed attempt's: let its event log finish first.
    if (closed && closed.status !== 'RUNNING') await closed.done;
    return { redriveDate: this.redrive(executionArn, clientToken) };
  }

  private redrive(executionArn: string, clientToken: string | undefined): Date {
    const now = Date.now();
    const saved = this.executions.get(executionArn) ?? this.restoreRedrivable(executionArn);
    const repeated = repeatedRedrive(saved.redriveTokens, clientToken, now);
    if (repeated) return repeated;
    const reason = notRedrivableReason(saved.status, saved.stopDate, now);
    if (reason !== undefined) throw new SfnServiceError('ExecutionNotRedrivable', `${reason}.`);
    const origin = saved.origin ?? saved.stateMachine;
    const state = saved.lastState;
    // The execution-level timeout starts over (elapsed 0); a Task's own timeout is its definition's.
    const parsed = state ? resumeDefinition(origin, state.name, JSON.parse(state.input), undefined, 0) : origin;
    const redriveDate = new Date(now);
    const redriveCount = (saved.redriveCount ?? 0) + 1;
    const mark: RedriveMark = { index: saved.events.length, timestamp: now, redriveCount, closed: { error: saved.error, cause: saved.cause } };
    const exec: ExecutionRecord = {
      executionArn, name: saved.name, stateMachine: { ...origin, ...parsed }, origin, input: saved.input, startDate: saved.startDate,
      status: 'RUNNING', events: saved.events, abort: () => undefined, done: Promise.resolve(),
      ...(saved.stateMachineVersionArn ? { stateMachineVersionArn: saved.stateMachineVersionArn } : {}),
      ...(saved.stateMachineAliasArn ? { stateMachineAliasArn: saved.stateMachineAliasArn } : {}),
      ...(state ? { lastState: state } : {}),
      redriveCount, redriveDate, redrives: [...(saved.redrives ?? []), mark],
      redriveTokens: rememberToken(saved.redriveTokens, clientToken, redriveDate),
    };
    this.executions.reopen(exec);
    this.journal?.redriven(exec, clientToken);
    this.launch(exec, JSON.parse(exec.input) as Json);
    return redriveDate;
  }

  /** A redrivable execution no longer in memory (evicted, or closed before a restart), as the closed record it was. */
  private restoreRedrivable(executionArn: string): ExecutionRecord {
    const entry: RedrivableExecution | undefined = this.journal?.redrivableExecution(executionArn);
    if (!entry) throw new SfnServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    const current = this.machines.get(entry.stateMachineArn);
    if (!current) throw new SfnServiceError('ExecutionNotRedrivable', `State machine '${entry.stateMachineArn}' does not exist, so the execution cannot be redriven.`);
    const text = this.journal!.definition(entry.definition);
    const origin = text === undefined ? current : { ...current, ...parseDefinition(text) };
    const { state, redrive } = entry;
    return {
      executionArn, name: entry.name, stateMachine: origin, origin, input: entry.input, startDate: new Date(entry.startDate),
      status: entry.status, stopDate: new Date(entry.stopDate), error: entry.error, cause: entry.cause,
      events: [], abort: () => undefined, done: Promise.resolve(),
      ...(entry.versionArn ? { stateMachineVersionArn: entry.versionArn } : {}),
      ...(entry.aliasArn ? { stateMachineAliasArn: entry.aliasArn } : {}),
      ...(state ? { lastState: { name: state.name, input: JSON.stringify(state.input) } } : {}),
      ...(redrive ? redriveFields(redrive) : {}),
    };
  }

  /** Whether the execution is known and running (not part of the AWS API; used on recovery). */
  isRunning(executionArn: string): boolean {
    return this.executions.get(executionArn)?.status === 'RUNNING';
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
      error: exec.error, cause: exec.cause, redriveCount: exec.redriveCount ?? 0, redriveDate: exec.redriveDate,
      ...redriveStatusOf(exec.status, exec.stopDate),
      stateMachineVersionArn: exec.stateMachineVersionArn, stateMachineAliasArn: exec.stateMachineAliasArn,
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

  /**
   * `arn`: a state machine (all its executions), or one of its versions or aliases (those started
   * on it). `redriveFilter`: only executions that were redriven, or only those that were not.
   */
  async listExecutions(arn: string, statusFilter?: ExecutionStatus, redriveFilter?: ExecutionRedriveFilter): Promise<ExecutionListItem[]> {
    const { machine, versionArn, aliasArn } = this.target(arn, { peek: true });
    const { stateMachineArn } = machine;
    const redriven = redriveFilter === undefined ? undefined : redriveFilter === 'REDRIVEN';
    return this.executions
      .list(stateMachineArn, statusFilter)
      .filter((exec) => (!versionArn || exec.stateMachineVersionArn === versionArn) && (!aliasArn || exec.stateMachineAliasArn === aliasArn))
      .filter((exec) => redriven === undefined || redriven === (exec.redriveCount ?? 0) > 0)
      .map((exec) => ({
        executionArn: exec.executionArn, stateMachineArn, name: exec.name, status: exec.status,
        startDate: exec.startDate, stopDate: exec.stopDate, redriveCount: exec.redriveCount ?? 0, redriveDate: exec.redriveDate,
        stateMachineVersionArn: exec.stateMachineVersionArn, stateMachineAliasArn: exec.stateMachineAliasArn,
      }));
  }

  /** Publishes the state machine's current definition as a version (the latest one again if unchanged since). */
  async publishStateMachineVersion(stateMachineArn: string, description?: string, revisionId?: string): Promise<{ stateMachineVersionArn: string; creationDate: Date }> {
    const { stateMachineVersionArn, creationDate } = this.versions.publish(stateMachineArn, this.machine(stateMachineArn), description, revisionId);
    return { stateMachineVersionArn, creationDate };
  }

  async listStateMachineVersions(stateMachineArn: string): Promise<{ stateMachineVersionArn: string; creationDate: Date }[]> {
    this.machine(stateMachineArn);
    return this.versions.listVersions(stateMachineArn).map(({ stateMachineVersionArn, creationDate }) => ({ stateMachineVersionArn, creationDate }));
  }

  async deleteStateMachineVersion(versionArn: string): Promise<void> {
    this.versions.deleteVersion(versionArn);
  }

  async createStateMachineAlias(name: string, routingConfiguration: RoutingEntry[], description?: string): Promise<{ stateMachineAliasArn: string; creationDate: Date }> {
    const { stateMachineAliasArn, creationDate } = this.versions.createAlias(name, routingConfiguration, description);
    return { stateMachineAliasArn, creationDate };
  }

  async updateStateMachineAlias(aliasArn: string, update: { routingConfiguration?: RoutingEntry[]; description?: string }): Promise<{ updateDate: Date }> {
    return { updateDate: this.versions.updateAlias(aliasArn, update).updateDate };
  }

  async describeStateMachineAlias(aliasArn: string): Promise<Omit<AliasRecord, 'stateMachineArn'>> {
    const { stateMachineArn: _machine, ...alias } = this.alias(aliasArn);
    return alias;
  }

  async listStateMachineAliases(stateMachineArn: string): Promise<{ stateMachineAliasArn: string; creationDate: Date }[]> {
    this.machine(stateMachineArn);
    return this.versions.listAliases(stateMachineArn).map(({ stateMachineAliasArn, creationDate }) => ({ stateMachineAliasArn, creationDate }));
  }

  async deleteStateMachineAlias(aliasArn: string): Promise<void> {
    this.versions.deleteAlias(aliasArn);
  }

  async listStateMachines(): Promise<StateMachineListItem[]> {
    return [...this.machines.values()].map(({ stateMachineArn, name, creationDate }) => ({ stateMachineArn, name, type: 'STANDARD', creationDate }));
  }

  /** A state machine, or one of its versions (its definition, description and revision). */
  async describeStateMachine(arn: string): Promise<DescribeStateMachineOutput> {
    const { machine: m, versionArn } = this.target(arn, { peek: true });
    const version = versionArn ? this.versions.version(versionArn) : undefined;
    return {
      stateMachineArn: arn, name: m.name, description: version?.description, revisionId: version?.revisionId, status: 'ACTIVE', definition: m.definitionText, roleArn: m.roleArn, type: 'STANDARD',
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

  private finish(exec: ExecutionRecord, result: Outcome): void {
    if (exec.status !== 'RUNNING') return; // already stopped
    const outcome: Outcome =
      result.status === 'SUCCEEDED' && result.output !== undefined && overPayloadLimit(result.output)
        ? { status: 'FAILED', error: 'States.DataLimitExceeded', cause: new DataLimitExceededError('(execution output)').message }
        : result;
    Object.assign(exec, outcome, { stopDate: new Date() });
    if (outcome.status === 'SUCCEEDED') exec.lastState = undefined; // only a redrive reads it
    this.journal?.ended(exec.executionArn, exec); // FAILED, ABORTED, TIMED_OUT: kept there for a redrive
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

  /** Closes the journal (tests that simulate a SIGKILL in one process). Not part of the AWS API. */
  closeJournal(): void {
    this.journal?.close();
  }

  private machine(stateMachineArn: string): StateMachineRecord {
    if (!STATE_MACHINE_ARN.test(stateMachineArn)) throw new SfnServiceError('InvalidArn', `Invalid Arn: '${stateMachineArn}'`);
    const machine = this.machines.get(stateMachineArn);
    if (!machine) throw new SfnServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    return machine;
  }

  /**
   * What an ARN starts: the state machine itself, one of its versions, or a version its alias
   * picks by weight (`peek`: the alias's first route, for reads that do not start anything).
   */
  private target(arn: string, { peek = false } = {}): { machine: StateMachineRecord; versionArn?: string; aliasArn?: string } {
    const qualified = QUALIFIED_ARN.exec(arn);
    if (!qualified) return { machine: this.machine(arn) };
    const base = this.machine(qualified[1]!);
    if (/^\d+$/.test(qualified[2]!)) {
      const version = this.versions.version(arn);
      if (!version) throw new SfnServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
      return { machine: this.versionMachine(base, version), versionArn: arn };
    }
    const alias = this.alias(arn);
    if (peek) return { machine: base, aliasArn: arn };
    const version = this.versions.pick(alias);
    return { machine: this.versionMachine(base, version), versionArn: version.stateMachineVersionArn, aliasArn: arn };
  }

  private versionMachine(base: StateMachineRecord, version: VersionRecord): StateMachineRecord {
    let machine = this.versionMachines.get(version);
    if (!machine) {
      machine = { ...base, ...version.definition, creationDate: version.creationDate };
      this.versionMachines.set(version, machine);
    }
    return machine;
  }

  private alias(aliasArn: string): AliasRecord {
    const alias = this.versions.alias(aliasArn);
    if (!alias) throw new SfnServiceError('ResourceNotFound', `Alias Does Not Exist: '${aliasArn}'`);
    return alias;
  }

  private execution(executionArn: string): ExecutionRecord {
    if (!EXECUTION_ARN.test(executionArn)) throw new SfnServiceError('InvalidArn', `Invalid Arn: '${executionArn}'`);
    const exec = this.executions.get(executionArn);
    if (!exec) throw new SfnServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return exec;
  }
}
