/**
 * What changed between two releases of a workflow, said the way a person reviews a change: prompts
 * as line diffs, then models, approval policy and reviewers, gates and routes, delivery, prices and
 * knowledge, each with its path. Steps are matched by id, so inserting one does not shift the rest.
 */
import { createPatch } from 'diff';
import type { ReleaseManifest } from './release.js';

export const CHANGE_AREAS = ['prompt', 'model', 'policy', 'reviewers', 'gates', 'routing', 'knowledge', 'delivery', 'prices', 'definition'] as const;
export type ChangeArea = (typeof CHANGE_AREAS)[number];

export interface ReleaseChange {
  readonly area: ChangeArea;
  /** Where, e.g. `steps.draft_reply.prompt`. */
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
  /** A unified diff, for texts of several lines (prompts). */
  readonly patch?: string;
}

/**
 * The leaves of a JSON tree by dotted path; steps (and other arrays of objects with ids) keyed by
 * id, other arrays of objects (a model chain) by position, arrays of values (a group's members) whole.
 */
function leaves(value: unknown, path: string, out: Map<string, unknown>): Map<string, unknown> {
  // A model's price is one fact (input and output together).
  if (/^prices\.[^.]+$/.test(path)) out.set(path, value);
  else if (Array.isArray(value) && value.length && value.every((v) => v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string')) {
    for (const v of value) leaves(v, `${path}.${(v as { id: string }).id}`, out);
  } else if (Array.isArray(value) && value.some((v) => v && typeof v === 'object')) {
    value.forEach((v, i) => leaves(v, `${path}.${i}`, out));
  } else if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, out);
  } else {
    out.set(path, value);
  }
  return out;
}

function areaOf(path: string): ChangeArea {
  const [top] = path.split('.');
  if (top === 'groups') return 'reviewers';
  if (top === 'delivery' || top === 'prices' || top === 'knowledge') return top;
  if (/\.(prompt|system)$/.test(path)) return 'prompt';
  if (/\.models\b|\.model$/.test(path)) return 'model';
  if (/\.(gates|qualityGates)\b/.test(path)) return 'gates';
  if (/\.(collection|topK|query)$/.test(path)) return 'knowledge';
  if (/\.(reviewers|levels|requiredApprovals|allowSelfApproval|timeout|escalat\w*|reasons|autonomy|policy|signIn)\b/.test(path)) return 'policy';
  if (/\.(route|routes|next|when|default|onFail|onContextFailure)\b/.test(path)) return 'routing';
  return 'definition';
}

export function diffReleases(a: ReleaseManifest, b: ReleaseManifest): ReleaseChange[] {
  const flat = (m: ReleaseManifest) => leaves({ definition: m.definition, groups: m.groups, delivery: m.delivery, prices: m.prices, knowledge: m.knowledge }, '', new Map());
  const [before, after] = [flat(a), flat(b)];
  const changes: ReleaseChange[] = [];
  for (const path of [...new Set([...before.keys(), ...after.keys()])]) {
    const [x, y] = [before.get(path), after.get(path)];
    if (JSON.stringify(x) === JSON.stringify(y)) continue;
    const shown = path.replace(/^definition\./, '');
    const multiline = [x, y].some((v) => typeof v === 'string' && v.includes('\n'));
    changes.push({
      area: areaOf(shown),
      path: shown,
      ...(x === undefined ? {} : { before: x }),
      ...(y === undefined ? {} : { after: y }),
      ...(multiline ? { patch: createPatch(shown, typeof x === 'string' ? x : '', typeof y === 'string' ? y : '', 'before', 'after', { context: 2 }).split('\n').slice(4).join('\n') } : {}),
    });
  }
  return changes.sort((p, q) => CHANGE_AREAS.indexOf(p.area) - CHANGE_AREAS.indexOf(q.area) || p.path.localeCompare(q.path));
}

/** The diff as text for a terminal: one section per area. */
export function formatReleaseDiff(a: { releaseId: string }, b: { releaseId: string }, changes: readonly ReleaseChange[]): string {
  if (!changes.length) return `${a.releaseId} → ${b.releaseId}: no change`;
  const lines = [`${a.releaseId} → ${b.releaseId}: ${changes.length} change(s)`];
  for (const area of CHANGE_AREAS) {
    const mine = changes.filter((c) => c.area === area);
    if (!mine.length) continue;
    lines.push('', `${area}:`);
    for (const c of mine) {
      if (c.patch) lines.push(`  ${c.path}:`, ...c.patch.trimEnd().split('\n').map((l) => `    ${l}`));
      else lines.push(`  ${c.path}: ${c.before === undefined ? '(none)' : JSON.stringify(c.before)} → ${c.after === undefined ? '(none)' : JSON.stringify(c.after)}`);
    }
  }
  return lines.join('\n');
}
