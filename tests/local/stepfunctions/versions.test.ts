import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStateMachineAliasCommand,
  DescribeExecutionCommand,
  DescribeStateMachineAliasCommand,
  DescribeStateMachineCommand,
  ListStateMachineAliasesCommand,
  ListStateMachineVersionsCommand,
  PublishStateMachineVersionCommand,
  StartExecutionCommand,
  UpdateStateMachineAliasCommand,
  DeleteStateMachineVersionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalStepFunctions } from '../../../local/stepfunctions/engine.js';
import { errorName, nextTaskToken, startService, type Service } from './helpers.js';

const says = (text: string) => ({ StartAt: 'Say', States: { Say: { Type: 'Pass', Result: text, End: true } } });

let service: Service;
let machineArn: string;

async function publish(text: string): Promise<string> {
  service.engine.registerStateMachine({ name: 'greeter', definition: says(text) });
  const { stateMachineVersionArn } = await service.client.send(new PublishStateMachineVersionCommand({ stateMachineArn: machineArn, description: text }));
  return stateMachineVersionArn!;
}

async function outputOf(stateMachineArn: string): Promise<{ output: string; version?: string; alias?: string }> {
  const { executionArn } = await service.client.send(new StartExecutionCommand({ stateMachineArn }));
  const done = await service.engine.waitForExecution(executionArn!);
  return { output: JSON.parse(done.output!) as string, version: done.stateMachineVersionArn, alias: done.stateMachineAliasArn };
}

beforeEach(async () => {
  service = await startService({});
  machineArn = service.engine.registerStateMachine({ name: 'greeter', definition: says('v1') });
});
afterEach(() => service.close());

describe('state machine versions', () => {
  it('publishes a version per change, the latest again when nothing changed, and runs each as published', async () => {
    const v1 = await publish('v1');
    expect(v1).toBe(`${machineArn}:1`);
    expect(await publish('v1')).toBe(v1);
    const v2 = await publish('v2');
    expect(v2).toBe(`${machineArn}:2`);
    const { stateMachineVersions } = await service.client.send(new ListStateMachineVersionsCommand({ stateMachineArn: machineArn }));
    expect(stateMachineVersions!.map((v) => v.stateMachineVersionArn)).toEqual([v2, v1]);
    expect(await outputOf(v1)).toEqual({ output: 'v1', version: v1, alias: undefined });
    expect((await outputOf(machineArn)).output).toBe('v2');
    const described = await service.client.send(new DescribeStateMachineCommand({ stateMachineArn: v1 }));
    expect(JSON.parse(described.definition!)).toEqual(says('v1'));
    expect(described.description).toBe('v1');
    expect(await errorName(service.client.send(new StartExecutionCommand({ stateMachineArn: `${machineArn}:9` })))).toBe('StateMachineDoesNotExist');
  });
});

describe('state machine aliases', () => {
  it('routes by weight, within tolerance over many executions, and says which version and alias ran', async () => {
    const v1 = await publish('v1');
    const v2 = await publish('v2');
    const { stateMachineAliasArn } = await service.client.send(
      new CreateStateMachineAliasCommand({ name: 'live', routingConfiguration: [{ stateMachineVersionArn: v1, weight: 80 }, { stateMachineVersionArn: v2, weight: 20 }] }),
    );
    expect(stateMachineAliasArn).toBe(`${machineArn}:live`);
    const outputs = await Promise.all(Array.from({ length: 1000 }, () => outputOf(stateMachineAliasArn!)));
    const onV2 = outputs.filter((o) => o.output === 'v2');
    // Binomial(1000, 0.2): sd ≈ 12.6, so ±60 is beyond 4.7 sd.
    expect(onV2.length).toBeGreaterThan(140);
    expect(onV2.length).toBeLessThan(260);
    expect(onV2.every((o) => o.version === v2 && o.alias === stateMachineAliasArn)).toBe(true);

    await service.client.send(new UpdateStateMachineAliasCommand({ stateMachineAliasArn, routingConfiguration: [{ stateMachineVersionArn: v1, weight: 100 }] }));
    const after = await Promise.all(Array.from({ length: 50 }, () => outputOf(stateMachineAliasArn!)));
    expect(new Set(after.map((o) => o.output))).toEqual(new Set(['v1']));
    const alias = await service.client.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn }));
    expect(alias.routingConfiguration).toEqual([{ stateMachineVersionArn: v1, weight: 100 }]);
    const { stateMachineAliases } = await service.client.send(new ListStateMachineAliasesCommand({ stateMachineArn: machineArn }));
    expect(stateMachineAliases!.map((a) => a.stateMachineAliasArn)).toEqual([stateMachineAliasArn]);
  });

  it('refuses bad routing, unknown aliases, and deleting a version an alias routes to', async () => {
    const v1 = await publish('v1');
    const send = (routingConfiguration: { stateMachineVersionArn: string; weight: number }[]) =>
      errorName(service.client.send(new CreateStateMachineAliasCommand({ name: 'live', routingConfiguration })));
    expect(await send([{ stateMachineVersionArn: v1, weight: 90 }])).toBe('ValidationException');
    expect(await send([{ stateMachineVersionArn: `${machineArn}:7`, weight: 100 }])).toBe('ResourceNotFound');
    expect(await errorName(service.client.send(new CreateStateMachineAliasCommand({ name: '42', routingConfiguration: [{ stateMachineVersionArn: v1, weight: 100 }] })))).toBe('ValidationException');
    expect(await errorName(service.client.send(new StartExecutionCommand({ stateMachineArn: `${machineArn}:nope` })))).toBe('ResourceNotFound');
    await service.client.send(new CreateStateMachineAliasCommand({ name: 'live', routingConfiguration: [{ stateMachineVersionArn: v1, weight: 100 }] }));
    expect(await errorName(service.client.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: v1 })))).toBe('ConflictException');
  });

  it('keeps versions and aliases across a restart, and an execution waiting on a version continues on it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sfn-versions-'));
    const waits = { StartAt: 'Wait', States: { Wait: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:ask', Payload: { 'token.$': '$$.Task.Token' } }, Next: 'Say' }, Say: { Type: 'Pass', Result: 'old', End: true } } };
    const make = () => new LocalStepFunctions({ invokeLambda: async () => ({}), persistenceDir: dir });
    try {
      const first = make();
      const arn = first.registerStateMachine({ name: 'asker', definition: waits });
      const { stateMachineVersionArn: v1 } = await first.publishStateMachineVersion(arn);
      await first.createStateMachineAlias('live', [{ stateMachineVersionArn: v1, weight: 100 }]);
      const issued = nextTaskToken(first);
      const { executionArn } = await first.startExecution({ stateMachineArn: `${arn}:live` });
      const { token } = await issued;
      first.closeJournal();

      const second = make();
      second.registerStateMachine({ name: 'asker', definition: { ...waits, States: { ...waits.States, Say: { Type: 'Pass', Result: 'new', End: true } } } });
      second.recover();
      expect((await second.describeStateMachineAlias(`${arn}:live`)).routingConfiguration).toEqual([{ stateMachineVersionArn: v1, weight: 100 }]);
      const described = await second.describeExecution(executionArn);
      expect(described).toMatchObject({ stateMachineVersionArn: v1, stateMachineAliasArn: `${arn}:live` });
      await second.sendTaskSuccess(token, '{}');
      expect(JSON.parse((await second.waitForExecution(executionArn)).output!)).toBe('old');
      second.closeJournal();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
