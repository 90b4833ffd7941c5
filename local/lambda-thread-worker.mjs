// The functions' thread (lambda-thread.ts): TypeScript handler modules need the loader the main
// thread was started with, which a worker does not inherit; then lambda-thread-serve.ts serves.
import { register } from 'tsx/esm/api';

register();
await import('./lambda-thread-serve.ts');
