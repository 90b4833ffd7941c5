/**
 * LLM-backed classification: one structured call through the model gateway answers every
 * classifier the step asks for. The answer's shape is a zod schema built here, in code (shown to
 * the model as JSON Schema, validated with one repair), so a model can only return labels the
 * workflow declared.
 */
import * as z from 'zod';
import type { ClassifierName, ModelRef } from '../../state-machines/schema.js';
import { generateStructured, type StructuredResult } from '../gateway/structured-generate.js';
import type { GenerateOptions } from '../gateway/model-gateway.js';
import { labelFor } from './sentiment.js';
import { complexityLabel } from './complexity.js';
import { topicResult } from './topics.js';
import type { Classification, ClassifierInput, TopicDefinition } from './types.js';

const reason = z.string().max(400).describe('one short sentence: why');

function answerParts(topicNames: readonly [string, ...string[]]) {
  return {
    sentiment: z.object({ score: z.number().min(-1).max(1).describe('-1 very negative .. 0 neutral .. 1 very positive') }).strict(),
    topic: z.object({ topics: z.array(z.enum(topicNames)).max(topicNames.length).describe('strongest first; [] when none applies'), reason }).strict(),
    complexity: z.object({ score: z.number().min(0).max(1).describe('0 one simple question .. 1 many issues needing investigation'), reason }).strict(),
    confidence: z.object({ score: z.number().min(0).max(1).describe('1 every claim in the draft is supported by the passages .. 0 none is'), reason }).strict(),
  };
}

type AnswerParts = ReturnType<typeof answerParts>;
export type ClassificationAnswer = Partial<{ [K in keyof AnswerParts]: z.infer<AnswerParts[K]> }>;

/** The answer a model must give: exactly the `classifiers` asked for, topics limited to `topicNames`. */
export function classificationSchema(classifiers: readonly ClassifierName[], topicNames: readonly [string, ...string[]]): z.ZodType<ClassificationAnswer> {
  const parts = answerParts(topicNames);
  return z.object(Object.fromEntries(classifiers.map((c) => [c, parts[c]]))).strict() as z.ZodType<ClassificationAnswer>;
}

export function classificationInstructions(classifiers: readonly ClassifierName[], topics: readonly TopicDefinition[]): string {
  const lines = ['You classify customer requests so a workflow can route them. Fill in only the fields the schema asks for.'];
  if (classifiers.includes('sentiment')) lines.push('sentiment: how the customer feels (angry, frustrated, threatening, disappointed are negative).');
  if (classifiers.includes('topic')) {
    lines.push('topic: every topic below that the request is about. When in doubt, include it: a wrong topic only sends the request to a human.');
    for (const t of topics) lines.push(`- ${t.name}: ${t.description ?? `mentions such as ${t.terms.slice(0, 8).join(', ')}`}`);
  }
  if (classifiers.includes('complexity')) lines.push('complexity: how much work answering the request takes.');
  if (classifiers.includes('confidence')) lines.push('confidence: how well the passages support the draft reply inside the request (after "Draft reply:").');
  return lines.join('\n');
}

export interface ModelClassifyRequest extends ClassifierInput {
  readonly chain: ModelRef[];
}

export async function classifyWithModel(req: ModelClassifyRequest, options: GenerateOptions = {}): Promise<{ classification: Classification; result: StructuredResult }> {
  const topicNames = req.topics.map((t) => t.name) as [string, ...string[]];
  const schema = classificationSchema(req.classifiers, topicNames);
  const assessDraft = req.classifiers.includes('confidence');
  const result = await generateStructured(
    {
      task: 'classify',
      system: classificationInstructions(req.classifiers, req.topics),
      prompt: assessDraft ? `${req.text}\n\nDraft reply:\n${req.draft ?? ''}` : req.text,
      // Passages only matter for judging the draft; otherwise they would cost tokens for nothing.
      passages: assessDraft ? req.passages : [],
      chain: req.chain,
      outputSchema: schema,
    },
    options,
  );
  const answer = schema.parse(result.output);
  const classification: Classification = {};
  if (answer.sentiment) classification.sentiment = { label: labelFor(answer.sentiment.score, req.sentimentThreshold), score: answer.sentiment.score, method: 'model' };
  if (answer.topic) {
    const ranked = new Map<string, number>(answer.topic.topics.map((name, i) => [name, answer.topic!.topics.length - i]));
    classification.topic = topicResult(req.topics, ranked, 'model', { reason: answer.topic.reason });
  }
  if (answer.complexity) classification.complexity = { label: complexityLabel(answer.complexity.score), score: answer.complexity.score, method: 'model', reason: answer.complexity.reason };
  if (answer.confidence) classification.confidence = { score: answer.confidence.score, method: 'model', reason: answer.confidence.reason };
  return { classification, result };
}
