/** The approval function may resume runs (auto-approvals, decisions recorded before a retry) on the stage's state machines, and no more. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../../infra/app-factory.js';
import { API_ROUTES } from '../../../infra/constructs/http-api.js';

let template: Template;

// Synthesis takes a while (hookTimeout, not testTimeout).
beforeAll(() => {
  template = Template.fromStack(buildApp({ stage: 'dev', bundling: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) }).stack);
});

it('grants the approval function SendTaskSuccess/Failure on the stage machines only, and routes GET /autonomy', () => {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.Roles).includes('StepsApprovalFunction'));
  const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as { Sid?: string; Action: string | string[]; Resource: unknown }[]);
  const resume = statements.find((s) => s.Sid === 'ResumeDecidedRuns');
  expect(resume?.Action).toEqual(['states:SendTaskSuccess', 'states:SendTaskFailure']);
  expect(JSON.stringify(resume?.Resource)).toContain(':stateMachine:handrail-dev-*');
  const states = statements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('states:'));
  expect(states.sort()).toEqual(['states:SendTaskFailure', 'states:SendTaskSuccess']);
  expect(API_ROUTES).toContain('GET /autonomy');
});
