/**
 * GET /autonomy: every route path of the deployed workflows with its figures, its rule and where
 * it stands (auto-approving, learning, suspended after falling below the bar, or no rule). Paths
 * come from the workflow definitions, so a path nobody has decided on yet is listed too.
 */
import type { AutonomyRule, Workflow } from '../../state-machines/schema.js';
import { computeFigures, pathStatus } from './figures.js';
import { readStats } from './stats-store.js';
import { DEFAULT_WINDOW, type AutonomyFigures, type PathStatus } from './types.js';

export interface PathReport {
  readonly routeKey: string;
  readonly workflowId: string;
  readonly routeStepId: string;
  readonly pathName: string;
  readonly status: PathStatus;
  readonly rule: AutonomyRule | null;
  readonly figures: AutonomyFigures;
  /** Human decisions and auto-approvals ever recorded on the path. */
  readonly totalDecisions: number;
  readonly autoApproved: number;
  readonly engagedAt?: string;
  readonly suspendedAt?: string;
  /** The workflow's categories that are never auto-approved. */
  readonly alwaysReview: string[];
}

export async function autonomyReport(workflows: readonly Workflow[]): Promise<PathReport[]> {
  const paths = workflows.flatMap((wf) =>
    wf.steps.flatMap((step) => (step.kind === 'route' ? step.paths.map((path) => ({ wf, routeStepId: step.id, path })) : [])),
  );
  return Promise.all(
    paths.map(async ({ wf, routeStepId, path }) => {
      const routeKey = `${wf.id}/${routeStepId}/${path.name}`;
      const stats = await readStats(routeKey);
      const figures = computeFigures(stats.recent, path.autonomy?.window ?? DEFAULT_WINDOW);
      return {
        routeKey,
        workflowId: wf.id,
        routeStepId,
        pathName: path.name,
        status: pathStatus(path.autonomy, figures, stats.engagedAt !== undefined),
        rule: path.autonomy ?? null,
        figures,
        totalDecisions: stats.decisions,
        autoApproved: stats.autoApproved,
        ...(stats.engagedAt ? { engagedAt: stats.engagedAt } : {}),
        ...(stats.suspendedAt ? { suspendedAt: stats.suspendedAt } : {}),
        alwaysReview: wf.alwaysReview.map((c) => c.category),
      };
    }),
  );
}
