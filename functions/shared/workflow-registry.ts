/**
 * The deployed workflows, read once per process from HANDRAIL_WORKFLOWS_DIR (bundled next to
 * the API function on AWS; the repository's state-machines/workflows locally).
 */
import type { z } from 'zod';
import { inputSchemaFor } from '../../state-machines/input-schema.js';
import { defaultWorkflowsDir, loadWorkflows, type LoadedWorkflow } from '../../state-machines/load-workflow.js';
import { ENV } from './env-names.js';

export interface RegisteredWorkflow extends LoadedWorkflow {
  readonly inputSchema: z.ZodObject;
}

let registry: Map<string, RegisteredWorkflow> | undefined;

export function workflowRegistry(): Map<string, RegisteredWorkflow> {
  registry ??= new Map(
    loadWorkflows(process.env[ENV.workflowsDir] || defaultWorkflowsDir).map((w) => [w.definition.id, { ...w, inputSchema: inputSchemaFor(w.definition) }]),
  );
  return registry;
}

export function resetWorkflowRegistry(): void {
  registry = undefined;
}
