/**
 * The Step Functions operations the endpoint serves: each validates its request body with zod
 * (answering ValidationException naming the field) and calls the engine.
 */
import { z } from 'zod';
import type { LocalStepFunctions } from './engine.js';
import { SfnServiceError } from './errors.js';

export type Operation = (engine: LocalStepFunctions, body: unknown) => Promise<unknown>;

const arn = z.string().min(1).max(2048);
const taskToken = z.string().min(1).max(2048);
const maxResults = z.number().int().min(0).max(1000).optional();
const nextToken = z.string().min(1).max(3096).optional();
const routing = z.array(z.object({ stateMachineVersionArn: arn, weight: z.number().int().min(0).max(100) })).min(1).max(2);
const statusFilter = z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']).optional();
const redriveFilter = z.enum(['REDRIVEN', 'NOT_REDRIVEN']).optional();

function validate<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const field = issue.path.length ? issue.path.join('.') : '(request body)';
    return `Value at '${field}' failed to satisfy constraint: ${issue.message}`;
  });
  const count = issues.length === 1 ? '1 validation error' : `${issues.length} validation errors`;
  throw new SfnServiceError('ValidationException', `${count} detected: ${issues.join('; ')}`);
}

function op<S extends z.ZodType>(schema: S, run: (engine: LocalStepFunctions, input: z.infer<S>) => Promise<unknown>): Operation {
  return (engine, body) => run(engine, validate(schema, body));
}

/** Offset pagination, the page under `key` as the operation names it; the real API also answers a bad nextToken with InvalidToken. */
function page<T>(key: string, items: T[], { maxResults: limit, nextToken: token }: { maxResults?: number; nextToken?: string }): Record<string, unknown> {
  const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(start) || start < 0) throw new SfnServiceError('InvalidToken', 'Invalid Token');
  const size = limit || 100;
  const end = start + size;
  return { [key]: items.slice(start, end), nextToken: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined };
}

/** A List… operation over one state machine's items (its versions, its aliases). */
function listOf<T>(key: string, list: (engine: LocalStepFunctions, stateMachineArn: string) => Promise<T[]>): Operation {
  return op(z.object({ stateMachineArn: arn, maxResults, nextToken }), async (engine, params) => page(key, await list(engine, params.stateMachineArn), params));
}

export const operations: Readonly<Record<string, Operation>> = {
  StartExecution: op(
    z.object({ stateMachineArn: arn, name: z.string().min(1).max(80).optional(), input: z.string().max(262_144).optional() }),
    (engine, params) => engine.startExecution(params),
  ),
  DescribeExecution: op(z.object({ executionArn: arn }), (engine, { executionArn }) => engine.describeExecution(executionArn)),
  GetExecutionHistory: op(
    z.object({ executionArn: arn, maxResults, nextToken, reverseOrder: z.boolean().optional(), includeExecutionData: z.boolean().optional() }),
    async (engine, { executionArn, reverseOrder, includeExecutionData, ...paging }) => {
      const events = await engine.getExecutionHistory(executionArn, { includeExecutionData });
      if (reverseOrder) events.reverse();
      return page('events', events, paging);
    },
  ),
  StopExecution: op(
    z.object({ executionArn: arn, error: z.string().max(256).optional(), cause: z.string().max(32_768).optional() }),
    (engine, { executionArn, error, cause }) => engine.stopExecution(executionArn, error, cause),
  ),
  SendTaskSuccess: op(z.object({ taskToken, output: z.string().max(262_144) }), async (engine, { taskToken: token, output }) => {
    await engine.sendTaskSuccess(token, output);
    return {};
  }),
  SendTaskFailure: op(
    z.object({ taskToken, error: z.string().max(256).optional(), cause: z.string().max(32_768).optional() }),
    async (engine, { taskToken: token, error, cause }) => {
      await engine.sendTaskFailure(token, error, cause);
      return {};
    },
  ),
  SendTaskHeartbeat: op(z.object({ taskToken }), async (engine, { taskToken: token }) => {
    await engine.sendTaskHeartbeat(token);
    return {};
  }),
  RedriveExecution: op(z.object({ executionArn: arn, clientToken: z.string().min(1).max(64).optional() }), (engine, { executionArn, clientToken }) =>
    engine.redriveExecution(executionArn, clientToken),
  ),
  ListExecutions: op(
    z.object({ stateMachineArn: arn, statusFilter, redriveFilter, maxResults, nextToken }),
    async (engine, { stateMachineArn, statusFilter: status, redriveFilter: redrive, ...paging }) =>
      page('executions', await engine.listExecutions(stateMachineArn, status, redrive), paging),
  ),
  ListStateMachines: op(z.object({ maxResults, nextToken }), async (engine, paging) => page('stateMachines', await engine.listStateMachines(), paging)),
  PublishStateMachineVersion: op(
    z.object({ stateMachineArn: arn, description: z.string().max(256).optional(), revisionId: z.string().optional() }),
    (engine, { stateMachineArn, description, revisionId }) => engine.publishStateMachineVersion(stateMachineArn, description, revisionId),
  ),
  ListStateMachineVersions: listOf('stateMachineVersions', (engine, stateMachineArn) => engine.listStateMachineVersions(stateMachineArn)),
  DeleteStateMachineVersion: op(z.object({ stateMachineVersionArn: arn }), async (engine, { stateMachineVersionArn }) => {
    await engine.deleteStateMachineVersion(stateMachineVersionArn);
    return {};
  }),
  CreateStateMachineAlias: op(
    z.object({ name: z.string().min(1).max(80), description: z.string().max(256).optional(), routingConfiguration: routing }),
    (engine, { name, description, routingConfiguration }) => engine.createStateMachineAlias(name, routingConfiguration, description),
  ),
  UpdateStateMachineAlias: op(
    z.object({ stateMachineAliasArn: arn, description: z.string().max(256).optional(), routingConfiguration: routing.optional() }),
    (engine, { stateMachineAliasArn, ...update }) => engine.updateStateMachineAlias(stateMachineAliasArn, update),
  ),
  DescribeStateMachineAlias: op(z.object({ stateMachineAliasArn: arn }), (engine, { stateMachineAliasArn }) => engine.describeStateMachineAlias(stateMachineAliasArn)),
  ListStateMachineAliases: listOf('stateMachineAliases', (engine, stateMachineArn) => engine.listStateMachineAliases(stateMachineArn)),
  DeleteStateMachineAlias: op(z.object({ stateMachineAliasArn: arn }), async (engine, { stateMachineAliasArn }) => {
    await engine.deleteStateMachineAlias(stateMachineAliasArn);
    return {};
  }),
  DescribeStateMachine: op(z.object({ stateMachineArn: arn }), (engine, { stateMachineArn }) => engine.describeStateMachine(stateMachineArn)),
};
