/** Scripted provider faults, shaped as Bedrock Converse and OpenAI chat completions send them. */
import { chatOk, type Reply } from '../../support/fake-model-servers.js';

/** Bedrock answered, but a content filter (or guardrail) stopped the output. */
export function bedrockContentFiltered(stopReason = 'content_filtered'): Reply {
  return {
    status: 200,
    body: {
      output: { message: { role: 'assistant', content: [{ text: 'Sorry, I cannot help with that.' }] } },
      stopReason,
      usage: { inputTokens: 11, outputTokens: 3, totalTokens: 14 },
      metrics: { latencyMs: 1 },
    },
  };
}

/** Bedrock's ValidationException for a prompt beyond the model's context window. */
export function bedrockTooLong(): Reply {
  return { status: 400, headers: { 'x-amzn-errortype': 'ValidationException' }, body: { message: 'Input is too long for requested model.' } };
}

export function openaiCoded(status: number, code: string, message: string): Reply {
  return { status, body: { error: { message, type: 'invalid_request_error', param: 'messages', code } } };
}

export function openaiContextTooLong(): Reply {
  return openaiCoded(400, 'context_length_exceeded', "This model's maximum context length is 8192 tokens. However, your messages resulted in 9100 tokens.");
}

/** A completion cut short by OpenAI's (or Azure's) content filter. */
export function openaiContentFiltered(): Reply {
  const ok = chatOk('partial', 13, 2) as { status: number; body: { choices: { finish_reason: string }[] } };
  ok.body.choices[0]!.finish_reason = 'content_filter';
  return ok;
}
