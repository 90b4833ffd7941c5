/**
 * An approval whose reviewer the run's input names (`reviewersFromInput`, e.g. a meeting's owner):
 * the value must be a user of the reviewer directory with the reviewer role, the same people a
 * workflow may name (state-machines/reviewers.yaml). Checked when the run is asked for (400 naming
 * the field) and again when the step runs (the directory may have changed since).
 */
import type { Workflow } from '../../state-machines/schema.js';
import { ValidationError } from '../shared/errors.js';
import { directory } from './directory.js';

/** The reviewer `input[field]` names. @throws ValidationError naming `<prefix>.<field>` */
export function reviewerFromInput(field: string, input: Readonly<Record<string, unknown>>, prefix = 'input'): string {
  const value = input[field];
  if (typeof value !== 'string' || !value) throw new ValidationError(`${prefix}.${field}: names the reviewer of this run, and is missing`, `${prefix}.${field}`);
  const user = directory().users[value];
  if (!user || !user.roles.includes('reviewer')) {
    throw new ValidationError(`${prefix}.${field}: names the reviewer of this run, and must be a user of the reviewer directory with the reviewer role`, `${prefix}.${field}`);
  }
  return value;
}

/** Every reviewer a run's input names is one the directory knows. @throws ValidationError */
export function checkInputReviewers(workflow: Pick<Workflow, 'steps'>, input: Readonly<Record<string, unknown>>, prefix = 'body'): void {
  for (const step of workflow.steps) if (step.kind === 'approval' && step.reviewersFromInput) reviewerFromInput(step.reviewersFromInput, input, prefix);
}
