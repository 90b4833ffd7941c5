/**
 * Where a service's AWS SDK client hands its requests, when the process has said so: the local
 * runtime installs one for DynamoDB (its emulator, on another thread: local/emulator-transport.ts)
 * and one for Step Functions on the thread its engine runs on (local/stepfunctions/endpoint.ts),
 * instead of a loopback socket (local/in-process-requests.ts). The client is the same SDK client either way — it
 * builds, signs and sends the same request and parses the same response; only the wire differs.
 * On Lambda nothing is installed: the SDK's own HTTP handler sends to AWS, as always.
 */
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

/** An SDK client's request handler (what `requestHandler` takes). */
export type RequestHandler = NonNullable<DynamoDBClientConfig['requestHandler']>;

/** The services a request handler may be installed for. */
export type HandledService = 'dynamodb' | 'sfn';

const installed = new Map<HandledService, RequestHandler>();

/** From now on, new clients of `service` hand their requests to `handler` (aws-clients.ts creates them). */
export function installRequestHandler(service: HandledService, handler: RequestHandler): void {
  installed.set(service, handler);
}

/** New clients send over HTTP again (a runtime that stops; clients already made keep theirs: resetClients). */
export function removeRequestHandler(service: HandledService, handler: RequestHandler): void {
  if (installed.get(service) === handler) installed.delete(service);
}

/** The client options for `service`: its installed request handler, or nothing (the SDK's own). */
export function requestHandlerOption(service: HandledService): { requestHandler?: RequestHandler } {
  const handler = installed.get(service);
  return handler ? { requestHandler: handler } : {};
}
