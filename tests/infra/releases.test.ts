/** Each state machine carries its release (tag and manifest), the API ships them all, and releases have their own table. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app-factory.js';
import { RELEASE_METADATA, RELEASE_TAG } from '../../infra/constructs/governed-workflow.js';

describe('releases in the stack', () => {
  const template = Template.fromStack(buildApp({ stage: 'local', bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) }).stack);

  it('tags each state machine with its release id and keeps the manifest in its metadata', () => {
    const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(machines.map((m) => m.Metadata[RELEASE_METADATA].manifest.workflowId).sort()).toEqual(['kb-update', 'meeting-notes', 'rfp-response', 'sales-outreach', 'support-reply']);
    const machine = machines.find((m) => m.Metadata[RELEASE_METADATA].manifest.workflowId === 'support-reply');
    const release = machine!.Metadata[RELEASE_METADATA];
    expect(release.releaseId).toMatch(/^rel-[0-9a-f]{16}$/);
    expect(release.manifest).toMatchObject({ workflowId: 'support-reply', knowledge: { support: 'latest' }, delivery: { SUPPORT_REPLY_URL: 'the local sink (/sink/support-reply)' } });
    expect(machine!.Properties.Tags).toContainEqual({ Key: RELEASE_TAG, Value: release.releaseId });
  });

  it('gives releases a table of their own, which only the API writes (once per release) and reads', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { KeySchema: [{ AttributeName: 'releaseId', KeyType: 'HASH' }] });
    const [[, api]] = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => id.startsWith('ApiFunction'));
    expect(api!.Properties.Environment.Variables.HANDRAIL_RELEASES_FILE).toBe('/var/task/releases.json');
  });
});
