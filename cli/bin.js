#!/usr/bin/env node
// `npx handrail …`: runs the TypeScript CLI through tsx, with no build step.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
