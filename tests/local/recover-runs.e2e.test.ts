/**
 * What the local runtime does on start after an unclean stop: a run recorded but never started
 * (the process died between the run record and StartExecution) is started from its record, and a
 * journaled execution that cannot be continued (its state machine is gone) puts its run in the
 * human queue with the reason. Nothing is left `running`.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRun } from '../../functions/records/runs.js';
import { resetClients } from '../../functions/shared/aws-clients.js';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime.js';
import { workflowRegistry } from '../../functions/shared/workflow-registry.js';
import { client, waitForRun } from '../support/local-runtime.js';

const dataDir = mkdtempSync(join(tmpdir(), 'handrail-recover-'));
let rt: LocalRuntime | undefined;
afterAll(async () => {
  await rt?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('local start after an unclean stop', () => {
  it('starts runs that never started and sends runs it cannot continue to the human queue', { timeout: 120_000 }, async () => {
    rt = await startLocalRuntime({ dataDir, port: 0 });
    const at = new Date().toISOString();
    const version = workflowRegistry().get('support-reply')!.version;
    const input = { ticketId: 'T-900', subject: 'Refund for my annual plan', body: 'How do I get a refund for my annual plan?' };
    await createRun({ runId: 'run-never-started', workflowId: 'support-reply', workflowVersion: version, status: 'running', input, createdAt: at, updatedAt: at });
    await createRun({ runId: 'run-gone', workflowId: 'retired', workflowVersion: 'v1', status: 'running', input, createdAt: at, updatedAt: at });
    // Recorded, never started, and its workflow is no longer deployed.
    await createRun({ runId: 'run-retired', workflowId: 'retired', workflowVersion: 'v1', status: 'running', input, createdAt: at, updatedAt: at });
    await rt.stop();
    rt = undefined;
    // What a SIGKILL leaves: the runtime's marker, and the journal of an execution whose state machine is no longer deployed.
    writeFileSync(join(dataDir, 'stepfunctions', 'running'), '2147483646'); // a process that is gone: no pid is that high
    const gone = 'arn:aws:states:us-east-1:000000000000:stateMachine:handrail-local-retired';
    appendFileSync(
      join(dataDir, 'stepfunctions', 'executions.jsonl'),
      `${JSON.stringify({ t: 'start', e: 'arn:aws:states:us-east-1:000000000000:execution:handrail-local-retired:run-gone', m: gone, n: 'run-gone', i: '{}', d: at, h: '0000000000000000' })}\n`,
    );

    resetClients(); // the new runtime's emulators listen elsewhere
    rt = await startLocalRuntime({ dataDir, port: 0 });
    const restarted = await waitForRun(rt, 'run-never-started', ['awaiting_approval']);
    expect(restarted.audit.map((e: any) => e.type)).toContain('run.restarted');
    const lost = (await client(rt).get('/runs/run-gone')).body;
    expect(lost).toMatchObject({ status: 'needs_human', error: { error: 'ExecutionLost', cause: expect.stringContaining('could not be continued') } });
    expect(lost.audit.map((e: any) => e.type)).toContain('run.needs_human');
    const retired = (await client(rt).get('/runs/run-retired')).body;
    expect(retired).toMatchObject({ status: 'needs_human', error: { error: 'ExecutionLost', cause: expect.stringContaining('could not be started') } });
    const running = await client(rt).get('/runs?status=running');
    expect(running.body.runs).toEqual([]);
    // The indexes were rebuilt from the items: each run is listed once, as it is.
    const listed = (await client(rt).get('/runs?workflowId=support-reply&limit=100')).body.runs.filter((r: any) => r.runId === 'run-never-started');
    expect(listed).toEqual([expect.objectContaining({ runId: 'run-never-started', status: 'awaiting_approval' })]);
  });
});
