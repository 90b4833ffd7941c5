/** zod schemas of the payloads the compiled state machines send to step handlers. */
import * as z from 'zod';
import { stepSchema, type StepKind, type StepOf } from '../../state-machines/schema.js';
import type { ExecutionState } from '../shared/step-contract.js';

/** The execution state (step-contract.ts); Catch results (`error`, `rejection`, `timeout`) pass through. */
export const stateSchema = z
  .object({
    run: z.object({ runId: z.string().min(1), workflowId: z.string().min(1), version: z.string().min(1), releaseId: z.string().optional(), replay: z.object({ replayId: z.string(), of: z.string() }).optional() }),
    input: z.record(z.string(), z.unknown()),
    steps: z.record(z.string(), z.unknown()).default({}),
    approval: z.object({ approvalId: z.string().min(1) }).passthrough().optional(),
  })
  .passthrough() as unknown as z.ZodType<ExecutionState>;

/** The event of a step of `kind`: the step's own definition, the output paths to keep, and the execution state. */
export function stepEventSchema<K extends StepKind, Extra extends z.ZodRawShape = {}>(kind: K, extra?: Extra) {
  const step = stepSchema.refine((s) => s.kind === kind, { message: `expected a ${kind} step` }) as unknown as z.ZodType<StepOf<K>>;
  return z.object({ step, keep: z.array(z.string()).default([]), state: stateSchema, ...(extra ?? ({} as Extra)) });
}
