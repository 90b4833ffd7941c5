/**
 * Lambda on a schedule (EventBridge, every five minutes): signs the heads of the audit streams that
 * grew since the last checkpoint (functions/audit/checkpoints.ts), so a rewrite of the trail shows.
 * "Now" is the scheduled event's time (fake time in tests).
 */
import * as z from 'zod';
import { writeCheckpoint } from '../../audit/checkpoints.js';
import { stepHandler } from '../../shared/lambda-handler.js';

const scheduledEventSchema = z.object({ time: z.string().datetime({ offset: true }) }).passthrough();

export const handler = stepHandler(scheduledEventSchema, async (event) => ({ checkedAt: event.time, ...(await writeCheckpoint(Date.parse(event.time))) }));
