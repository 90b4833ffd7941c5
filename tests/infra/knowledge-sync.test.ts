/**
 * Scheduled knowledge sync on the template (infra/constructs/knowledge-sync.ts): one function, one
 * rule per synced collection on its `every` with the collection as its input, S3 read on exactly the
 * declared prefixes, writes on exactly the synced collections; bad declarations fail the synth with
 * the key named.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../functions/shared/env-names.js';
import { buildApp } from '../../infra/app-factory.js';
import { KIND_METADATA } from '../../infra/constructs/handrail-function.js';

const dir = mkdtempSync(join(tmpdir(), 'stages-sync-'));
const synth = (yaml: string) => {
  const file = join(dir, `stages-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  return Template.fromStack(buildApp({ stage: 'local', bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')), stagesFile: file }).stack);
};
const stage = (sync: string) => `local: { knowledgeSync: ${sync} }\n`;

describe('scheduled knowledge sync on the template', () => {
  let template: Template;
  let syncFn: [string, any];
  beforeAll(() => {
    template = synth(stage('{ support: { from: "s3://acme-help-center/articles/", every: 6h }, product: { from: "s3://acme-product-docs", every: 1d } }'));
    syncFn = Object.entries(template.findResources('AWS::Lambda::Function')).find(([, r]) => r.Metadata?.[KIND_METADATA] === 'knowledge-sync')!;
  });

  it('declares one function that knows each collection\'s source', () => {
    expect(syncFn).toBeDefined();
    expect(JSON.parse(syncFn[1].Properties.Environment.Variables[ENV.knowledgeSources])).toEqual({ support: 's3://acme-help-center/articles/', product: 's3://acme-product-docs/' });
  });

  it('invokes it per collection on its schedule, the collection as the input', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')).filter((r: any) => JSON.stringify(r.Properties.Targets).includes(syncFn[0]));
    expect(rules.map((r: any) => [r.Properties.ScheduleExpression, JSON.parse(r.Properties.Targets[0].Input)]).sort()).toEqual([
      ['rate(1 day)', { collection: 'product' }],
      ['rate(6 hours)', { collection: 'support' }],
    ]);
  });

  it('reads only the declared prefixes and writes only the synced collections', () => {
    const role = syncFn[1].Properties.Role['Fn::GetAtt'][0];
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p: any) => JSON.stringify(p.Properties.Roles).includes(role))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement as any[]);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 's3:ListBucket', Resource: 'arn:aws:s3:::acme-help-center', Condition: { StringLike: { 's3:prefix': ['articles/*'] } } }),
      expect.objectContaining({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::acme-help-center/articles/*' }),
      expect.objectContaining({ Action: 's3:ListBucket', Resource: 'arn:aws:s3:::acme-product-docs', Condition: { StringLike: { 's3:prefix': ['*'] } } }),
      expect.objectContaining({ Action: ['dynamodb:Query', 'dynamodb:PutItem'], Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['support', 'product'] } } }),
    ]));
    // Nothing of S3 anywhere else, nothing but create-only writes to the knowledge table.
    const s3 = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')));
    for (const s of s3) expect(JSON.stringify(s.Resource)).toMatch(/acme-help-center|acme-product-docs|knowledge\/(support|product)\//);
    expect(JSON.stringify(statements)).not.toMatch(/dynamodb:(UpdateItem|DeleteItem|Scan)/);
  });

  it('adds nothing to a stage that syncs no collection', () => {
    const none = synth('local: {}\n');
    expect(Object.values(none.findResources('AWS::Lambda::Function')).some((r: any) => r.Metadata?.[KIND_METADATA] === 'knowledge-sync')).toBe(false);
    none.resourcePropertiesCountIs('AWS::Events::Rule', { Targets: Match.arrayWith([Match.objectLike({ Input: Match.anyValue() })]) }, 0);
  });

  it.each([
    ['a folder', '{ support: { from: ./articles, every: 6h } }', /local\.knowledgeSync\.support\.from: an S3 prefix such as s3:\/\/acme-help-center\/articles\/ \(a folder or Git repository syncs with `npx handrail kb sync` from cron or CI\)/],
    ['a Git repository', '{ support: { from: "git+https://github.com/acme/help", every: 6h } }', /local\.knowledgeSync\.support\.from: an S3 prefix/],
    ['too often', '{ support: { from: "s3://acme-help-center/", every: 1m } }', /local\.knowledgeSync\.support\.every: at least 5m/],
    ['never', '{ support: { from: "s3://acme-help-center/", every: 0m } }', /local\.knowledgeSync\.support\.every: at least 5m/],
    ['no interval', '{ support: { from: "s3://acme-help-center/" } }', /local\.knowledgeSync\.support\.every: /],
    ['a cron expression', '{ support: { from: "s3://acme-help-center/", every: "cron(0 3 * * ? *)" } }', /local\.knowledgeSync\.support\.every: how often, such as 15m, 6h or 1d/],
    ['an unknown collection', '{ handbook: { from: "s3://acme-help-center/", every: 6h } }', /local\.knowledgeSync\.handbook: no such collection in the collections file/],
  ])('fails the synth on %s, naming the key', (_what, sync, message) => {
    expect(() => synth(stage(sync))).toThrow(message);
  });
});
