/**
 * What the parity suite (tests/parity) needs besides the bundled runtime: the stage it synthesizes,
 * a valid webhook body for any workflow, knowledge loaded through the API, and a reviewer who
 * approves whatever a run waits for.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { deliveryTargets } from '../../infra/stage-config.js';
import type { LoadedWorkflow } from '../../state-machines/load-workflow.js';
import type { InputField, Workflow } from '../../state-machines/schema.js';
import { client, decideAs, waitFor } from './local-runtime.js';

export const PARITY_STAGE = 'parity';

/**
 * A stages file declaring deployable stages whose every deliver target is `receiverUrl`. By
 * default one, the parity stage: the offline model provider only (Bedrock and OpenAI need the
 * network and keys) and no email sender (SES would be called).
 */
export function writeParityStages(file: string, workflows: LoadedWorkflow[], receiverUrl: string, stages: Record<string, object> = { [PARITY_STAGE]: { providers: ['offline'] } }): string {
  const delivery = Object.fromEntries([...deliveryTargets(workflows).keys()].map((name) => [name, receiverUrl]));
  // A deployed stage signs people in through its user pool; the bundled runtime stands in for its keys.
  const identity = (stage: string) => ({ domainPrefix: `handrail-${stage}-test`, callbackUrls: ['http://localhost:8976/callback'] });
  writeFileSync(file, stringify(Object.fromEntries(Object.entries(stages).map(([stage, config]) => [stage, { identity: identity(stage), ...config, delivery }]))));
  return file;
}

function sampleValue(name: string, field: InputField): unknown {
  if (field.enum) return field.enum[0];
  if (field.type === 'number') return 1;
  if (field.type === 'boolean') return false;
  if (field.format === 'email') return 'parity@example.com';
  if (field.format === 'url') return 'https://example.com/parity';
  return `Parity check (${name}): how do I get a refund for my annual plan?`.slice(0, field.maxLength ?? Infinity);
}

/** The reviewer a parity run's input names where an approval takes its reviewer from the input. */
export const PARITY_INPUT_REVIEWER = 'support-agent@example.com';

/** A webhook body every declared input field of `definition` accepts (a directory reviewer where a step names one from the input, a channel id where it posts to one). */
export function sampleInput(definition: Workflow): Record<string, unknown> {
  const reviewerFields = new Set(definition.steps.flatMap((s) => (s.kind === 'approval' && s.reviewersFromInput ? [s.reviewersFromInput] : [])));
  const channelFields = new Set(definition.steps.flatMap((s) => (s.kind === 'deliver' && s.slack?.channelFromInput ? [s.slack.channelFromInput] : [])));
  return Object.fromEntries(
    Object.entries(definition.input).map(([name, field]) => [name, reviewerFields.has(name) ? PARITY_INPUT_REVIEWER : channelFields.has(name) ? 'C0PARITY' : sampleValue(name, field)]),
  );
}

/** Posts `samplesDir/<collection>/*.md` through the API for every collection the workflows retrieve from. */
export async function loadKnowledge(rt: { url: string; login(userId: string): Promise<string> }, workflows: LoadedWorkflow[], samplesDir: string): Promise<number> {
  const collections = new Set(workflows.flatMap((w) => w.definition.steps.flatMap((s) => (s.kind === 'retrieve' ? [s.collection] : []))));
  let loaded = 0;
  for (const collection of collections) {
    const files = readdirSync(join(samplesDir, collection)).filter((f) => f.endsWith('.md'));
    for (const fileName of files) {
      const content = readFileSync(join(samplesDir, collection, fileName), 'utf8');
      const res = await client(rt).post(`/knowledge/${collection}/documents`, { fileName, content });
      if (res.status !== 201) throw new Error(`loading ${collection}/${fileName}: ${res.status} ${res.text}`);
      loaded++;
    }
  }
  return loaded;
}

export interface Approved {
  readonly approvalId: string;
  readonly reviewer: string;
}

/**
 * Approves, through the API, whatever `runId` waits for (every pending part, a reviewer per vote a
 * quorum needs), until the run is no longer running or waiting; returns the final run view and
 * the approvals given.
 */
export async function approveUntilSettled(rt: { url: string; signingSecret: string }, runId: string, timeoutMs = 20_000): Promise<{ run: any; approved: Approved[] }> {
  const approved: Approved[] = [];
  const run = await waitFor(
    async () => {
      const view = (await client(rt).get(`/runs/${runId}`)).body;
      if (view?.status === 'running') return undefined;
      if (view?.status !== 'awaiting_approval') return view;
      for (const approval of view.approvals.filter((a: any) => a.status === 'pending')) {
        const decisions = approval.items
          ? approval.items.filter((i: any) => i.status === 'pending').map((i: any) => ({ approvalId: `${approval.approvalId}/items/${i.itemId}`, draftHash: i.draftHash, reviewer: i.reviewers[0] }))
          : [{ approvalId: approval.approvalId, draftHash: approval.draftHash, reviewer: approval.reviewers.find((r: string) => !(approval.votes ?? []).some((v: any) => v.reviewer === r)) }];
        for (const d of decisions) {
          const res = await decideAs(rt, d, d.reviewer, { action: 'approve' });
          if (res.status !== 200) throw new Error(`approving ${d.approvalId} as ${d.reviewer}: ${res.status} ${res.text}`);
          approved.push({ approvalId: d.approvalId, reviewer: d.reviewer });
        }
      }
      return undefined;
    },
    `run ${runId} to settle`,
    timeoutMs,
  );
  return { run, approved };
}
