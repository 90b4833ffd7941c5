/**
 * A release: everything that shapes how one workflow behaves, as one manifest with a content id.
 * The workflow definition (prompts, model chain, routes, gates, approval policy), the reviewers its
 * groups resolve to, where it delivers on the stage, the prices of the models it names, and the
 * knowledge it reads (a label of each collection, or `latest`: a run's retrieve steps record the
 * exact versions).
 * The same inputs give the same id anywhere, so the id a run records names exactly what served it.
 *
 * @example
 * const { releaseId } = releaseOf(workflow, { directory, prices, delivery: { SUPPORT_REPLY_URL: 'https://…' } });
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../functions/shared/canonical-json.js';
import type { PriceTable } from '../functions/usage/price-table.js';
import type { Directory } from './directory.js';
import type { LoadedWorkflow } from './load-workflow.js';

export interface ReleaseManifest {
  readonly workflowId: string;
  /** The workflow file's own content hash (what runs recorded before releases). */
  readonly workflowVersion: string;
  readonly definition: LoadedWorkflow['definition'];
  /** Each `group:<name>` the definition names, with its members: who may decide. */
  readonly groups: Record<string, string[]>;
  /** Each delivery target the definition names (`urlFromEnv`), with the stage's URL for it. */
  readonly delivery: Record<string, string>;
  /** The price of each model the definition names (USD per 1K tokens), or null when unpriced. */
  readonly prices: Record<string, { input: number; output: number } | null>;
  /** The knowledge each collection is read at: a label (a frozen snapshot), or `latest`. */
  readonly knowledge: Record<string, string>;
}

export interface Release {
  /** `rel-` and 16 hex digits of the manifest's SHA-256. */
  readonly releaseId: string;
  readonly manifest: ReleaseManifest;
}

export interface ReleaseInputs {
  readonly directory: Directory;
  readonly prices: PriceTable;
  /** The stage's URL for each delivery target (stages.yaml `delivery`, or the local sink). */
  readonly delivery: Record<string, string>;
  /** The stage's Zendesk account URL (stages.yaml `zendesk.url`): deliver steps with `zendesk` act there instead. */
  readonly zendesk?: string;
  /** The stage's HubSpot API URL (stages.yaml `hubspot.url`): deliver steps with `hubspot` act there instead. */
  readonly hubspot?: string;
}

/** Every value in a JSON tree, depth first. */
function* walk(value: unknown): Generator<unknown> {
  yield value;
  if (Array.isArray(value)) for (const v of value) yield* walk(v);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) yield* walk(v);
}

const digest = (value: unknown) => createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);

/**
 * The release's build: its id without the stage's own settings (the URL behind each delivery target,
 * which every stage sets for itself). Two stages run the same build when this is equal: what a
 * promotion compares (state-machines/promotion.ts).
 */
export function buildIdOf(manifest: ReleaseManifest): string {
  return digest({ ...manifest, delivery: Object.fromEntries(Object.keys(manifest.delivery).map((target) => [target, ''])) });
}

export function releaseOf(workflow: LoadedWorkflow, inputs: ReleaseInputs): Release {
  const { definition } = workflow;
  const nodes = [...walk(definition)];
  const groups: Record<string, string[]> = {};
  for (const ref of nodes.filter((v): v is string => typeof v === 'string' && v.startsWith('group:'))) {
    groups[ref.slice('group:'.length)] = inputs.directory.groups[ref.slice('group:'.length)] ?? [];
  }
  const prices: ReleaseManifest['prices'] = {};
  for (const node of nodes) {
    const ref = node as { provider?: unknown; model?: unknown };
    if (node && typeof node === 'object' && typeof ref.provider === 'string' && typeof ref.model === 'string') {
      const table = inputs.prices[ref.provider as keyof PriceTable];
      prices[`${ref.provider}/${ref.model}`] = table?.[ref.model] ?? null;
    }
  }
  const delivery: Record<string, string> = {};
  for (const step of definition.steps) {
    if (step.kind === 'deliver') {
      delivery[step.urlFromEnv ?? step.id] =
        step.zendesk && inputs.zendesk ? `zendesk ${inputs.zendesk}` : step.hubspot && inputs.hubspot ? `hubspot ${inputs.hubspot}` : (step.urlFromEnv && inputs.delivery[step.urlFromEnv]) || step.url || '';
    }
  }
  const manifest: ReleaseManifest = {
    workflowId: definition.id,
    workflowVersion: workflow.version,
    definition,
    groups,
    delivery,
    prices,
    knowledge: Object.fromEntries(definition.steps.flatMap((s) => (s.kind === 'retrieve' ? [[s.collection, s.label ?? 'latest']] : [])).sort()),
  };
  return { releaseId: `rel-${digest(manifest)}`, manifest };
}
