/**
 * Request-level failures that providers report as plain 4xx errors or stop reasons: the prompt is
 * too long for the model's context window, or a content policy blocked it. They get their own
 * kinds because retrying the same model cannot help, while another model (a bigger window, a
 * different policy) may succeed, so the chain falls back according to the ref's `fallbackOn`.
 */
import type { ErrorKind } from './types.js';

/** Bedrock ("Input is too long for requested model", "prompt is too long: N tokens > M maximum") and OpenAI-compatible wording. */
const CONTEXT_WINDOW = /too long|context[ _-](window|length)|maximum context|too many (input )?tokens/i;
/** Guardrails, content filters and usage policies, as Bedrock, OpenAI and Azure OpenAI phrase them. */
const CONTENT_POLICY = /content[ _-]?(policy|filter|management)|guardrail|safety system|usage polic|responsibleaipolicy/i;

/** The request-level kind a 4xx error message or code reveals, if any. */
export function requestFailureKind(...texts: (string | null | undefined)[]): ErrorKind | undefined {
  const text = texts.filter(Boolean).join(' ');
  if (CONTEXT_WINDOW.test(text)) return 'context_window';
  if (CONTENT_POLICY.test(text)) return 'content_policy';
  return undefined;
}

/** Bedrock Converse stop reasons that mean "no usable answer", even when some text came back. */
export function bedrockStopFailure(stopReason: string | undefined): ErrorKind | undefined {
  if (stopReason === 'content_filtered' || stopReason === 'guardrail_intervened') return 'content_policy';
  if (stopReason === 'model_context_window_exceeded') return 'context_window';
  return undefined;
}
