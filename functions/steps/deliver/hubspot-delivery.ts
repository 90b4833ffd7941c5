/**
 * A deliver step with `hubspot`, in a stage that declares HubSpot: the approved text goes on the
 * run's contact as a note, with a task for its owner (connectors/hubspot/log-on-contact.ts), never
 * twice. The run record carries the intent (`delivery.status: sending`) before the first create,
 * the note's id as soon as it exists, and the outcome after, with every API call of every
 * invocation; the step record carries the same calls. A final failure is DeliveryFailed: the run
 * goes to the human queue as `delivery_failed`.
 */
import type { ConnectorCall } from '../../connectors/call-recorder.js';
import { hubspotCredentials, type HubspotCredentials } from '../../connectors/hubspot/credentials.js';
import { crmApi } from '../../connectors/hubspot/crm-api.js';
import { logOnContact, type ContactLogOutcome } from '../../connectors/hubspot/log-on-contact.js';
import { updateRun, type DeliveryRecord, type RunRecord } from '../../records/runs.js';
import { recordConnectorOutcome, type ConnectorDelivery } from './connector-outcome.js';
import type { ExecutionState } from '../../shared/step-contract.js';
import type { HubspotAct, StepOf } from '../../../state-machines/schema.js';

/** HubSpot record and owner ids are digits. */
const HUBSPOT_ID = /^[1-9]\d{0,19}$/;
const DAY_MS = 24 * 60 * 60 * 1000;

export async function deliverToHubspot(step: StepOf<'deliver'> & { hubspot: HubspotAct }, state: ExecutionState, record: RunRecord, text: string) {
  const { runId } = state.run;
  const startedAt = new Date();
  const rawContact = state.input[step.hubspot.contact];
  const rawOwner = state.input[step.hubspot.owner];
  const contactId = HUBSPOT_ID.test(String(rawContact ?? '')) ? String(rawContact) : undefined;
  const ownerId = HUBSPOT_ID.test(String(rawOwner ?? '')) ? String(rawOwner) : undefined;
  const earlier = record.delivery?.hubspot;
  const calls: ConnectorCall[] = [...(earlier?.calls ?? [])];
  let noteId = earlier?.noteId;
  const base = { text, attempts: [] as DeliveryRecord['attempts'] };
  const urlOf = (credentials?: HubspotCredentials) => (credentials && contactId ? `${credentials.url}/crm/v3/objects/contacts/${contactId}` : '');
  const hubspotRecord = (extra: { taskId?: string } = {}) => ({ contactId: contactId ?? '', calls, ...(noteId ? { noteId } : {}), ...extra });

  const delivery: ConnectorDelivery = {
    stepId: step.id,
    state,
    record,
    text,
    to: 'hubspot',
    startedAt,
    calls,
    input: { contactId: contactId ?? String(rawContact ?? ''), ...(ownerId ? { ownerId } : {}), taskSubject: step.hubspot.taskSubject },
    target: `HubSpot contact ${contactId ?? String(rawContact ?? '(none)')}`,
  };
  const finish = (outcome: ContactLogOutcome, credentials?: HubspotCredentials) =>
    recordConnectorOutcome(
      delivery,
      outcome.ok ? { ok: true, output: { noteId: outcome.noteId, taskId: outcome.taskId, alreadyPosted: outcome.alreadyPosted } } : outcome,
      urlOf(credentials),
      hubspotRecord(outcome.ok ? { taskId: outcome.taskId } : {}),
    );

  if (!contactId) return finish({ ok: false, error: `input.${step.hubspot.contact} must be a HubSpot contact id (digits), not ${JSON.stringify(rawContact ?? null).slice(0, 40)}` });
  let credentials: HubspotCredentials;
  try {
    credentials = await hubspotCredentials();
  } catch (err) {
    return finish({ ok: false, error: err instanceof Error ? err.message : String(err) });
  }
  const sending = () => updateRun(runId, { delivery: { ...base, url: urlOf(credentials), status: 'sending', hubspot: hubspotRecord() } });
  const outcome = await logOnContact(
    { contactId, ...(ownerId ? { ownerId } : {}), text, taskSubject: step.hubspot.taskSubject, taskDue: new Date(startedAt.getTime() + step.hubspot.taskDueInDays * DAY_MS), runId, stepId: step.id },
    {
      api: crmApi(credentials, { timeoutMs: step.timeoutMs, calls }),
      maxAttempts: step.maxAttempts,
      // An earlier invocation of this step recorded its intent (or failed after creating): look before creating.
      mayHaveLanded: Boolean(earlier) || record.delivery?.status === 'sending',
      ...(earlier?.noteId ? { done: { noteId: earlier.noteId } } : {}),
      recordIntent: sending,
      recordNote: async (id) => {
        noteId = id;
        await sending();
      },
    },
  );
  return finish(outcome, credentials);
}
