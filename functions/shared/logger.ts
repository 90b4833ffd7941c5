/**
 * One Powertools logger per process (service name = Handrail), shared by every handler module.
 * Every line goes through the redacting replacer, so no link token, bearer token or Slack signature
 * is ever printed. The Lambda context (function name, request id) is added per invocation by the
 * handler wrappers (shared/lambda-handler.ts, api/handler.ts); where several invocations share
 * this process (the local runtime), Powertools keeps that context per invocation in the Lambda
 * InvokeStore (see shared/invocation-scope.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { redactingReplacer } from './log-redaction.js';

export const logger = new Logger({ serviceName: 'handrail', jsonReplacerFn: redactingReplacer });
