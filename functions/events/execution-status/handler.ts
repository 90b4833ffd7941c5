/**
 * Lambda on the Step Functions "Execution Status Change" events of the stage's state machines
 * (FAILED, TIMED_OUT, ABORTED): ends the run the state machine could not (runs/end-failed-execution.ts).
 */
import * as z from 'zod';
import { endFailedExecution } from '../../runs/end-failed-execution.js';
import { stepHandler } from '../../shared/lambda-handler.js';

const statusChangeSchema = z
  .object({
    'detail-type': z.literal('Step Functions Execution Status Change'),
    detail: z
      .object({
        name: z.string().min(1),
        executionArn: z.string().min(1).optional(),
        status: z.enum(['FAILED', 'TIMED_OUT', 'ABORTED']),
        error: z.string().nullish(),
        cause: z.string().nullish(),
      })
      .passthrough(),
  })
  .passthrough();

// The execution's name is its run's id: on the function's log lines and trace, as a step's are.
export const handler = stepHandler(
  statusChangeSchema,
  async ({ detail }) => ({
    runId: detail.name,
    ended: await endFailedExecution({ runId: detail.name, executionArn: detail.executionArn, status: detail.status, error: detail.error, cause: detail.cause }),
  }),
  { correlate: ({ detail }) => ({ runId: detail.name }) },
);
