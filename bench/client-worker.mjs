// The benchmark's HTTP client, on its own thread like an external SaaS tool, so the runtime's
// thread only does the runtime's work. Plain JavaScript: workers do not inherit the TS loader.
import { createHmac, randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

const { url, concurrency, reviewerToken, webhookSecret } = workerData;

/** Standard Webhooks headers, as the workflow's sender signs each call (functions/triggers/standard-webhooks.ts). */
function signed(text) {
  const id = `msg_${randomUUID()}`;
  const at = Math.floor(Date.now() / 1000);
  const key = Buffer.from(webhookSecret.replace(/^whsec_/, ''), 'base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(at), 'webhook-signature': `v1,${createHmac('sha256', key).update(`${id}.${at}.${text}`).digest('base64')}` };
}
const now = () => performance.timeOrigin + performance.now();

async function post(path, body, headers = {}) {
  const text = JSON.stringify(body);
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(path.startsWith('/webhooks/') ? signed(text) : {}), ...headers }, body: text });
  const json = await res.json();
  if (res.status >= 300) throw new Error(`${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function pool(total, task) {
  let next = 0;
  const worker = async () => {
    while (next < total) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
}

const ticket = (i) => ({
  ticketId: `B-${i}`,
  subject: i % 3 ? 'Refund for my annual plan' : 'Cannot log in after enabling 2FA',
  body: 'Hello, I need help with my account. What are my options and how long does it take?',
});

parentPort.on('message', async (message) => {
  try {
    if (message.type === 'webhooks') {
      const sent = [];
      await pool(message.count, async (i) => {
        const at = now();
        const { runId } = await post('/webhooks/support-reply', ticket(message.offset + i));
        sent.push({ runId, at });
      });
      parentPort.postMessage({ type: 'done', sent });
    } else if (message.type === 'open') {
      // Reviewers open their requests (to read the draft and its hash) before they decide: not timed.
      const opened = [];
      await pool(message.runIds.length, async (i) => {
        const runId = message.runIds[i];
        const approvalId = `${runId}.agent_review.0`;
        const res = await fetch(`${url}/approvals/${approvalId}`, { headers: { authorization: `Bearer ${reviewerToken}` } });
        const { draftHash } = await res.json();
        if (res.status !== 200) throw new Error(`/approvals/${approvalId}: HTTP ${res.status}`);
        opened.push({ runId, at: now(), draftHash });
      });
      parentPort.postMessage({ type: 'done', sent: opened });
    } else if (message.type === 'decisions') {
      const sent = [];
      await pool(message.opened.length, async (i) => {
        const { runId, draftHash } = message.opened[i];
        const at = now();
        await post(`/approvals/${runId}.agent_review.0/decision`, { action: 'approve', draftHash }, { authorization: `Bearer ${reviewerToken}` });
        sent.push({ runId, at });
      });
      parentPort.postMessage({ type: 'done', sent });
    }
  } catch (err) {
    parentPort.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
});
