import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRuntime } from './local/runtime.js';
import { documentClient, sfnClient } from './functions/shared/aws-clients.js';
import { reviewerToken } from './functions/approvals/reviewer-tokens.js';
import { signedWebhookHeaders } from './functions/triggers/standard-webhooks.js';
import { getRun } from './functions/records/runs.js';
import { getApproval } from './functions/records/approvals.js';
process.env.HANDRAIL_STAGES_FILE = 'bench/stages.yaml';
const rt = await startLocalRuntime({ dataDir: mkdtempSync(join(tmpdir(), 'cnt-')), port: 0, env: { HANDRAIL_PROVIDERS: 'offline', POWERTOOLS_LOG_LEVEL: 'ERROR' } });
const wait = async (id: string, s: string) => { for (;;) { const r = await getRun(id); if (r?.status === s) return r; await new Promise((x) => setTimeout(x, 20)); } };
const counts = new Map<string, number>();
const patch = (client: any, label: string) => { const orig = client.send.bind(client); client.send = (cmd: any, ...a: any[]) => { const k = `${label}:${cmd.constructor.name}:${cmd.input?.TableName ?? ''}`; counts.set(k, (counts.get(k) ?? 0) + 1); return orig(cmd, ...a); }; };
const ids: string[] = [];
for (let i = 0; i < 10; i++) {
  const body = JSON.stringify({ ticketId: `T-${i}`, subject: 'Refund', body: 'How do I get a refund?' });
  const r = await fetch(`${rt.url}/webhooks/support-reply`, { method: 'POST', headers: { 'content-type': 'application/json', ...signedWebhookHeaders(rt.webhookSecret('support-reply'), `msg_${i}x`, body) }, body });
  ids.push((await r.json()).runId);
}
const pend = await Promise.all(ids.map((id) => wait(id, 'awaiting_approval')));
patch(documentClient(), 'ddb'); patch(sfnClient(), 'sfn');
const token = reviewerToken(rt.signingSecret, 'support-agent@example.com');
await Promise.all(pend.map(async (run) => {
  const a = await getApproval(run.approvalIds!.at(-1)!);
  const res = await fetch(`${rt.url}/approvals/${a!.approvalId}/decision`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ action: 'approve', reviewer: 'support-agent@example.com', draftHash: a!.draftHash }) });
  if (res.status !== 200) console.log(res.status, await res.text());
}));
await Promise.all(ids.map((id) => wait(id, 'delivered')));
const getRuns = counts.get('ddb:GetCommand:DataRunsTable8D96F77C') ?? 0;
for (const [k, v] of [...counts].sort((a, b) => b[1] - a[1])) console.log((v / 10).toFixed(1), k);
await rt.stop();
process.exit(0);
