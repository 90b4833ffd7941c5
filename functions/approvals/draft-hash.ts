import { createHash } from 'node:crypto';

/** Identifies the exact draft a reviewer saw; a decision must quote it. */
export function draftHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 32);
}
