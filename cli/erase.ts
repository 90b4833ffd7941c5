/**
 * `npx handrail erase --subject <email> [--reason T]`: erases a person's email address from the
 * stage's runs, step records, approvals, stored citations and audit events (POST /erasures; admins)
 * and prints what it changed. Safe to repeat: a second erasure finds nothing more.
 */
import type { ErasureSummary } from '../functions/erasure/erase-subject.js';
import { api, CliError } from './api-client.js';

export async function erase(subject: string | undefined, reason: string | undefined): Promise<void> {
  if (!subject) throw new CliError('missing --subject <email> (whose data to erase); see `handrail --help`', 2);
  const { erasureId, counts } = await api<ErasureSummary>('POST', '/erasures', { subject, ...(reason !== undefined ? { reason } : {}) });
  console.log(`✓ ${subject} erased (${erasureId}): ${counts.runs} run(s), ${counts.steps} step record(s), ${counts.approvals} approval(s), ${counts.citations} knowledge citation(s), ${counts.auditEvents} audit event(s) redacted`);
}
