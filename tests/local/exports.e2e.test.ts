/**
 * Exports for auditors: `npx handrail audit export` and `runs export` stream every record of a window
 * through the API as JSON Lines or CSV with stable columns, and what they write reads back as what
 * the API holds (the formats round-trip); bad input is refused in one line; reviewers may not export.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPORT_COLUMNS } from '../../cli/export.js';
import { recordAudit } from '../../functions/records/audit.js';
import { handrailCli } from '../support/cli.js';
import { client, decideAs, runRecordReaching, runtimeForSuite } from '../support/local-runtime.js';

const runtime = runtimeForSuite();
const dir = mkdtempSync(join(tmpdir(), 'handrail-export-'));
const AUDITOR = 'auditor@example.com';

/** RFC 4180, read independently of the writer: quoted fields, doubled quotes, line breaks inside quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else field += ch;
  }
  return rows;
}
const asCell = (v: unknown) => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));

describe('exports', () => {
  it('writes every audit event of the window as JSON Lines and as CSV, each reading back as the API has it', async () => {
    const rt = runtime();
    const since = new Date().toISOString();
    // Awkward text: commas, quotes, a line break and non-ASCII survive the CSV.
    await recordAudit({ subject: 'export-test', type: 'user.disabled', actor: 'admin@example.com', details: { reason: 'said "no", twice,\nthen left — über' } });
    await recordAudit({ subject: 'export-formula', type: 'user.disabled', actor: '=HYPERLINK("https://evil.example","x")' });
    const started = await client(rt).post('/webhooks/support-reply', { ticketId: 'T-export', subject: 'Refund', body: 'How do I get a refund?' });
    const waiting = await runRecordReaching(started.body.runId, ['awaiting_approval']);
    const approval = (await client(rt).get(`/approvals/${waiting.approvalIds!.at(-1)}`)).body;
    expect((await decideAs(rt, approval, 'support-agent@example.com', { action: 'approve' })).status).toBe(200);
    await runRecordReaching(started.body.runId, ['delivered']);

    const listed: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    do {
      const page = (await client(rt, { as: AUDITOR }).get(`/audit/events?from=${since}&limit=3${cursor ? `&cursor=${cursor}` : ''}`)).body;
      listed.push(...page.events);
      cursor = page.nextCursor;
    } while (cursor);
    const key = (e: Record<string, unknown>) => `${e.subject}#${e.seq}`;
    expect(listed.map((e) => e.subject)).toEqual(expect.arrayContaining(['export-test', started.body.runId]));

    const jsonl = await handrailCli(rt, ['audit', 'export', '--from', since, '--out', join(dir, 'audit.jsonl')], { as: AUDITOR });
    expect(jsonl).toMatchObject({ code: 0 });
    expect(jsonl.stderr).toContain(`${listed.length} audit event(s) written to`);
    const lines = readFileSync(join(dir, 'audit.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => Object.keys(l))).toEqual(lines.map(() => [...EXPORT_COLUMNS.audit]));
    const byKey = new Map(listed.map((e) => [key(e), e]));
    expect(lines.map(key).sort()).toEqual([...byKey.keys()].sort());
    for (const l of lines) for (const c of EXPORT_COLUMNS.audit) expect(l[c]).toEqual(byKey.get(key(l))![c] ?? null);

    const csv = await handrailCli(rt, ['audit', 'export', '--from', since, '--format', 'csv', '--out', join(dir, 'audit.csv')], { as: AUDITOR });
    expect(csv).toMatchObject({ code: 0 });
    const [header, ...rows] = parseCsv(readFileSync(join(dir, 'audit.csv'), 'utf8'));
    expect(header).toEqual([...EXPORT_COLUMNS.audit]);
    expect(rows).toHaveLength(listed.length);
    for (const row of rows.filter((r) => r[0] !== 'export-formula')) {
      const event = byKey.get(`${row[0]}#${row[1]}`)!;
      expect(row).toEqual(EXPORT_COLUMNS.audit.map((c) => asCell(event[c])));
    }
    const awkward = rows.find((r) => r[0] === 'export-test')!;
    expect(JSON.parse(awkward[6]!)).toEqual({ reason: 'said "no", twice,\nthen left — über' });
    // A cell a spreadsheet would run as a formula is written as text; JSON Lines keep it as it is.
    const formula = rows.find((r) => r[0] === 'export-formula')!;
    expect(formula[4]).toBe("'=HYPERLINK(\"https://evil.example\",\"x\")");
    expect(lines.find((l) => l.subject === 'export-formula')!.actor).toBe('=HYPERLINK("https://evil.example","x")');
  });

  it('writes runs with stable columns, filtered by workflow, status and creation time', async () => {
    const rt = runtime();
    const out = join(dir, 'runs.csv');
    const result = await handrailCli(rt, ['runs', 'export', '--workflow', 'support-reply', '--status', 'delivered', '--format', 'csv', '--out', out], { as: AUDITOR });
    expect(result).toMatchObject({ code: 0 });
    const [header, ...rows] = parseCsv(readFileSync(out, 'utf8'));
    expect(header).toEqual([...EXPORT_COLUMNS.runs]);
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.every((r) => r[1] === 'support-reply' && r[2] === 'delivered')).toBe(true);
    expect(JSON.parse(rows[0]![8]!)).toMatchObject({ ticketId: 'T-export' });
    const none = await handrailCli(rt, ['runs', 'export', '--from', '2099-01-01T00:00:00Z'], { as: AUDITOR });
    expect(none).toMatchObject({ code: 0, stdout: '' });
  });

  it('refuses bad input in one line, and reviewers', async () => {
    const rt = runtime();
    const format = await handrailCli(rt, ['audit', 'export', '--format', 'xml'], { as: AUDITOR });
    expect(format).toMatchObject({ code: 2 });
    expect(format.stderr.trim()).toBe('handrail: --format: jsonl or csv, not "xml"');
    const from = await handrailCli(rt, ['runs', 'export', '--from', 'yesterday'], { as: AUDITOR });
    expect(from.code).toBe(2);
    expect(from.stderr).toContain('--from: an ISO 8601 time');
    expect((await client(rt, { as: AUDITOR }).get('/audit/events?limit=5000')).status).toBe(400);
    const reviewer = await handrailCli(rt, ['audit', 'export'], { as: 'support-agent@example.com' });
    expect(reviewer.code).toBe(1);
    expect(reviewer.stderr).toContain('GET /audit/events takes the');
  });
});
