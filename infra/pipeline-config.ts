/**
 * How releases travel between stages: the `pipeline` entry of stages.yaml (stage-config.ts reads the
 * stages themselves). `order` is the one way promotion goes (each stage takes only what ran in the
 * stage before it), `approvalBefore` names the stages a person approves before they deploy, and
 * `source` is the repository the CDK Pipelines pipeline (stacks/pipeline-stack.ts) builds from.
 * `npx handrail promote` checks the same order locally.
 *
 * @example
 * pipeline:
 *   order: [dev, staging, prod]
 *   approvalBefore: [prod]
 *   source: { repository: acme/handrail, branch: main, connectionArn: arn:aws:codeconnections:us-east-1:123456789012:connection/abc }
 */
import * as z from 'zod';
import { stageNameSchema } from '../functions/shared/stage-name.js';
import { readStagesFile } from './stages-file.js';

export const PIPELINE_KEY = 'pipeline';

export const pipelineSchema = z
  .object({
    order: z
      .array(stageNameSchema)
      .min(2, 'at least two stages: promotion goes from one to the next')
      .refine((order) => new Set(order).size === order.length, 'each stage once')
      .default(['dev', 'staging', 'prod']),
    /** A person approves in the pipeline before these deploy. @default the last stage */
    approvalBefore: z.array(stageNameSchema).optional(),
    /** The repository and branch the pipeline builds, through an AWS CodeConnections connection. */
    source: z
      .object({
        repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'owner/name, e.g. acme/handrail'),
        branch: z.string().min(1).default('main'),
        connectionArn: z.string().regex(/^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/[\w-]+$/, 'a CodeConnections connection ARN (arn:aws:codeconnections:<region>:<account>:connection/<id>)'),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    for (const [i, stage] of (p.approvalBefore ?? []).entries()) {
      if (!p.order.includes(stage)) ctx.addIssue({ code: 'custom', path: ['approvalBefore', i], message: `${stage} is not in order (${p.order.join(', ')})` });
    }
  });

export type PipelineConfig = z.infer<typeof pipelineSchema> & { readonly approvalBefore: string[] };

/** The pipeline of the stages file (the default order dev → staging → prod when it declares none). */
export function loadPipelineConfig(file?: string): PipelineConfig {
  const { raw, file: path } = readStagesFile(file);
  const parsed = pipelineSchema.safeParse(raw[PIPELINE_KEY] ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${path}: ${[PIPELINE_KEY, ...issue.path].join('.')}: ${issue.message}`);
  }
  return { ...parsed.data, approvalBefore: parsed.data.approvalBefore ?? [parsed.data.order.at(-1)!] };
}

/** The stage a stage takes its releases from (none for the first, or a stage outside the order). */
export function stageBefore(pipeline: PipelineConfig, stage: string): string | undefined {
  const at = pipeline.order.indexOf(stage);
  return at > 0 ? pipeline.order[at - 1] : undefined;
}

/** Refuses a promotion that does not go one way, one stage at a time; one line naming the order. */
export function checkPromotionPath(pipeline: PipelineConfig, from: string, to: string): void {
  const path = pipeline.order.join(' → ');
  for (const stage of [from, to]) if (!pipeline.order.includes(stage)) throw new Error(`${stage} is not a stage of the pipeline (${path}; stages.yaml pipeline.order)`);
  const before = stageBefore(pipeline, to);
  if (before !== from) throw new Error(before ? `${to} takes releases only from ${before} (promotion goes one way, one stage at a time: ${path})` : `${to} is the first stage: nothing is promoted to it (${path})`);
}
