/**
 * Logs an approved text on a HubSpot contact once: a note on the contact holding the text, then a
 * task for the contact's owner to follow it up. Each carries the run's marker (the note at the end
 * of its body, the task in its subject), by which a retried step finds what an earlier attempt
 * created (../post-once.ts: intent before the first write, a search before any repost, the gateway's
 * backoff). The note's id is recorded as soon as it exists (`recordNote`), so a step retried after
 * the note and before the task looks only for the task.
 */
import { postOnce, type OnceDeps } from '../post-once.js';
import type { CallResult } from '../call-recorder.js';
import type { CrmApi, CrmObject, HubspotObjectType } from './crm-api.js';

export interface ContactLog {
  readonly contactId: string;
  /** The HubSpot owner (user) id the task is assigned to; without it the task is unassigned. */
  readonly ownerId?: string;
  readonly text: string;
  readonly taskSubject: string;
  /** When the task is due. */
  readonly taskDue: Date;
  readonly runId: string;
  readonly stepId: string;
}

export type ContactLogOutcome =
  | { readonly ok: true; readonly noteId: string; readonly taskId: string; /** Found in HubSpot from an earlier attempt: not created now. */ readonly alreadyPosted: { readonly note: boolean; readonly task: boolean } }
  | { readonly ok: false; readonly error: string; readonly noteId?: string };

export interface ContactLogDeps extends OnceDeps {
  readonly api: CrmApi;
  /** What an earlier invocation already recorded. */
  readonly done?: { readonly noteId?: string; readonly taskId?: string };
  /** Records the note's id once it exists (before the task is created). */
  recordNote(noteId: string): Promise<void>;
}

/** What identifies this run's note and task in HubSpot. */
export const markerOf = (log: Pick<ContactLog, 'runId' | 'stepId'>) => `(Handrail: run ${log.runId}, step ${log.stepId})`;

/** The note and task HubSpot is sent for `log`. */
export function contactLogObjects(log: ContactLog, now = new Date()): { note: Record<string, string>; task: Record<string, string> } {
  const marker = markerOf(log);
  const owner: Record<string, string> = log.ownerId ? { hubspot_owner_id: log.ownerId } : {};
  return {
    note: { hs_note_body: `${log.text}\n\n${marker}`, hs_timestamp: now.toISOString(), ...owner },
    task: {
      hs_task_subject: `${log.taskSubject} ${marker}`,
      hs_task_body: log.text,
      hs_task_status: 'NOT_STARTED',
      hs_task_type: 'TODO',
      hs_timestamp: log.taskDue.toISOString(),
      ...owner,
    },
  };
}

/** The property that carries the marker, per object. */
const MARKED: Readonly<Record<HubspotObjectType, string>> = { notes: 'hs_note_body', tasks: 'hs_task_subject' };

export async function logOnContact(log: ContactLog, deps: ContactLogDeps): Promise<ContactLogOutcome> {
  const objects = contactLogObjects(log);
  const marker = markerOf(log);
  // One intent (on the run record) covers both writes: it is recorded before the note.
  const once = (objectType: HubspotObjectType, properties: Record<string, string>, mayHaveLanded: boolean) =>
    postOnce<string>(
      {
        what: `creating a ${objectType === 'notes' ? 'note' : 'task'} on contact ${log.contactId}`,
        lookingFor: `searching the ${objectType} of contact ${log.contactId}`,
        async find(attempt): Promise<CallResult<string | undefined>> {
          // The search is HubSpot's token match; the marker itself is checked here.
          const found = await deps.api.search(objectType, MARKED[objectType], log.runId, log.contactId, attempt);
          return found.ok ? { ok: true, value: found.value.find((o: CrmObject) => o.properties[MARKED[objectType]]?.includes(marker))?.id } : found;
        },
        async write(attempt) {
          const created = await deps.api.create(objectType, properties, log.contactId, attempt);
          return created.ok ? { ok: true, value: created.value.id } : created;
        },
      },
      { ...deps, mayHaveLanded, recordIntent: objectType === 'notes' ? deps.recordIntent : async () => undefined },
    );

  let noteId = deps.done?.noteId;
  let noteFound = false;
  if (!noteId) {
    const note = await once('notes', objects.note, deps.mayHaveLanded);
    if (!note.ok) return note;
    noteId = note.value;
    noteFound = note.alreadyPosted;
    await deps.recordNote(noteId);
  }
  if (deps.done?.taskId) return { ok: true, noteId, taskId: deps.done.taskId, alreadyPosted: { note: Boolean(deps.done.noteId) || noteFound, task: true } };
  // The task is created only after the note: it may have landed only if the note was there already.
  const task = await once('tasks', objects.task, deps.mayHaveLanded && (noteFound || Boolean(deps.done?.noteId)));
  if (!task.ok) return { ...task, noteId };
  return { ok: true, noteId, taskId: task.value, alreadyPosted: { note: Boolean(deps.done?.noteId) || noteFound, task: task.alreadyPosted } };
}
