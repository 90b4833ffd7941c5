/**
 * Reads workflow YAML files, validates them against the schema and their cross-references,
 * and stamps each with a content hash (the workflow version a run records). The API's bundle ships
 * them as JSON (infra/constructs/json-assets.ts), read without a YAML parser.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ZodError } from 'zod';
import { canonicalJson } from '../functions/shared/canonical-json.js';
import { yamlParser } from '../functions/shared/lazy-yaml.js';
import { outputSchemaProblem } from './output-schema-check.js';
import { retentionDays, retentionIssues } from './retention.js';
import { durationSeconds, SLACK_TRIGGER_SOURCES, workflowSchema, type Step, type Workflow } from './schema.js';

export const defaultWorkflowsDir = resolve(fileURLToPath(new URL('.', import.meta.url)), 'workflows');
/** A workflow definition's file name: `<id>.yaml`, `<id>.yml` or `<id>.json`. */
const WORKFLOW_FILE = /\.(?:ya?ml|json)$/;

export interface LoadedWorkflow {
  readonly definition: Workflow;
  /** sha256 of the validated definition: changes whenever behaviour can change. */
  readonly version: string;
  readonly file: string;
}

/** A workflow file that cannot be used; `issues` name the field path and what is expected. */
export class WorkflowDefinitionError extends Error {
  override readonly name = 'WorkflowDefinitionError';
  constructor(
    readonly file: string,
    readonly issues: string[],
  ) {
    super(`${file}: ${issues.join('; ')}`);
  }
}

function formatZodIssues(error: ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.length ? issue.path.join('.') : '(top level)';
    return `${path}: ${issue.message}`;
  });
}

/** Where control may go: any step (the kinds are listed so a new kind is a deliberate choice here). */
const anyKind: Step['kind'][] = ['retrieve', 'generate', 'classify', 'route', 'approval', 'deliver'];

