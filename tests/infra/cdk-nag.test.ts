/**
 * cdk-nag's AWS Solutions checks over every stage: no finding is left unacknowledged, and each
 * acknowledgement (infra/constructs/acknowledge.ts, made where the resource is) says why and
 * covers no more than it claims to.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validations, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app-factory.js';

const build = (stage: string) => buildApp({ stage, bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) });

/** Every acknowledgement in the stack: where, which rule, why. */
function acknowledgements(stack: Stack): { path: string; id: string; reason: string }[] {
  return stack.node.findAll().flatMap((c: IConstruct) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason }))),
  );
}

const stacks: Record<string, Stack> = {};

beforeAll(() => {
  for (const stage of ['dev', 'staging', 'prod', 'local']) stacks[stage] = build(stage).stack;
});

describe('AwsSolutionsChecks', () => {
  it.each(['dev', 'staging', 'prod', 'local'])('finds nothing unacknowledged in the %s stage', (stage) => {
    const stack = stacks[stage]!;
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('runs as a validation plugin at synth, as `cdk synth` with the plugin would', () => {
    const { app } = build('prod');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });
});

describe('acknowledgements', () => {
  it('are AWS Solutions rules, each with its reason', () => {
    for (const stage of ['dev', 'prod']) {
      const acks = acknowledgements(stacks[stage]!);
      expect(acks.length).toBeGreaterThan(0);
      for (const ack of acks) {
        expect(ack.id, ack.path).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
        expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThan(60);
      }
    }
  });

  it('accept a wildcard resource only for actions that take none (X-Ray, log delivery)', () => {
    const template = Template.fromStack(stacks.dev!);
    const noResourceActions = /^(xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|logs:(Create|Get|Update|Delete)LogDelivery|logs:ListLogDeliveries|logs:PutResourcePolicy|logs:DescribeResourcePolicies|logs:DescribeLogGroups)$/;
    const wildcardActions = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
      .filter((s) => [s.Resource].flat().includes('*'))
      .flatMap((s) => [s.Action].flat());
    expect(wildcardActions.length).toBeGreaterThan(0);
    expect(wildcardActions.filter((a) => !noResourceActions.test(a))).toEqual([]);
  });

  it('let a route through without the JWT authorizer only where it has none', () => {
    const template = Template.fromStack(stacks.dev!);
    const open = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).filter((r) => r.Properties.AuthorizationType === 'NONE');
    const apig4 = acknowledgements(stacks.dev!).filter((a) => a.id === 'AwsSolutions-APIG4');
    expect(apig4).toHaveLength(open.length);
    expect(apig4.some((a) => /personal API token/.test(a.reason))).toBe(true);
  });

  it('accept weaker Cognito settings only where stages.yaml chose them (staging: threat protection in audit mode)', () => {
    const cognito = (stage: string) => acknowledgements(stacks[stage]!).filter((a) => /^AwsSolutions-COG/.test(a.id)).map((a) => a.id);
    expect(cognito('dev')).toEqual([]);
    expect(cognito('prod')).toEqual([]);
    expect(cognito('staging')).toEqual(['AwsSolutions-COG3']);
  });
});
