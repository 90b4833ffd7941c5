/**
 * Reads a state machine definition: validates it with the interpreter and works out how each
 * Task state's `Resource` is served locally.
 */
import './polyfill.js';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { SfnServiceError } from './errors.js';
import type { TaskDispatch, TaskStateInfo } from './types.js';
import { acceptedBefore, rememberAccepted } from './validated-definitions.js';

/** How definitions are validated: ARNs are the template's own (local account), paths are checked. */
const VALIDATION = { checkArn: false, checkPaths: true } as const;

const LAMBDA_FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:[^:]+(:[^:]+)?$/;
const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke$/;
const LAMBDA_INVOKE_WAIT = /^arn:aws[a-z-]*:states:::lambda:invoke\.waitForTaskToken$/;

export interface ParsedDefinition {
  readonly definition: StateMachineDefinition;
  readonly definitionText: string;
  readonly machine: StateMachine;
  readonly tasks: ReadonlyMap<string, TaskStateInfo>;
}

type AnyState = StateMachineDefinition['States'][string];
type Branch = Pick<StateMachineDefinition, 'States'>;

/** Every state, including those in Parallel branches and Map processors (overrides are by name). */
function* allStates(branch: Branch): Generator<[string, AnyState]> {
  for (const [name, state] of Object.entries(branch.States ?? {})) {
    yield [name, state];
    if (state.Type === 'Parallel') for (const nested of state.Branches ?? []) yield* allStates(nested);
    if (state.Type === 'Map') {
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor) yield* allStates(processor);
    }
  }
}

function dispatchFor(stateName: string, resource: string): TaskDispatch {
  if (LAMBDA_FUNCTION_ARN.test(resource)) return { kind: 'lambda', functionArn: resource };
  if (LAMBDA_INVOKE.test(resource)) return { kind: 'invoke' };
  if (LAMBDA_INVOKE_WAIT.test(resource)) return { kind: 'waitForTaskToken' };
  // Anything else would make the interpreter call real AWS; refuse it up front instead.
  throw new SfnServiceError(
    'InvalidDefinition',
    `State '${stateName}': Resource '${resource}' is not supported locally (use a Lambda function ARN, ` +
      'arn:aws:states:::lambda:invoke or arn:aws:states:::lambda:invoke.waitForTaskToken)',
  );
}

export function parseDefinition(input: string | object): ParsedDefinition {
  let definition: StateMachineDefinition;
  // Captured before validation: asl-validator writes `QueryLanguage` into every state.
  let definitionText: string;
  try {
    definitionText = typeof input === 'string' ? input : JSON.stringify(input);
    definition = JSON.parse(definitionText) as StateMachineDefinition;
  } catch (err) {
    throw new SfnServiceError('InvalidDefinition', `Definition is not valid JSON: ${(err as Error).message}`);
  }
  let machine: StateMachine;
  try {
    // A text the validator accepted before is not validated again (validated-definitions.ts).
    const accepted = acceptedBefore(definitionText, VALIDATION);
    machine = new StateMachine(definition, { validationOptions: accepted ? { noValidate: true } : VALIDATION });
    if (!accepted) rememberAccepted(definitionText, VALIDATION);
  } catch (err) {
    throw new SfnServiceError('InvalidDefinition', (err as Error).message);
  }
  const tasks = new Map<string, TaskStateInfo>();
  const seen = new Set<string>();
  for (const [name, state] of allStates(definition)) {
    // The interpreter looks task overrides up by bare state name, so names must be unique.
    if (seen.has(name)) throw new SfnServiceError('InvalidDefinition', `Duplicate state name '${name}'`);
    seen.add(name);
    if (state.Type !== 'Task') continue;
    tasks.set(name, {
      name,
      resource: state.Resource,
      dispatch: dispatchFor(name, state.Resource),
      timeoutSeconds: state.TimeoutSeconds,
      timeoutSecondsPath: state.TimeoutSecondsPath,
    });
  }
  return { definition, definitionText, machine, tasks };
}

/** Accepts what Lambda's `FunctionName` accepts: a name (optionally `:qualifier`), partial or full ARN. */
export function resolveFunctionArn(functionName: string, region: string, accountId: string): string {
  if (functionName.startsWith('arn:')) return functionName;
  if (/^\d{12}:function:/.test(functionName)) return `arn:aws:lambda:${region}:${functionName}`;
  return `arn:aws:lambda:${region}:${accountId}:function:${functionName}`;
}

/** The entry state of a continued execution's definition; hidden from its history. */
export const RESUME_STATE = '__handrail_resume__';

/**
 * The definition an execution continued after a restart runs: it starts at `stateName` (a
 * top-level state; the interpreter cannot start inside a Parallel branch or Map iteration, so
 * only top-level states are journaled) with the saved raw state input. A waiting Task state times
 * out at its saved deadline (`remainingMs`).
 *
 * The raw input is fed through a Pass state rather than as the run input, because the
 * interpreter sets `$$.Execution.Input` to the run input: the run input stays the execution's.
 * `TimeoutSeconds` are whole seconds, so the state gets at least 1 second; the token itself
 * closes at the exact deadline (the engine reopens it with the remaining time), which also keeps
 * the token's timer ahead of the interpreter's. The execution-level TimeoutSeconds, if any, is
 * shortened by the time already elapsed since the execution started.
 */
export function resumeDefinition(
  base: ParsedDefinition,
  stateName: string,
  stateInput: unknown,
  remainingMs: number | undefined,
  elapsedMs: number,
): ParsedDefinition {
  const state = base.definition.States[stateName];
  if (!state || !Object.hasOwn(base.definition.States, stateName)) throw new SfnServiceError('InvalidDefinition', `No top-level state '${stateName}' to continue at`);
  if (RESUME_STATE in base.definition.States) throw new SfnServiceError('InvalidDefinition', `State name '${RESUME_STATE}' is reserved`);
  const resumed = { ...state };
  const info = base.tasks.get(stateName);
  const tasks = new Map(base.tasks);
  if (remainingMs !== undefined && resumed.Type === 'Task' && info) {
    resumed.TimeoutSeconds = Math.max(1, Math.ceil(remainingMs / 1000));
    delete resumed.TimeoutSecondsPath;
    tasks.set(stateName, { ...info, timeoutSeconds: resumed.TimeoutSeconds, timeoutSecondsPath: undefined });
  }
  // A falsy Result would make the interpreter pass its input through; wrap it and unwrap with OutputPath.
  const entry = { Type: 'Pass', Result: { value: stateInput }, OutputPath: '$.value', Next: stateName };
  const definition = {
    ...base.definition,
    StartAt: RESUME_STATE,
    States: { ...base.definition.States, [RESUME_STATE]: entry, [stateName]: resumed },
  } as StateMachineDefinition;
  if (base.definition.TimeoutSeconds !== undefined) {
    definition.TimeoutSeconds = Math.max(1, Math.ceil(base.definition.TimeoutSeconds - elapsedMs / 1000));
  }
  // The base definition was validated when registered; the changes above keep it valid.
  const machine = new StateMachine(definition, { validationOptions: { noValidate: true } });
  return { definition, definitionText: base.definitionText, machine, tasks };
}