function crossReferenceIssues(wf: Workflow): string[] {
  const issues: string[] = [];
  const byId = new Map<string, Step>();
  wf.steps.forEach((step, i) => {
    if (byId.has(step.id)) issues.push(`steps.${i}.id: duplicate step id "${step.id}"`);
    byId.set(step.id, step);
  });
  const expectKind = (where: string, id: string, kinds: Step['kind'][]) => {
    const target = byId.get(id);
    if (!target) issues.push(`${where}: no step with id "${id}"`);
    else if (!kinds.includes(target.kind)) issues.push(`${where}: "${id}" is a ${target.kind} step; expected ${kinds.join(' or ')}`);
  };
  wf.steps.forEach((step, i) => {
    if ('next' in step && step.next) expectKind(`steps.${i}.next`, step.next, anyKind);
    if (step.kind === 'route') {
      step.paths.forEach((p, j) => {
        expectKind(`steps.${i}.paths.${j}.next`, p.next, anyKind);
        p.when?.forEach((c, k) => {
          const [root, stepId] = c.path.split('.');
          if (root === 'steps' && stepId && !byId.has(stepId)) issues.push(`steps.${i}.paths.${j}.when.${k}.path: no step with id "${stepId}"`);
        });
      });
    }
    if (step.kind === 'generate') {
      step.context?.forEach((id, j) => {
        expectKind(`steps.${i}.context.${j}`, id, ['retrieve']);
        if (wf.steps.findIndex((s) => s.id === id) > i) issues.push(`steps.${i}.context.${j}: "${id}" runs after this step; name a retrieve step that comes before it`);
      });
    }
    if (step.kind === 'generate' && step.revise) {
      expectKind(`steps.${i}.revise`, step.revise, ['retrieve']);
      const source = byId.get(step.revise);
      if (source?.kind === 'retrieve' && !source.wholeDocument) issues.push(`steps.${i}.revise: "${step.revise}" reads passages only; give it wholeDocument: true`);
      if (wf.steps.findIndex((s) => s.id === step.revise) > i) issues.push(`steps.${i}.revise: "${step.revise}" runs after this step; name a retrieve step that comes before it`);
    }
    if (step.kind === 'generate' && step.gates) {
      expectKind(`steps.${i}.gates.onFail`, step.gates.onFail, anyKind);
      if (step.gates.onContextFailure) expectKind(`steps.${i}.gates.onContextFailure`, step.gates.onContextFailure, anyKind);
    }
    if (step.kind === 'approval') {
      if (step.draft) expectKind(`steps.${i}.draft`, step.draft, ['generate']);
      step.parts?.forEach((part, j) => expectKind(`steps.${i}.parts.${j}.draft`, part.draft, ['generate']));
      if (typeof step.onFinalTimeout === 'object') expectKind(`steps.${i}.onFinalTimeout.route`, step.onFinalTimeout.route, anyKind);
      const field = step.reviewersFromInput;
      if (field && !(field in wf.input)) issues.push(`steps.${i}.reviewersFromInput: "${field}" is not one of the input fields (${Object.keys(wf.input).join(', ')})`);
      else if (field && (wf.input[field]!.type !== 'string' || !wf.input[field]!.required)) {
        issues.push(`steps.${i}.reviewersFromInput: input field "${field}" must be a required string (a reviewer id such as an email address)`);
      }
    }
    if (step.kind === 'classify' && step.draft) {
      expectKind(`steps.${i}.draft`, step.draft, ['generate']);
      if (wf.steps.findIndex((s) => s.id === step.draft) > i) issues.push(`steps.${i}.draft: "${step.draft}" runs after this step; classify a draft that already exists`);
    }
    if (step.kind === 'deliver' && step.text !== 'approval') expectKind(`steps.${i}.text`, step.text, ['generate']);
    if (step.kind === 'deliver' && step.knowledge) {
      const from = byId.get(step.knowledge.documentFrom);
      expectKind(`steps.${i}.knowledge.documentFrom`, step.knowledge.documentFrom, ['generate']);
      if (from?.kind === 'generate' && !from.revise) issues.push(`steps.${i}.knowledge.documentFrom: "${from.id}" drafts text, not a document revision; give it revise: <retrieve step id>`);
      const reads = from?.kind === 'generate' && from.revise ? byId.get(from.revise) : undefined;
      if (reads?.kind === 'retrieve' && reads.collection !== step.knowledge.collection) {
        issues.push(`steps.${i}.knowledge.collection: "${step.knowledge.collection}" is not the collection "${reads.collection}" the proposal revises (step ${reads.id})`);
      }
      // The function that writes a collection serves only this workflow's knowledge deliveries (least privilege).
      const other = wf.steps.findIndex((s) => s.kind === 'deliver' && !s.knowledge);
      if (other >= 0) issues.push(`steps.${other}: a workflow that writes knowledge delivers only to knowledge; move this delivery to another workflow`);
      if (!wf.steps.slice(0, i).some((s) => s.kind === 'approval')) issues.push(`steps.${i}.knowledge: a knowledge edit needs an approval step before it`);
    }
    if (step.kind === 'deliver' && step.slack?.channelFromInput && !(step.slack.channelFromInput in wf.input)) {
      issues.push(`steps.${i}.slack.channelFromInput: "${step.slack.channelFromInput}" is not one of the input fields (${Object.keys(wf.input).join(', ')})`);
    }
  });
  const slack = wf.trigger.slack;
  if (slack) {
    for (const field of Object.keys(slack.input)) if (!(field in wf.input)) issues.push(`trigger.slack.input.${field}: not one of the input fields (${Object.keys(wf.input).join(', ')})`);
    const unfilled = Object.entries(wf.input).filter(([name, f]) => f.required && !(name in slack.input)).map(([name]) => name);
    if (unfilled.length) issues.push(`trigger.slack.input: the required input field(s) ${unfilled.join(', ')} must be filled from Slack (${SLACK_TRIGGER_SOURCES.join(', ')})`);
  }
  if (wf.requester && !(wf.requester in wf.input)) issues.push(`requester: "${wf.requester}" is not one of the input fields (${Object.keys(wf.input).join(', ')})`);
  issues.push(...retentionIssues(retentionDays(wf.retention), longestApprovalWait(wf)));
  const last = wf.steps[wf.steps.length - 1];
  if (last?.kind === 'route') issues.push(`steps.${wf.steps.length - 1}: a route step cannot be last; its paths must lead somewhere`);
  return issues;
}

