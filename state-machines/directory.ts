/**
 * The reviewer directory (`state-machines/reviewers.yaml`): users with their channels and roles, and groups.
 * Workflows name reviewers as user ids or `group:<name>`; groups are expanded when a workflow is
 * compiled, so what a state machine asks for is exactly who may decide. The functions that notify
 * ship it as JSON (reviewers.json), read without a YAML parser.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { ROLES } from '../functions/auth/roles.js';
import { readConfigFile } from './config-file.js';
import { WorkflowDefinitionError } from './load-workflow.js';

export const defaultDirectoryFile = resolve(fileURLToPath(new URL('.', import.meta.url)), 'reviewers.yaml');

const userSchema = z
  .object({
    name: z.string().min(1).optional(),
    email: z.string().email().optional(),
    slackUserId: z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id such as U0123ABCD').optional(),
    /** What they may do (functions/auth/roles.ts): the local issuer's groups for them; on AWS, their Cognito groups. */
    roles: z.array(z.enum(ROLES)).min(1).default(['reviewer']),
  })
  .strict();

export const directorySchema = z
  .object({
    users: z.record(z.string().min(1), userSchema).default({}),
    groups: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a group name: lowercase letters, digits and -'), z.array(z.string().min(1)).min(1)).default({}),
  })
  .strict();

export type Directory = z.infer<typeof directorySchema>;
export interface Reviewer {
  readonly id: string;
  readonly name: string;
  readonly email?: string;
  readonly slackUserId?: string;
}

/** Reads and validates a directory file: YAML, or JSON when it ends in `.json`. */
export function loadDirectory(file: string = defaultDirectoryFile): Directory {
  const directory = readConfigFile(file, directorySchema, 'the reviewer directory');
  for (const [group, members] of Object.entries(directory.groups)) {
    const nested = members.find((m) => m.startsWith('group:'));
    if (nested) throw new WorkflowDefinitionError(file, [`groups.${group}: groups cannot contain groups (${nested})`]);
  }
  return directory;
}

/** Expands `group:<name>` references into user ids, keeping order and dropping duplicates. */
export function expandReviewers(directory: Directory, refs: readonly string[], where: string): string[] {
  const ids = refs.flatMap((ref) => {
    if (!ref.startsWith('group:')) return [ref];
    const members = directory.groups[ref.slice('group:'.length)];
    if (!members) throw new Error(`${where}: no group "${ref.slice(6)}" in the reviewer directory`);
    return members;
  });
  return [...new Set(ids)];
}

export function reviewerOf(directory: Directory, id: string): Reviewer {
  const user = directory.users[id];
  const email = user?.email ?? (z.string().email().safeParse(id).success ? id : undefined);
  return { id, name: user?.name ?? id, ...(email ? { email } : {}), ...(user?.slackUserId ? { slackUserId: user.slackUserId } : {}) };
}

/** The reviewer id behind a Slack user, if the directory maps one. */
export function reviewerBySlackUser(directory: Directory, slackUserId: string): string | undefined {
  return Object.entries(directory.users).find(([, u]) => u.slackUserId === slackUserId)?.[0];
}
