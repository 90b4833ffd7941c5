/**
 * What the execution state must carry: only the values its Choice states read (route conditions,
 * quality-gate verdicts). Everything else a step produces (passages, drafts, the input's long
 * fields) is stored once, on the run's records, and read from there by the steps that need it
 * (functions/steps/run-view.ts), so a run's state stays far below Step Functions' 256 KB limit
 * however long its ticket, passages or drafts are.
 */
import type { Workflow } from '../schema.js';
import { gateVerdictPaths } from './gates.js';

export interface StatePaths {
  /** Paths within the run's input (`priority` for `input.priority`). */
  readonly input: string[];
  /** Per step id, paths within that step's output (`topic.flags.legal`). */
  readonly steps: Record<string, string[]>;
}

export function statePathsRead(workflow: Workflow): StatePaths {
  const input = new Set<string>();
  const steps: Record<string, Set<string>> = {};
  const add = (stepId: string, path: string) => (steps[stepId] ??= new Set()).add(path);
  for (const step of workflow.steps) {
    if (step.kind === 'route') {
      for (const condition of step.paths.flatMap((p) => p.when ?? [])) {
        const [root, first, ...rest] = condition.path.split('.');
        if (root === 'input') input.add([first, ...rest].join('.'));
        else if (first && rest.length) add(first, rest.join('.'));
        else if (first) add(first, '');
      }
    }
    if (step.kind === 'generate' && step.gates) for (const path of gateVerdictPaths(step.gates)) add(step.id, path);
  }
  return { input: [...input].sort(), steps: Object.fromEntries(Object.entries(steps).map(([id, paths]) => [id, [...paths].sort()])) };
}