/** Seconds a run can wait for decisions at most: every approval step's levels, one after the other. */
function longestApprovalWait(wf: Workflow): number {
  return wf.steps.reduce((sum, s) => sum + (s.kind === 'approval' ? durationSeconds(s.timeout) + s.escalation.reduce((t, l) => t + durationSeconds(l.timeout), 0) : 0), 0);
}

/** Validates an already-parsed definition. Throws WorkflowDefinitionError naming `file`. */
export function validateWorkflow(raw: unknown, file: string): LoadedWorkflow {
  const parsed = workflowSchema.safeParse(raw);
  if (!parsed.success) throw new WorkflowDefinitionError(file, formatZodIssues(parsed.error));
  const issues = crossReferenceIssues(parsed.data);
  if (issues.length) throw new WorkflowDefinitionError(file, issues);
  const expectedId = basename(file).replace(WORKFLOW_FILE, '');
  if (WORKFLOW_FILE.test(file) && parsed.data.id !== expectedId) {
    throw new WorkflowDefinitionError(file, [`id: "${parsed.data.id}" must match the file name "${expectedId}"`]);
  }
  // Key order is not meaning: a file with its keys moved is the same version.
  const version = createHash('sha256').update(canonicalJson(parsed.data)).digest('hex').slice(0, 16);
  return { definition: parsed.data, version, file };
}

/** Generate steps whose outputSchema the gateway could not check output against (asked of YAML sources: bundles read the synth's checked JSON). */
function outputSchemaIssues(wf: Workflow): string[] {
  return wf.steps.flatMap((step, i) => {
    const problem = step.kind === 'generate' && step.outputSchema ? outputSchemaProblem(step.outputSchema) : undefined;
    return problem ? [`steps.${i}.outputSchema: ${problem}`] : [];
  });
}

/** Parses and validates one YAML text. */
export function parseWorkflow(text: string, file: string): LoadedWorkflow {
  const yaml = yamlParser();
  let raw: unknown;
  try {
    raw = yaml.parse(text);
  } catch (err) {
    const detail = err instanceof yaml.YAMLParseError ? err.message.split('\n')[0] : String(err);
    throw new WorkflowDefinitionError(file, [`not valid YAML: ${detail}`]);
  }
  const loaded = validateWorkflow(raw, file);
  const issues = outputSchemaIssues(loaded.definition);
  if (issues.length) throw new WorkflowDefinitionError(file, issues);
  return loaded;
}

/** A workflow file: YAML, or JSON when it ends in `.json` (as the API's bundle ships them). */
export function loadWorkflowFile(file: string): LoadedWorkflow {
  const text = readFileSync(file, 'utf8');
  if (!file.endsWith('.json')) return parseWorkflow(text, file);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new WorkflowDefinitionError(file, [`not valid JSON: ${(err as Error).message}`]);
  }
  return validateWorkflow(raw, file);
}

/** Every `*.yaml` (or `*.json`) in `dir`, sorted by id. Any invalid file fails the whole load. */
export function loadWorkflows(dir: string = defaultWorkflowsDir): LoadedWorkflow[] {
  const loaded = readdirSync(dir)
    .filter((f) => WORKFLOW_FILE.test(f))
    .sort()
    .map((f) => loadWorkflowFile(join(dir, f)));
  // A Slack command or shortcut starts one workflow: two that claim the same one is a mistake.
  const claimed = new Map<string, string>();
  for (const { definition, file } of loaded) {
    for (const [kind, name] of [['command', definition.trigger.slack?.command], ['shortcut', definition.trigger.slack?.shortcut]] as const) {
      if (!name) continue;
      const other = claimed.get(`${kind}:${name}`);
      if (other) throw new WorkflowDefinitionError(file, [`trigger.slack.${kind}: ${name} is already the ${kind} of workflow ${other}`]);
      claimed.set(`${kind}:${name}`, definition.id);
    }
  }
  return loaded;
}
