/**
 * What each workflow is released as on a stage: its definition, the reviewers its groups resolve to,
 * the stage's delivery URLs (locally, a target the stage does not declare is the runtime's own sink),
 * the prices of its models and the knowledge it reads (state-machines/release.ts). The stage stack
 * tags each state machine with it; the pipeline's promotion check compares it with the stage before.
 */
import { readPriceTable } from '../functions/usage/price-table.js';
import type { Directory } from '../state-machines/directory.js';
import type { LoadedWorkflow } from '../state-machines/load-workflow.js';
import { releaseOf, type Release } from '../state-machines/release.js';
import { PRICE_TABLE_FILE } from './constructs/json-assets.js';
import { deliveryTargets, type StageConfig } from './stage-config.js';

export function stageReleases(workflows: readonly LoadedWorkflow[], directory: Directory, config: Pick<StageConfig, 'delivery' | 'zendesk' | 'hubspot'>): Release[] {
  const prices = readPriceTable(PRICE_TABLE_FILE);
  const delivery = Object.fromEntries([...deliveryTargets([...workflows], config)].map(([name, { workflowId }]) => [name, config.delivery[name] ?? `the local sink (/sink/${workflowId})`]));
  return workflows.map((workflow) => releaseOf(workflow, { directory, prices, delivery, ...(config.zendesk ? { zendesk: config.zendesk.url } : {}), ...(config.hubspot ? { hubspot: config.hubspot.url } : {}) }));
}
