/** The local Step Functions service: in-process engine plus its AWS JSON 1.0 endpoint. */
export { LocalStepFunctions, type LocalStepFunctionsEvents, type LocalStepFunctionsOptions, type StartExecutionParams } from './engine.js';
export { startSfnEndpoint, type SfnEndpoint, type SfnEndpointOptions } from './endpoint.js';
export { SfnServiceError, type SfnErrorCode } from './errors.js';
export type { ExecutionClosedEvent, InvokeLambda, TaskTokenIssuedEvent } from './types.js';
