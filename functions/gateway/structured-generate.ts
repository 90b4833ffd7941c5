/**
 * A generate call whose reply must match an output schema (JSON Schema or zod): the first answer
 * comes from the chain as usual; if it does not parse or validate, the same model (the chain entry
 * that answered) gets one repair turn with the validation errors; if that fails too, the step fails
 * with StructuredOutputInvalid. Usage and attempts of both calls are reported together.
 */
import { GatewayChainExhausted, generate, type GenerateOptions, type GenerateRequest, type GenerateResult } from './model-gateway.js';
import { checkStructured, correctionText, jsonSchemaOf, schemaInstruction, StructuredOutputInvalid, type OutputSchema } from './structured-output.js';

export interface StructuredResult extends GenerateResult {
  /** The parsed, validated object: the step's `output`. */
  readonly output: Record<string, unknown>;
  readonly repaired: boolean;
}

function spentBy(result: GenerateResult) {
  return { provider: result.provider, model: result.model, usage: result.usage };
}

export async function generateStructured(
  structuredRequest: Omit<GenerateRequest, 'outputSchema'> & { outputSchema: OutputSchema },
  options: GenerateOptions = {},
): Promise<StructuredResult> {
  const schema = structuredRequest.outputSchema;
  const req: GenerateRequest = { ...structuredRequest, outputSchema: jsonSchemaOf(schema) };
  const system = [req.system?.trim(), schemaInstruction(schema)].filter(Boolean).join('\n\n');
  const first = await generate({ ...req, system }, options);
  const checked = checkStructured(first.text, schema);
  if (checked.ok) return { ...first, output: checked.value, repaired: false };

  let second: GenerateResult;
  try {
    const followUp = { previousReply: first.text, correction: correctionText(checked.errors) };
    second = await generate({ ...req, system, chain: [first.ref], followUp }, { ...options, purpose: 'repair' });
  } catch (err) {
    const repairAttempts = err instanceof GatewayChainExhausted ? err.attempts : [];
    throw new StructuredOutputInvalid(
      `The reply did not match outputSchema (${checked.errors.join('; ')}) and the repair call failed: ${(err as Error).message}`,
      checked.errors,
      [...first.attempts, ...repairAttempts],
      spentBy(first),
    );
  }

  const merged: GenerateResult = {
    ...second,
    attempts: [...first.attempts, ...second.attempts],
    usage: {
      inputTokens: first.usage.inputTokens + second.usage.inputTokens,
      outputTokens: first.usage.outputTokens + second.usage.outputTokens,
    },
    latencyMs: first.latencyMs + second.latencyMs,
  };
  const again = checkStructured(second.text, schema);
  if (again.ok) return { ...merged, output: again.value, repaired: true };
  throw new StructuredOutputInvalid(
    `The reply did not match outputSchema after one repair attempt: ${again.errors.join('; ')}`,
    again.errors,
    merged.attempts,
    spentBy(merged),
  );
}
