/**
 * OpenAI or any OpenAI-compatible endpoint (OPENAI_BASE_URL), via the official SDK's chat
 * completions. SDK retries are off so the gateway's policy and attempt log are the only ones.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { ENV } from '../../shared/env-names.js';
import { optionalEnv } from '../../shared/env.js';
import { requestFailureKind } from '../classify.js';
import { openaiKey } from './openai-key.js';
import { ProviderError, kindForStatus, parseRetryAfter, type ProviderCall, type ProviderReply } from '../types.js';


/** One client per endpoint and key: reused while the Lambda is warm, rebuilt if the config changes. */
const clients = new Map<string, OpenAI>();

function clientFor(baseURL: string | undefined, apiKey: string): OpenAI {
  const key = `${baseURL ?? ''}\u0000${apiKey}`;
  let client = clients.get(key);
  if (!client) {
    client = new OpenAI({ apiKey, baseURL: baseURL ?? null, maxRetries: 0 });
    clients.set(key, client);
  }
  return client;
}

export { openaiConfigured } from './openai-key.js';

function headerRetryAfter(headers: Headers | undefined): number | undefined {
  if (!headers) return undefined;
  // OpenAI sends retry-after-ms for sub-second hints; other compatible servers send only retry-after.
  const ms = headers.get('retry-after-ms');
  if (ms && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms));
  return parseRetryAfter(headers.get('retry-after'));
}

export function classifyOpenAIError(err: unknown): ProviderError {
  // Order matters: the timeout and connection classes are subclasses of APIError with no status.
  if (err instanceof APIConnectionTimeoutError || err instanceof APIUserAbortError) {
    return new ProviderError('timeout', `no response within the timeout: ${err.message}`, undefined, { cause: err });
  }
  if (err instanceof APIConnectionError) {
    return new ProviderError('connection', `connection failed: ${err.message}`, undefined, { cause: err });
  }
  if (err instanceof APIError && typeof err.status === 'number') {
    // context_length_exceeded / content_policy_violation arrive as 400s: their own kinds, never retried.
    const byStatus = kindForStatus(err.status);
    const kind = byStatus === 'client_error' ? (requestFailureKind(err.code, err.message) ?? byStatus) : byStatus;
    return new ProviderError(kind, `HTTP ${err.status}${err.code ? ` ${err.code}` : ''}: ${err.message}`, headerRetryAfter(err.headers), { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ProviderError('invalid_response', message, undefined, { cause: err });
}

export async function callOpenAI(call: ProviderCall): Promise<ProviderReply> {
  const apiKey = await openaiKey();
  const baseURL = optionalEnv(ENV.openAiBaseUrl);
  let completion;
  try {
    completion = await clientFor(baseURL, apiKey).chat.completions.create(
      {
        model: call.model,
        messages: [
          { role: 'system', content: call.prompt.system },
          { role: 'user', content: call.prompt.user },
          ...(call.followUp
            ? [
                { role: 'assistant' as const, content: call.followUp.previousReply },
                { role: 'user' as const, content: call.followUp.correction },
              ]
            : []),
        ],
        // max_tokens rather than max_completion_tokens: every OpenAI-compatible server understands it.
        max_tokens: call.ref.maxTokens,
        temperature: call.ref.temperature,
      },
      // Timeout is per model ref, so it goes on the request rather than the cached client.
      { timeout: call.ref.timeoutMs, maxRetries: 0 },
    );
  } catch (err) {
    throw classifyOpenAIError(err);
  }
  const choice = completion.choices?.[0];
  if (choice?.finish_reason === 'content_filter') throw new ProviderError('content_policy', 'the completion was stopped by a content filter');
  const text = choice?.message?.content?.trim();
  if (!text) throw new ProviderError('invalid_response', 'the completion had no message content');
  return {
    text,
    // The configured name, not the dated snapshot the server echoes, so records match the workflow.
    model: call.model,
    usage: { inputTokens: completion.usage?.prompt_tokens ?? 0, outputTokens: completion.usage?.completion_tokens ?? 0 },
  };
}
