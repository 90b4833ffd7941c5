/**
 * A generate call whose reply must match a JSON Schema: the first answer comes from the chain as
 * usual; if it does not parse or validate, the same model (the chain entry that answered) gets one
 * repair turn with the validation errors; if that fails too, the step fails with
 * StructuredOutputInvalid. Usage and attempts of both calls are reported together.
 */
import { GatewayChainExhausted, generate, type GenerateOptions, type GenerateRequest, type GenerateResult } from './model-gateway.js';
import { checkStructured, correctionText, schemaInstruction, StructuredOutputInvalid } from './structured-output.js';
import type { JsonSchema } from './types.js';

export interface StructuredResult extends GenerateResult {
  /** The parsed, validated object: the step's `output`. */
  readonly output: Record<string, unknown>;
  readonly repaired: boolean;
}

function spentBy(result: GenerateResult) {
  return { provider: result.provider, model: result.model, usage: result.usage };
}

export async function generateStructured(
  req: GenerateRequest & { outputSchema: JsonSchema },
  options: GenerateOptions = {},
): Promise<StructuredResult> {
  const system = [req.system?.trim(), schemaInstruction(req.outputSchema)].filter(Boolean).join('\n\n');
  const first = await generate({ ...req, system }, options);
  const checked = checkStructured(first.text, req.outputSchema);
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
  const again = checkStructured(second.text, req.outputSchema);
  if (again.ok) return { ...merged, output: again.value, repaired: true };
  throw new StructuredOutputInvalid(
    `The reply did not match outputSchema after one repair attempt: ${again.errors.join('; ')}`,
    again.errors,
    merged.attempts,
    spentBy(merged),
  );
}
