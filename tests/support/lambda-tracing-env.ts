/**
 * What Lambda sets for a function with active tracing, as Powertools and the X-Ray SDK read it when
 * they load: set it (from a `vi.hoisted` block) before anything imports them. Its own module, which
 * imports nothing, so that setting it loads neither.
 */
export const tracingLambdaEnvironment = {
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  LAMBDA_TASK_ROOT: '/var/task',
  _HANDLER: 'index.handler',
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
} as const;
