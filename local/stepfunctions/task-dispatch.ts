/**
 * What runs inside an execution: the `$$` context object (with a `Task.Token` the interpreter
 * lacks) and the per-state handlers that serve Task resources with the injected `invokeLambda`.
 */
import { DataLimitExceededError, ExecutionClosedError, overPayloadLimit, stateError } from './errors.js';
import { resolveFunctionArn } from './definition.js';
import { mintTaskToken, type TaskTokenRegistry } from './tokens.js';
import type { ExecutionRecord, InvokeLambda, Json, TaskStateInfo } from './types.js';

// The interpreter's default for a Task without TimeoutSeconds; tokens must close with it.
const INTERPRETER_DEFAULT_TIMEOUT_SECONDS = 60;

export interface DispatchDeps {
  readonly invokeLambda: InvokeLambda;
  readonly tokens: TaskTokenRegistry;
  readonly region: string;
  readonly accountId: string;
  /** A waiting state opened its token, before its function is invoked; `deadline` (ms epoch) is when the state times out, if known. */
  readonly onTokenMinted: (exec: ExecutionRecord, stateName: string, token: string, deadline: number | undefined) => void;
  /** After the waiting state's function returned: the state now only waits for its token. */
  readonly onTokenIssued: (exec: ExecutionRecord, stateName: string, token: string) => void;
}

export type TaskHandlers = Record<string, (input: Json) => Promise<Json>>;

/**
 * The token for the Parameters being evaluated right now. Repeated reads within one evaluation
 * get the same token; the interpreter calls the state's handler in the same synchronous run, and
 * the handler claims it. Unclaimed tokens (e.g. a Pass state reading `$$.Task.Token`) are dropped
 * at the next microtask so a later state never inherits them.
 */
function currentToken(exec: ExecutionRecord): string {
  if (exec.pendingToken === undefined) {
    // A resumed execution starts at its waiting state, whose Parameters must see the saved token.
    const token = exec.resume?.token ?? mintTaskToken();
    exec.pendingToken = token;
    queueMicrotask(() => {
      if (exec.pendingToken === token) exec.pendingToken = undefined;
    });
  }
  return exec.pendingToken;
}

/** The `$$` object. The interpreter spreads it per run, so `Task` is an object holding a getter. */
export function createContext(exec: ExecutionRecord, inputValue: Json): Record<string, unknown> {
  const task = {};
  Object.defineProperty(task, 'Token', { enumerable: true, get: () => currentToken(exec) });
  const machine = exec.stateMachine;
  return {
    Execution: {
      Id: exec.executionArn,
      Name: exec.name,
      StartTime: exec.startDate.toISOString(),
      Input: inputValue,
      RoleArn: machine.roleArn,
    },
    StateMachine: { Id: machine.stateMachineArn, Name: machine.name },
    Task: task,
  };
}

/**
 * Task results cross a JSON boundary in AWS; do the same so Dates, undefined etc. match. A result
 * over the payload limit ends the execution, as on AWS.
 */
function withinLimit(stateName: string, value: unknown): Json {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  if (overPayloadLimit(text)) throw new DataLimitExceededError(stateName);
  return JSON.parse(text) as Json;
}

function invokeParameters(stateName: string, input: Json): { functionName: string; payload: Json } {
  const params = input !== null && typeof input === 'object' && !Array.isArray(input) ? input : {};
  if (typeof params.FunctionName !== 'string' || params.FunctionName === '') {
    throw stateError('States.Runtime', `State '${stateName}': Parameters must include a FunctionName string`);
  }
  // Lambda's Invoke without a payload hands the function `{}`.
  return { functionName: params.FunctionName, payload: params.Payload ?? {} };
}

/** Same rule as the interpreter: TimeoutSeconds, else TimeoutSecondsPath, else its default. */
function timeoutMs(info: TaskStateInfo, input: Json): number | undefined {
  if (info.timeoutSeconds) return info.timeoutSeconds * 1000;
  if (!info.timeoutSecondsPath) return INTERPRETER_DEFAULT_TIMEOUT_SECONDS * 1000;
  // Only plain `$.a.b` paths are resolved here; others leave the token open until the execution closes.
  let value: unknown = input;
  for (const key of info.timeoutSecondsPath.replace(/^\$\.?/, '').split('.').filter(Boolean)) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  return typeof value === 'number' && value >= 1 ? value * 1000 : undefined;
}

async function runTask(exec: ExecutionRecord, info: TaskStateInfo, input: Json, deps: DispatchDeps): Promise<Json> {
  // Claim before anything else: still inside the synchronous run that evaluated Parameters.
  const minted = exec.pendingToken;
  exec.pendingToken = undefined;
  // A stopped execution can still reach a handler via Retry; do no more work for it.
  if (exec.status !== 'RUNNING') throw new ExecutionClosedError();
  // As on AWS, a task whose input is over the payload limit is never invoked.
  if (overPayloadLimit(JSON.stringify(input))) throw new DataLimitExceededError(info.name);
  switch (info.dispatch.kind) {
    case 'lambda':
      return withinLimit(info.name, await deps.invokeLambda(info.dispatch.functionArn, input));
    case 'invoke': {
      const { functionName, payload } = invokeParameters(info.name, input);
      const result = await deps.invokeLambda(resolveFunctionArn(functionName, deps.region, deps.accountId), payload);
      return { Payload: withinLimit(info.name, result), StatusCode: 200, ExecutedVersion: '$LATEST' };
    }
    case 'waitForTaskToken': {
      const resumed = exec.resume;
      if (resumed?.stateName === info.name) {
        // Continued after a restart: the engine reopened the saved token. If the function returned
        // before the restart (it stored the request), just wait again; otherwise invoke it again
        // with the same token (functions behind waits are idempotent per token).
        exec.resume = undefined;
        if (resumed.reinvoke) await invokeWaiting(exec, info, input, resumed.token, deps);
        return withinLimit(info.name, await resumed.waiting);
      }
      const token = minted ?? mintTaskToken();
      const ms = timeoutMs(info, input);
      // Open synchronously (see TaskTokenRegistry.open): the timer must precede the interpreter's.
      const waiting = deps.tokens.open(token, exec.executionArn, info.name, ms);
      deps.onTokenMinted(exec, info.name, token, ms === undefined ? undefined : Date.now() + ms);
      await invokeWaiting(exec, info, input, token, deps);
      return withinLimit(info.name, await waiting);
    }
  }
}

async function invokeWaiting(exec: ExecutionRecord, info: TaskStateInfo, input: Json, token: string, deps: DispatchDeps): Promise<void> {
  const { functionName, payload } = invokeParameters(info.name, input);
  try {
    await deps.invokeLambda(resolveFunctionArn(functionName, deps.region, deps.accountId), payload);
  } catch (err) {
    deps.tokens.close(token);
    throw err;
  }
  deps.onTokenIssued(exec, info.name, token);
}

export function createTaskHandlers(exec: ExecutionRecord, deps: DispatchDeps): TaskHandlers {
  const handlers: TaskHandlers = {};
  for (const info of exec.stateMachine.tasks.values()) {
    handlers[info.name] = (input) => runTask(exec, info, input, deps);
  }
  return handlers;
}
