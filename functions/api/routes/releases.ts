/**
 * Releases (state-machines/release.ts): what each workflow is deployed as now, and every release a
 * run has started on, with the manifest that says what it was made of. Read-only here; the CLI
 * diffs two of them (`npx handrail releases diff`).
 */
import { deployedReleases } from '../../releases/deployed.js';
import { getRelease, listReleases } from '../../records/releases.js';
import { NotFoundError } from '../../shared/errors.js';
import { pathId } from '../path-params.js';
import type { RouteHandlers } from '../route-handlers.js';
import { schemas } from '../route-table.js';
import { parseOrThrow } from '../validate.js';

export const releaseRoutes: RouteHandlers<'listReleases' | 'getRelease'> = {
  listReleases: async (c) => {
    const { workflowId } = parseOrThrow(schemas.listReleases, c.req.query(), 'query');
    const current = new Set([...deployedReleases().values()].map((r) => r.releaseId));
    const seen = await listReleases();
    const rows: { releaseId: string; workflowId: string; workflowVersion: string; firstSeenAt?: string; current: boolean }[] = seen.map(({ releaseId, workflowId: wf, firstSeenAt, manifest }) => ({ releaseId, workflowId: wf, workflowVersion: manifest.workflowVersion, firstSeenAt, current: current.has(releaseId) }));
    // Deployed but no run started on it yet.
    for (const { releaseId, manifest } of deployedReleases().values()) {
      if (!rows.some((r) => r.releaseId === releaseId)) rows.unshift({ releaseId, workflowId: manifest.workflowId, workflowVersion: manifest.workflowVersion, current: true });
    }
    return c.json({ releases: rows.filter((r) => !workflowId || r.workflowId === workflowId) });
  },
  getRelease: async (c) => {
    const releaseId = pathId(c, 'releaseId', 'releaseId', 'release');
    const recorded = await getRelease(releaseId);
    const deployed = [...deployedReleases().values()].find((r) => r.releaseId === releaseId);
    const release = recorded ?? deployed;
    if (!release) throw new NotFoundError(`No release ${releaseId}`);
    return c.json({ ...release, current: Boolean(deployed) });
  },
};
