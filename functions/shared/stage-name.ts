/** A stage's name (dev, staging, prod, …): what `-c stage=`, stages.yaml and promotions name. */
import * as z from 'zod';

export const STAGE_NAME = /^[a-z][a-z0-9]{0,15}$/;
export const stageNameSchema = z.string().regex(STAGE_NAME, 'a stage name: lowercase letters and digits (at most 16)');
