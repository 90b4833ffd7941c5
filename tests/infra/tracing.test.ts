/**
 * Tracing as every stage deploys it: each function the stack makes runs with X-Ray active, may
 * write its traces, and tells its tracer to keep responses and errors out of them; each state
 * machine traces its executions. The one function the stack does not make (CDK's provider that
 * empties the dev knowledge bucket at `cdk destroy`) is named, so another cannot slip in untraced.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TRACER_ENVIRONMENT } from '../../functions/shared/env-names.js';
import { buildApp } from '../../infra/app-factory.js';
import { KIND_METADATA } from '../../infra/constructs/handrail-function.js';

type Resource = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, unknown> };
const STAGES = ['dev', 'prod', 'local'] as const;
const X_RAY_WRITES = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];
const templates: Record<string, Record<string, Resource>> = {};

beforeAll(() => {
  for (const stage of STAGES) {
    const { stack } = buildApp({ stage, bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) });
    templates[stage] = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
  }
});

const ofType = (stage: string, type: string) => Object.entries(templates[stage]!).filter(([, r]) => r.Type === type);
const roleIdOf = (r: Resource) => (r.Properties.Role ?? r.Properties.RoleArn)?.['Fn::GetAtt']?.[0] as string;
/** Every action the role's inline policies grant. */
function actionsOf(stage: string, roleId: string): string[] {
  return ofType(stage, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`))
    .flatMap(([, p]) => (p.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap((s) => [s.Action].flat()));
}

describe.each(STAGES)('the %s stage', (stage) => {
  it('runs every function it makes with X-Ray active, allowed to write its traces', () => {
    const functions = ofType(stage, 'AWS::Lambda::Function').filter(([, f]) => f.Metadata?.[KIND_METADATA]);
    expect(functions.length).toBeGreaterThan(10);
    for (const [id, fn] of functions) {
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
      expect(actionsOf(stage, roleIdOf(fn)), id).toEqual(expect.arrayContaining(X_RAY_WRITES));
    }
  });

  it("gives every function the tracer's settings, and leaves on or off to where it runs", () => {
    for (const [id, fn] of ofType(stage, 'AWS::Lambda::Function').filter(([, f]) => f.Metadata?.[KIND_METADATA])) {
      expect(fn.Properties.Environment.Variables, id).toMatchObject(TRACER_ENVIRONMENT);
      expect(fn.Properties.Environment.Variables, id).not.toHaveProperty('POWERTOOLS_TRACE_ENABLED');
    }
  });

  it('has no other function than CDK’s bucket-emptying provider (dev only)', () => {
    const others = ofType(stage, 'AWS::Lambda::Function').filter(([, f]) => !f.Metadata?.[KIND_METADATA]);
    expect(others.map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(stage === 'dev' ? ['CustomS3AutoDeleteObjectsCustomResourceProviderHandler'] : []);
  });

  it('traces every state machine, whose role may write the traces', () => {
    const machines = ofType(stage, 'AWS::StepFunctions::StateMachine');
    expect(machines.length).toBeGreaterThan(0);
    for (const [id, machine] of machines) {
      expect(machine.Properties.TracingConfiguration, id).toEqual({ Enabled: true });
      expect(actionsOf(stage, roleIdOf(machine)), id).toEqual(expect.arrayContaining(X_RAY_WRITES));
    }
  });
});
