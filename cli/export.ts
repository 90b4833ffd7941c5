/**
 * `npx handrail audit export` and `npx handrail runs export`: every audit event (or run) of a time
 * window, page by page through the API, streamed to a file or stdout as JSON Lines or CSV with
 * stable columns (the same ones, in the same order, every time; nested values as JSON), with the
 * progress on stderr. CSV quotes as RFC 4180 does: a field with a comma, quote or line break is
 * quoted, its quotes doubled; a field that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`
 * first) starts with an apostrophe. JSON Lines keep every value exactly.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { api, CliError } from './api-client.js';

export const EXPORT_FORMATS = ['jsonl', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The columns of each export, in order (what a spreadsheet or a Glue table can rely on). */
export const EXPORT_COLUMNS = {
  audit: ['subject', 'seq', 'time', 'type', 'actor', 'runId', 'details', 'prev', 'hash'],
  runs: ['runId', 'workflowId', 'status', 'createdAt', 'updatedAt', 'releaseId', 'workflowVersion', 'approvalIds', 'input', 'error'],
} as const;
export type ExportKind = keyof typeof EXPORT_COLUMNS;

export interface ExportOptions {
  readonly format?: string;
  readonly from?: string;
  readonly to?: string;
  readonly out?: string;
  /** runs: only this workflow's, only this status. */
  readonly workflow?: string;
  readonly status?: string;
}

/** A spreadsheet runs a cell that starts like a formula: such a cell gets a leading apostrophe (OWASP's CSV injection advice). */
const FORMULA_START = /^[=+\-@\t\r]/;

const csvField = (value: unknown): string => {
  const raw = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  const text = FORMULA_START.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

function line(kind: ExportKind, format: ExportFormat, record: Record<string, unknown>): string {
  const columns = EXPORT_COLUMNS[kind];
  if (format === 'csv') return `${columns.map((c) => csvField(record[c])).join(',')}\n`;
  return `${JSON.stringify(Object.fromEntries(columns.map((c) => [c, record[c] ?? null])))}\n`;
}

/** Each page of the listing, until the API says there is no next one. */
async function* pages(kind: ExportKind, options: ExportOptions): AsyncGenerator<Record<string, unknown>[]> {
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams();
    if (kind === 'audit') {
      if (options.from) query.set('from', options.from);
      if (options.to) query.set('to', options.to);
      query.set('limit', '500');
    } else {
      if (options.workflow) query.set('workflowId', options.workflow);
      if (options.status) query.set('status', options.status);
      query.set('limit', '100');
    }
    if (cursor) query.set('cursor', cursor);
    const page = await api<{ events?: Record<string, unknown>[]; runs?: Record<string, unknown>[]; nextCursor?: string }>('GET', `${kind === 'audit' ? '/audit/events' : '/runs'}?${query}`);
    yield (kind === 'audit' ? page.events : page.runs) ?? [];
    cursor = page.nextCursor;
  } while (cursor);
}

function checkTime(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new CliError(`--${name}: an ISO 8601 time, e.g. 2026-11-01T00:00:00Z, not "${value}"`, 2);
  return at;
}

export async function exportRecords(kind: ExportKind, options: ExportOptions): Promise<void> {
  const format = (options.format ?? 'jsonl') as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) throw new CliError(`--format: ${EXPORT_FORMATS.join(' or ')}, not "${options.format}"`, 2);
  const from = checkTime('from', options.from);
  const to = checkTime('to', options.to);
  const out: Writable = options.out ? createWriteStream(options.out) : process.stdout;
  const write = (text: string) => (out.write(text) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', () => resolve())));
  if (format === 'csv') await write(`${EXPORT_COLUMNS[kind].join(',')}\n`);
  let count = 0;
  let pageCount = 0;
  for await (const records of pages(kind, options)) {
    pageCount++;
    for (const record of records) {
      // Runs are listed by workflow and status; their window is applied to when each was created.
      const created = kind === 'runs' ? Date.parse(String(record.createdAt)) : undefined;
      if (created !== undefined && ((from !== undefined && created < from) || (to !== undefined && created > to))) continue;
      await write(line(kind, format, record));
      count++;
    }
    process.stderr.write(`\r${kind === 'audit' ? 'audit events' : 'runs'}: ${count} exported, ${pageCount} page(s) read`);
  }
  process.stderr.write('\n');
  if (options.out) {
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    console.error(`${count} ${kind === 'audit' ? 'audit event(s)' : 'run(s)'} written to ${options.out} (${format})`);
  }
}
