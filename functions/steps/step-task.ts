/**
 * A step kind's Lambda handler: parses the event (event-schema.ts), gives the body the whole run
 * (run-view.ts; or, where the kind says which earlier steps it `reads`, the run with only those
 * steps' records), and returns to the state machine only the part of the body's output that later
 * Choice states read (the event's `keep` paths); the body records its whole output on the run.
 */
import type { Context } from 'aws-lambda';
import type * as z from 'zod';
import type { StepKind, StepOf } from '../../state-machines/schema.js';
import { stepHandler } from '../shared/lambda-handler.js';
import { pickPaths } from '../shared/pick-paths.js';
import type { RunRecord } from '../records/runs.js';
import type { ExecutionState, StateData } from '../shared/step-contract.js';
import { stepEventSchema } from './event-schema.js';
import { loadRunView } from './run-view.js';

export type StepTaskEvent<K extends StepKind, Extra extends z.ZodRawShape = {}> = { step: StepOf<K>; keep: string[]; state: StateData; record: RunRecord } & z.infer<z.ZodObject<Extra>>;

export function stepTaskHandler<K extends StepKind, Extra extends z.ZodRawShape = {}>(
  kind: K,
  extra: Extra | undefined,
  body: (event: StepTaskEvent<K, Extra>, context: Context) => Promise<unknown>,
  reads?: (step: StepOf<K>) => readonly string[],
) {
  const schema = stepEventSchema(kind, extra) as unknown as z.ZodType<{ step: StepOf<K>; keep: string[]; state: ExecutionState }>;
  return stepHandler(schema, async (event, context) => {
    const { state, record } = await loadRunView(event.state, reads?.(event.step));
    const output = await body({ ...event, state, record } as unknown as StepTaskEvent<K, Extra>, context);
    return pickPaths(output, event.keep);
  });
}
