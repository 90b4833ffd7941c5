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

/** Offset pagination; the real API also answers a bad nextToken with InvalidToken. */
function page<T>(items: T[], limit: number | undefined, token: string | undefined): { items: T[]; nextToken?: string } {
  const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(start) || start < 0) throw new SfnServiceError('InvalidToken', 'Invalid Token');
  const size = limit || 100;
  const end = start + size;
  return { items: items.slice(start, end), nextToken: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined };
}

export const operations: Readonly<Record<string, Operation>> = {
  StartExecution: op(
    z.object({ stateMachineArn: arn, name: z.string().min(1).max(80).optional(), input: z.string().max(262_144).optional() }),
    (engine, params) => engine.startExecution(params),
  ),
  DescribeExecution: op(z.object({ executionArn: arn }), (engine, { executionArn }) => engine.describeExecution(executionArn)),
  GetExecutionHistory: op(
    z.object({ executionArn: arn, maxResults, nextToken, reverseOrder: z.boolean().optional(), includeExecutionData: z.boolean().optional() }),
    async (engine, { executionArn, maxResults: limit, nextToken: token, reverseOrder, includeExecutionData }) => {
      const events = await engine.getExecutionHistory(executionArn, { includeExecutionData });
      if (reverseOrder) events.reverse();
      const { items, nextToken: next } = page(events, limit, token);
      return { events: items, nextToken: next };
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
  ListExecutions: op(
    z.object({ stateMachineArn: arn, statusFilter, maxResults, nextToken }),
    async (engine, { stateMachineArn, statusFilter: status, maxResults: limit, nextToken: token }) => {
      const { items, nextToken: next } = page(await engine.listExecutions(stateMachineArn, status), limit, token);
      return { executions: items, nextToken: next };
    },
  ),
  ListStateMachines: op(z.object({ maxResults, nextToken }), async (engine, { maxResults: limit, nextToken: token }) => {
    const { items, nextToken: next } = page(await engine.listStateMachines(), limit, token);
    return { stateMachines: items, nextToken: next };
  }),
  PublishStateMachineVersion: op(
    z.object({ stateMachineArn: arn, description: z.string().max(256).optional(), revisionId: z.string().optional() }),
    (engine, { stateMachineArn, description, revisionId }) => engine.publishStateMachineVersion(stateMachineArn, description, revisionId),
  ),
  ListStateMachineVersions: op(z.object({ stateMachineArn: arn, maxResults, nextToken }), async (engine, { stateMachineArn, maxResults: limit, nextToken: token }) => {
    const { items, nextToken: next } = page(await engine.listStateMachineVersions(stateMachineArn), limit, token);
    return { stateMachineVersions: items, nextToken: next };
  }),
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
  ListStateMachineAliases: op(z.object({ stateMachineArn: arn, maxResults, nextToken }), async (engine, { stateMachineArn, maxResults: limit, nextToken: token }) => {
    const { items, nextToken: next } = page(await engine.listStateMachineAliases(stateMachineArn), limit, token);
    return { stateMachineAliases: items, nextToken: next };
  }),
  DeleteStateMachineAlias: op(z.object({ stateMachineAliasArn: arn }), async (engine, { stateMachineAliasArn }) => {
    await engine.deleteStateMachineAlias(stateMachineAliasArn);
    return {};
  }),
  DescribeStateMachine: op(z.object({ stateMachineArn: arn }), (engine, { stateMachineArn }) => engine.describeStateMachine(stateMachineArn)),
};
