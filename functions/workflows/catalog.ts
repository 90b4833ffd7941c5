/**
 * The catalog of deployed workflows: for each, how it is triggered and authenticated, its steps in
 * order, who reviews at each level (groups resolved as its release resolved them), where it
 * delivers on this stage, what knowledge it reads, and the release it runs as. Built from what the
 * API ships (the workflow definitions and releases.json), so it describes what is deployed.
 */
import { membersOf } from '../../state-machines/group-refs.js';
import type { Release } from '../../state-machines/release.js';
import type { SlackTrigger, Step } from '../../state-machines/schema.js';
import { deployedReleases } from '../releases/deployed.js';
import { workflowRegistry, type RegisteredWorkflow } from '../shared/workflow-registry.js';

export interface CatalogStep {
  readonly id: string;
  readonly kind: Step['kind'];
  /** One line on what it does. */
  readonly does: string;
}

export interface CatalogEntry {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly version: string;
  readonly releaseId?: string;
  readonly trigger: { readonly webhook: string; readonly auth: readonly string[]; readonly input: readonly string[]; readonly slack?: SlackTrigger };
  readonly steps: readonly CatalogStep[];
  /** Per approval step, level by level (0 first), the people who may decide. */
  readonly reviewers: Record<string, string[][]>;
  /** Each delivery target and where it goes on this stage. */
  readonly delivery: Record<string, string>;
  /** Each collection read, at a label or `latest`. */
  readonly knowledge: Record<string, string>;
}

const people = (refs: readonly string[], release: Release | undefined): string[] => membersOf(refs, release?.manifest.groups ?? {});

function does(step: Step): string {
  switch (step.kind) {
    case 'retrieve':
      return `retrieves the top ${step.topK} passages from ${step.collection}${step.label ? `@${step.label}` : ''}${step.wholeDocument ? ', and the best-matching document whole' : ''}`;
    case 'generate':
      return `${step.revise ? `proposes a revision of the document ${step.revise} found, ` : ''}drafts with ${step.models.map((m) => `${m.provider}${m.model ? `/${m.model}` : ''}`).join(' → ')}`;
    case 'classify':
      return `classifies (${step.classifiers.join(', ')})`;
    case 'route':
      return `routes by paths: ${step.paths.map((p) => p.name).join(', ')}`;
    case 'approval':
      return `asks for approval${step.escalation.length ? `, escalating ${step.escalation.length} level(s)` : ''}${step.signIn ? ' (sign-in required)' : ''}`;
    case 'deliver':
      if (step.knowledge) return `writes the approved text as a new version of the ${step.knowledge.collection} document ${step.knowledge.documentFrom} revises (once per run)`;
      return `delivers ${step.text === 'approval' ? 'the approved text' : `the draft of ${step.text}`} to ${[step.urlFromEnv ?? step.url, step.zendesk ? `the Zendesk ticket in input.${step.zendesk.ticket} (as a ${step.zendesk.comment} comment) where the stage declares zendesk` : undefined, step.hubspot ? `the HubSpot contact in input.${step.hubspot.contact} (a note, and a task for input.${step.hubspot.owner}) where the stage declares hubspot` : undefined, step.slack ? `the Slack channel ${step.slack.channel ?? `in input.${step.slack.channelFromInput}`}` : undefined].filter(Boolean).join(', or ')}`;
    default:
      return (step as { kind: string }).kind;
  }
}

export function describeWorkflow(workflow: RegisteredWorkflow, release = deployedReleases().get(workflow.definition.id)): CatalogEntry {
  const { definition } = workflow;
  const reviewers: Record<string, string[][]> = {};
  for (const step of definition.steps) {
    if (step.kind !== 'approval') continue;
    const first = step.reviewers ?? [...new Set(step.parts?.flatMap((p) => p.reviewers) ?? [])];
    // Named by the run's input: the field, as the catalog cannot know whom each run names.
    reviewers[step.id] = [step.reviewersFromInput ? [`input.${step.reviewersFromInput}`] : people(first, release), ...step.escalation.map((level) => people(level.reviewers, release))];
  }
  return {
    id: definition.id,
    name: definition.name,
    ...(definition.description ? { description: definition.description } : {}),
    version: workflow.version,
    ...(release ? { releaseId: release.releaseId } : {}),
    trigger: { webhook: `POST /webhooks/${definition.id}`, auth: definition.trigger.auth, input: Object.keys(definition.input), ...(definition.trigger.slack ? { slack: definition.trigger.slack } : {}) },
    steps: definition.steps.map((step) => ({ id: step.id, kind: step.kind, does: does(step) })),
    reviewers,
    delivery: release?.manifest.delivery ?? {},
    knowledge: release?.manifest.knowledge ?? {},
  };
}

export function workflowCatalog(): CatalogEntry[] {
  return [...workflowRegistry().values()].map((w) => describeWorkflow(w)).sort((a, b) => a.id.localeCompare(b.id));
}
