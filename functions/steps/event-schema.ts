/** zod schemas of the payloads the compiled state machines send to step handlers. */
import * as z from 'zod';
import { stepSchema, type StepKind, type StepOf } from '../../state-machines/schema.js';
import type { StateData } from '../shared/step-contract.js';

export const stateSchema = z
  .object({
    run: z.object({ runId: z.string().min(1), workflowId: z.string().min(1), version: z.string().min(1) }),
    input: z.record(z.string(), z.unknown()),
    steps: z.record(z.string(), z.unknown()).default({}),
    approval: z.unknown().optional(),
  })
  .passthrough() as unknown as z.ZodType<StateData>;

/** The event of a step of `kind`: the step's own definition plus the run state. */
export function stepEventSchema<K extends StepKind, Extra extends z.ZodRawShape = {}>(kind: K, extra?: Extra) {
  const step = stepSchema.refine((s) => s.kind === kind, { message: `expected a ${kind} step` }) as unknown as z.ZodType<StepOf<K>>;
  return z.object({ step, state: stateSchema, ...(extra ?? ({} as Extra)) });
}
