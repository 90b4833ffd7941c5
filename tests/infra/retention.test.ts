/**
 * Retention on AWS: the tables whose records expire by a workflow's `retention` (runs and step
 * records, approvals) have DynamoDB TTL on the attribute the writers set; each log group keeps its
 * lines as long as the longest-kept record of the workflows it serves (a workflow's own: its state
 * machine's execution logs, its retrieve function), rounded up to a period CloudWatch Logs offers.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TTL_ATTRIBUTE } from '../../functions/shared/ttl.js';
import { buildApp } from '../../infra/app-factory.js';
import { defaultWorkflowsDir } from '../../state-machines/load-workflow.js';

let template: Template;
let retentionOf: (logicalIdPrefix: string) => number[];

beforeAll(() => {
  // Prepare: support-reply keeps its records 60 days at most, two-approvers 400.
  const dir = mkdtempSync(join(tmpdir(), 'handrail-retention-'));
  const support = readFileSync(join(defaultWorkflowsDir, 'support-reply.yaml'), 'utf8');
  writeFileSync(join(dir, 'support-reply.yaml'), `${support}\nretention: { runs: 45d, steps: 7d, approvals: 60d }\n`);
  writeFileSync(join(dir, 'two-approvers.yaml'), [
    'id: two-approvers', 'name: Two approvers', 'input: { subject: { type: string, required: true } }', 'retention: { runs: 400d }', 'steps:',
    '  - { id: draft, kind: generate, prompt: "{{input.subject}}", models: [{ provider: offline }] }',
    '  - { id: review, kind: approval, draft: draft, reviewers: [support-agent@example.com] }',
    '  - { id: send, kind: deliver, url: "https://example.com/x" }',
  ].join('\n'));
  template = Template.fromStack(buildApp({ stage: 'dev', bundling: false, workflowsDir: dir, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) }).stack);
  const groups = Object.entries(template.findResources('AWS::Logs::LogGroup'));
  retentionOf = (prefix) => groups.filter(([id]) => id.startsWith(prefix)).map(([, g]) => g.Properties.RetentionInDays as number);
});

describe('retention on AWS', () => {
  it('turns on DynamoDB TTL on the runs and approvals tables, on the attribute the writers set', () => {
    const tables = template.findResources('AWS::DynamoDB::Table');
    for (const prefix of ['DataRunsTable', 'DataApprovalsTable']) {
      const [, table] = Object.entries(tables).find(([id]) => id.startsWith(prefix))!;
      expect(table.Properties.TimeToLiveSpecification, prefix).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true });
    }
  });

  it("keeps a workflow's own log groups by its retention: its execution logs and its retrieve function", () => {
    expect(retentionOf('Workflowsupportreply')).toEqual([60]);
    expect(retentionOf('Workflowtwoapprovers')).toEqual([400]);
    expect(retentionOf('StepsRetrieveSupportReplyFunctionLogs')).toEqual([60]);
  });

  it('keeps the log groups of the functions every workflow shares by the longest retention of them all', () => {
    for (const prefix of ['ApiFunctionLogs', 'ConsoleFunctionLogs', 'KnowledgeFunctionLogs', 'StepsGenerateFunctionLogs', 'StepsApprovalFunctionLogs', 'StepsFinishFunctionLogs', 'StepsRemindersFunctionLogs', 'StepsAuditCheckpointFunctionLogs', 'ExecutionStatusFunctionLogs']) {
      expect(retentionOf(prefix), prefix).toEqual([400]);
    }
  });
});
