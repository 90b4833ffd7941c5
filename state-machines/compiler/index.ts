export * from './asl-types.js';
export * from './compile-workflow.js';
export * from './function-kinds.js';
export { RUN_COMPLETED_STATE, RUN_REJECTED_STATE } from './tasks.js';
export * from './state-paths.js';
