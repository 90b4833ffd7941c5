/**
 * Amazon Bedrock through the Converse API, so one request shape serves every Bedrock model family.
 * The shared client has SDK retries off (maxAttempts 1): the gateway retries, and records each try.
 */
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { bedrockClient } from '../../shared/aws-clients.js';
import { bedrockStopFailure, requestFailureKind } from '../classify.js';
import { ProviderError, kindForStatus, parseRetryAfter, type ErrorKind, type ProviderCall, type ProviderReply } from '../types.js';

const RETRYABLE_NAMES: Record<string, ErrorKind> = {
  ThrottlingException: 'throttled',
  ServiceUnavailableException: 'server_error',
  InternalServerException: 'server_error',
  ModelNotReadyException: 'server_error',
  ModelTimeoutException: 'timeout',
};

/** Node socket errors that mean "could not talk to the endpoint", worth another try. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

export function classifyBedrockError(err: unknown, timedOut: boolean): ProviderError {
  const e = (err ?? {}) as SdkErrorShape;
  const message = e.message ?? String(err);
  // Our own timer aborted the call: that is a timeout whatever the SDK chose to call the error.
  if (timedOut) return new ProviderError('timeout', `no response within the timeout (${message})`, undefined, { cause: err });
  const status = e.$metadata?.httpStatusCode;
  const retryAfterMs = parseRetryAfter(e.$response?.headers?.['retry-after']);
  const named = e.name ? RETRYABLE_NAMES[e.name] : undefined;
  if (named) return new ProviderError(named, `${e.name}: ${message}`, retryAfterMs, { cause: err });
  if (status !== undefined && status >= 400) {
    // A ValidationException may really be "prompt too long" or a policy block: those fall back, never retry.
    const kind = kindForStatus(status) === 'client_error' ? (requestFailureKind(message) ?? 'client_error') : kindForStatus(status);
    return new ProviderError(kind, `HTTP ${status} ${e.name ?? ''}: ${message}`.trim(), retryAfterMs, { cause: err });
  }
  if ((e.code && CONNECTION_CODES.has(e.code)) || e.name === 'TimeoutError' || status === undefined) {
    return new ProviderError('connection', `${e.name ?? 'Error'}: ${message}`, undefined, { cause: err });
  }
  return new ProviderError('invalid_response', `${e.name ?? 'Error'}: ${message}`, undefined, { cause: err });
}

export async function callBedrock(call: ProviderCall): Promise<ProviderReply> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), call.ref.timeoutMs);
  let response;
  try {
    response = await bedrockClient().send(
      new ConverseCommand({
        modelId: call.model,
        system: [{ text: call.prompt.system }],
        messages: [
          { role: 'user', content: [{ text: call.prompt.user }] },
          ...(call.followUp
            ? [
                { role: 'assistant' as const, content: [{ text: call.followUp.previousReply }] },
                { role: 'user' as const, content: [{ text: call.followUp.correction }] },
              ]
            : []),
        ],
        inferenceConfig: { maxTokens: call.ref.maxTokens, temperature: call.ref.temperature },
      }),
      { abortSignal: controller.signal },
    );
  } catch (err) {
    throw classifyBedrockError(err, controller.signal.aborted);
  } finally {
    clearTimeout(timer);
  }
  const stopped = bedrockStopFailure(response.stopReason);
  if (stopped) throw new ProviderError(stopped, `Bedrock stopped with stopReason ${response.stopReason}`);
  const text = (response.output?.message?.content ?? [])
    .map((block) => ('text' in block && typeof block.text === 'string' ? block.text : ''))
    .join('')
    .trim();
  if (!text) throw new ProviderError('invalid_response', `Bedrock returned no text (stopReason ${response.stopReason ?? 'unknown'})`);
  return {
    text,
    model: call.model,
    usage: { inputTokens: response.usage?.inputTokens ?? 0, outputTokens: response.usage?.outputTokens ?? 0 },
  };
}
