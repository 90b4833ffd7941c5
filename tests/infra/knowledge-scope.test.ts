/**
 * Knowledge is scoped in IAM: each workflow's retrieve function may read only the S3 prefixes and
 * DynamoDB partitions of the collections it names, and a workflow naming a collection that does
 * not list it among its readers fails the synth (state-machines/collections.yaml).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app-factory.js';
import { projectRoot } from '../../infra/project-root.js';

const dir = mkdtempSync(join(tmpdir(), 'scope-'));
const workflowsDir = mkdtempSync(join(dir, 'workflows-'));
const supportReply = readFileSync(join(projectRoot, 'state-machines/workflows/support-reply.yaml'), 'utf8');
writeFileSync(join(workflowsDir, 'support-reply.yaml'), supportReply);
// The same workflow, drafting from the sales playbooks.
writeFileSync(join(workflowsDir, 'sales-reply.yaml'), supportReply.replace(/^id: support-reply$/m, 'id: sales-reply').replace(/collection: support$/m, 'collection: sales'));

function collectionsFile(yaml: string): string {
  const file = join(dir, `collections-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  return file;
}
const granted = collectionsFile(`collections:
  support: { writers: [author@example.com], readers: [support-reply] }
  sales: { writers: [author@example.com], readers: [sales-reply] }
`);
const synth = (file: string) => buildApp({ stage: 'local', bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')), workflowsDir, collectionsFile: file });

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, string[]>> };

function statementsOf(template: Template, functionIdPrefix: string): Statement[] {
  const [[, fn]] = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => id.startsWith(functionIdPrefix)) as [string, { Properties: { Role: { 'Fn::GetAtt': [string] } } }][];
  const roleId = fn!.Properties.Role['Fn::GetAtt'][0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}
const actions = (s: Statement) => [s.Action].flat();

describe('knowledge scoped per workflow, in IAM', () => {
  const template = Template.fromStack(synth(granted).stack);

  it.each([
    ['StepsRetrieveSupportReplyFunction', 'support', 'sales'],
    ['StepsRetrieveSalesReplyFunction', 'sales', 'support'],
  ])('%s reads the partition and prefix of %s only', (fnId, own, other) => {
    const statements = statementsOf(template, fnId);
    const knowledge = statements.filter((s) => actions(s).some((a) => a.startsWith('s3:')) || JSON.stringify(s.Resource).includes('KnowledgeTable'));
    const query = knowledge.find((s) => actions(s).includes('dynamodb:Query'))!;
    expect(query.Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [own] } });
    const objects = knowledge.filter((s) => actions(s).some((a) => a.startsWith('s3:')));
    expect(objects.flatMap(actions).sort()).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
    expect(JSON.stringify(objects.map((s) => s.Resource))).toContain(`/knowledge/${own}/*`);
    expect(JSON.stringify(knowledge)).not.toContain(`/knowledge/${other}/`);
    expect(JSON.stringify(knowledge)).not.toContain('/knowledge/*');
    // Every statement on the knowledge table carries the partition condition.
    for (const s of knowledge.filter((s) => JSON.stringify(s.Resource).includes('KnowledgeTable'))) expect(s.Condition).toBeDefined();
  });

  it('gives each state machine its own retrieve function, and the function its collections', () => {
    const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    const retrieveOf = (name: string) => JSON.stringify(machines.find((m) => JSON.stringify(m.Properties.StateMachineName).includes(name))!.Properties.DefinitionSubstitutions.fn_retrieve);
    expect(retrieveOf('support-reply')).toContain('StepsRetrieveSupportReplyFunction');
    expect(retrieveOf('sales-reply')).toContain('StepsRetrieveSalesReplyFunction');
    const env = (prefix: string) => Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(prefix))![1].Properties.Environment.Variables;
    expect(env('StepsRetrieveSalesReplyFunction').HANDRAIL_READABLE_COLLECTIONS).toBe('sales');
    // Who may write or list a collection: the knowledge routes' function reads it, the API no longer does.
    expect(env('KnowledgeFunction').HANDRAIL_COLLECTIONS_FILE).toBe('/var/task/collections.json');
    expect(env('ApiFunction')).not.toHaveProperty('HANDRAIL_COLLECTIONS_FILE');
  });

  it.each([
    ['a collection that does not list the workflow', `collections:\n  support: { readers: [support-reply] }\n  sales: { readers: [support-reply] }\n`, /sales-reply\.yaml: steps\[0\] \(retrieve_context\)\.collection: "sales" does not let this workflow read it; add sales-reply to collections\.sales\.readers/],
    ['a collection that is not declared', `collections:\n  support: { readers: [support-reply] }\n`, /sales-reply\.yaml: steps\[0\] \(retrieve_context\)\.collection: "sales" is not a declared collection/],
    ['a writer group the directory lacks', `collections:\n  support: { readers: [support-reply], writers: [group:nobody] }\n  sales: { readers: [sales-reply] }\n`, /collections\.support\.writers: no group "nobody" in the reviewer directory/],
    ['a malformed collections file', `collections:\n  Support: { readers: [support-reply] }\n`, /collections\.Support: a collection name must be 1-63 characters/],
  ])('fails the synth on %s, naming what to fix', (_what, yaml, message) => {
    expect(() => synth(collectionsFile(yaml))).toThrow(message);
  });
});

describe('knowledge written by one workflow, in IAM', () => {
  const kbDir = mkdtempSync(join(dir, 'kb-workflows-'));
  writeFileSync(join(kbDir, 'support-reply.yaml'), supportReply);
  const kbUpdate = readFileSync(join(projectRoot, 'state-machines/workflows/kb-update.yaml'), 'utf8');
  writeFileSync(join(kbDir, 'kb-update.yaml'), kbUpdate);
  const synthKb = (file: string) => buildApp({ stage: 'local', bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')), workflowsDir: kbDir, collectionsFile: file });
  const publishing = collectionsFile(`collections:
  support: { writers: [author@example.com, group:support-leads, group:support-knowledge], readers: [support-reply, kb-update], publishers: [kb-update] }
`);
  const template = Template.fromStack(synthKb(publishing).stack);

  it('lets only the workflow\'s own deliver function write the partition and prefix of the collection it publishes to', () => {
    const statements = statementsOf(template, 'StepsDeliverKbUpdateKnowledgeFunction');
    const knowledge = statements.filter((s) => actions(s).some((a) => a.startsWith('s3:')) || JSON.stringify(s.Resource).includes('KnowledgeTable'));
    const table = knowledge.filter((s) => JSON.stringify(s.Resource).includes('KnowledgeTable'));
    expect(table.flatMap(actions).sort()).toEqual(['dynamodb:PutItem', 'dynamodb:Query']);
    for (const s of table) expect(s.Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['support'] } });
    const objects = knowledge.filter((s) => actions(s).some((a) => a.startsWith('s3:')));
    expect(objects.flatMap(actions).sort()).toEqual(['s3:GetObject', 's3:PutObject']);
    expect(JSON.stringify(objects.map((s) => s.Resource))).toContain('/knowledge/support/*');
    expect(JSON.stringify(knowledge)).not.toContain('/knowledge/*');
    // The shared deliver function and the other steps' functions write no knowledge.
    for (const other of ['StepsDeliverFunction', 'StepsApprovalFunction', 'StepsRetrieveKbUpdateFunction', 'StepsRetrieveSupportReplyFunction']) {
      expect(statementsOf(template, other).flatMap(actions)).not.toContain('s3:PutObject');
    }
    expect(statementsOf(template, 'StepsDeliverFunction').some((s) => JSON.stringify(s.Resource).includes('KnowledgeTable'))).toBe(false);
  });

  it('routes the workflow\'s deliver steps to that function, with its collections, and the others\' to the shared one', () => {
    const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    const deliverOf = (name: string) => JSON.stringify(machines.find((m) => JSON.stringify(m.Properties.StateMachineName).includes(name))!.Properties.DefinitionSubstitutions.fn_deliver);
    expect(deliverOf('kb-update')).toContain('StepsDeliverKbUpdateKnowledgeFunction');
    expect(deliverOf('support-reply')).toContain('StepsDeliverFunction');
    expect(deliverOf('support-reply')).not.toContain('KbUpdate');
    const fn = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('StepsDeliverKbUpdateKnowledgeFunction'))![1];
    expect(fn.Properties.Environment.Variables.HANDRAIL_WRITABLE_COLLECTIONS).toBe('support');
    expect(fn.Metadata['handrail:entry']).toBe('functions/steps/deliver/knowledge-handler.ts');
  });

  it.each([
    ['a collection that does not name the workflow as a publisher', `collections:\n  support: { writers: [group:support-knowledge, group:support-leads], readers: [support-reply, kb-update] }\n`, /kb-update\.yaml: steps\[3\] \(publish_edit\)\.knowledge\.collection: "support" does not let this workflow write it; add kb-update to collections\.support\.publishers/],
    ['a reviewer of the edits who may not write the collection', `collections:\n  support: { writers: [group:support-knowledge], readers: [support-reply, kb-update], publishers: [kb-update] }\n`, /kb-update\.yaml: steps\[2\] \(owner_review\)\.reviewers: head-of-support@example\.com may not write the collection "support" this workflow.s edits go to; add them to collections\.support\.writers/],
  ])('fails the synth on %s, naming what to fix', (_what, yaml, message) => {
    expect(() => synthKb(collectionsFile(yaml))).toThrow(message);
  });
});
