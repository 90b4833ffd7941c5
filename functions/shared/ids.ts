/**
 * The shapes of the ids that reach us in URLs and payloads, declared once. An id of the wrong
 * shape cannot name anything we stored, so callers answer 404 (or 403 for a link token) without a
 * lookup, and no oversized or odd value ever becomes a DynamoDB key.
 */
import * as z from 'zod';
import { workflowSchema } from '../../state-machines/schema.js';
import { collectionName } from '../knowledge/validation.js';

const STEP_ID = '[a-z][a-zA-Z0-9_]{0,63}';
const RUN_ID = 'run-[a-z0-9-]{1,64}';

export const ID_SHAPES = {
  /** functions/runs/start-run.ts: `run-<time>-<random>` or `run-key-<sha256 prefix>`. */
  runId: new RegExp(`^${RUN_ID}$`),
  /** functions/records/approvals.ts approvalIdFor: `<runId>.<stepId>.<level>`. */
  approvalId: new RegExp(`^${RUN_ID}\\.${STEP_ID}\\.\\d{1,4}$`),
  /** A part of a multi-part approval (state-machines/schema.ts approvalPartSchema). */
  itemId: /^[a-z][a-z0-9_-]{0,31}$/,
  /** A signed review or inbox link: `base64url(claims).base64url(HMAC-SHA256)` (shared/review-link.ts). */
  linkToken: /^[A-Za-z0-9_-]{1,1500}\.[A-Za-z0-9_-]{43}$/,
  /** A release (state-machines/release.ts): `rel-` and 16 hex digits of its manifest's hash. */
  releaseId: /^rel-[0-9a-f]{16}$/,
  /** A replay (functions/replays/start-replay.ts): `rpl-` and 12 hex digits. */
  replayId: /^rpl-[0-9a-f]{12}$/,
  /** A pagination cursor (records/dynamo-helpers.ts). */
  cursor: /^[A-Za-z0-9_-]{1,2000}\.[A-Za-z0-9_-]{43}$/,
} as const;

export type IdKind = keyof typeof ID_SHAPES | 'workflowId' | 'collection';

/** Whether `value` has the shape of an id of this kind. */
export function isId(kind: IdKind, value: string | undefined): value is string {
  if (value === undefined) return false;
  if (kind === 'workflowId') return workflowSchema.shape.id.safeParse(value).success;
  if (kind === 'collection') return collectionName.safeParse(value).success;
  return ID_SHAPES[kind].test(value);
}

/** A zod string of this id's shape (query parameters, payload fields). */
export function idSchema(kind: IdKind, what: string) {
  return z.string().refine((v) => isId(kind, v), { message: `not ${what}` });
}

/** An id as it may be quoted back in a message: short, whatever the caller sent. */
export function shownId(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}
